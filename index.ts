/**
 * tasklane on AWS: reads the stack's config (the only place that does), builds the site, and
 * composes the components. `pulumi up` runs this file.
 *
 * The program is async (`export = async () => …`): it awaits `buildSite()` so the very build the
 * local stack serves is in dist/site before StaticSite uploads it file by file, and every file
 * is a resource Pulumi can preview and diff. Pulumi awaits the function and exports what it
 * returns as the stack outputs; the tests call it under mocks the same way.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AuthPool } from "./components/auth-pool";
import { Monitoring } from "./components/monitoring";
import { PushChannel } from "./components/push-channel";
import { readSettings } from "./components/settings";
import { StaticSite, type CdnPriceClass } from "./components/static-site";
import { TodoApi } from "./components/todo-api";
import { TodoTable } from "./components/todo-table";
import { API_BASE } from "./handlers/routes";
import { buildSite } from "./site/build";
import type { SiteConfig } from "./common/hosting";
import { REALTIME_PATH } from "./common/push";

/** Where the site is built: the same folder `npm run build:site` and the local stack use. */
const SITE_DIR = join(__dirname, "dist", "site");

export = async () => {
  // Every setting, its type, default and meaning, is in components/settings.ts (Pulumi.yaml
  // declares the same); a stack file overrides them. Nothing else reads config.
  const settings = readSettings(new pulumi.Config());
  const region = new pulumi.Config("aws").require("region");

  const table = new TodoTable("todos", { protect: settings.protectData });
  const auth = new AuthPool("auth", {
    region,
    protect: settings.protectData,
    sesIdentityArn: settings.sesIdentityArn,
    emailFrom: settings.emailFrom,
  });
  const api = new TodoApi("api", {
    tableName: table.tableName,
    tableArn: table.tableArn,
    userPoolArn: auth.userPoolArn,
    userPoolId: auth.userPoolId,
    userPoolClientId: auth.userPoolClientId,
    region,
    memorySize: settings.lambdaMemoryMb,
    timeoutSeconds: settings.lambdaTimeoutSeconds,
    logRetentionDays: settings.logRetentionDays,
    throttleRateLimit: settings.apiThrottleRateLimit,
    throttleBurstLimit: settings.apiThrottleBurstLimit,
    accountLogRole: settings.apiGatewayLogRole,
    detailedMetrics: settings.detailedMetrics,
  });

  const monitoring = new Monitoring("monitoring", {
    region,
    functionNames: api.functionNames,
    functionTimeoutSeconds: api.timeoutSeconds,
    restApiName: api.restApiName,
    stageName: api.stageName,
    tableName: table.tableName,
    alarmEmail: settings.alarmEmail,
    monthlyBudgetUsd: settings.monthlyBudgetUsd,
    alarms: settings.alarms,
    dashboard: settings.dashboard,
    detailedMetrics: settings.detailedMetrics,
  });

  // After Monitoring (its alarms go to the same topic), before StaticSite (the site's config and
  // CSP name the channel's endpoint).
  const push = new PushChannel("push", {
    streamArn: table.streamArn,
    tableName: table.tableName,
    tableArn: table.tableArn,
    userPoolId: auth.userPoolId,
    userPoolClientId: auth.userPoolClientId,
    region,
    alarmTopicArn: monitoring.topicArn,
    logRetentionDays: settings.logRetentionDays,
  });

  const build = await buildSite(SITE_DIR);
  // The web app connects to AppSync Events' real-time endpoint, naming the HTTP domain as `host`
  // in its authorization (common/push.ts); StaticSite's CSP allows that wss:// origin and no other.
  const siteConfig: pulumi.Output<SiteConfig> = pulumi
    .all([auth.userPoolId, auth.userPoolClientId, push.realtimeDomain, push.httpDomain])
    .apply(([userPoolId, userPoolClientId, realtimeDomain, host]): SiteConfig => ({
      region,
      userPoolId,
      userPoolClientId,
      apiBase: API_BASE,
      push: { realtimeUrl: `wss://${realtimeDomain}${REALTIME_PATH}`, host },
    }));
  const site = new StaticSite("site", {
    siteDir: build.outDir,
    files: build.files,
    config: siteConfig,
    cognitoOrigin: `https://cognito-idp.${region}.amazonaws.com`,
    apiDomain: api.originDomain,
    apiStageName: api.stageName,
    apiOriginKey: api.originKey,
    priceClass: settings.cdnPriceClass as CdnPriceClass, // StaticSite refuses any other value
    // With protected data, destroy stops at a bucket holding objects Pulumi did not put there.
    forceDestroy: !settings.protectData,
    domainName: settings.domainName,
    hostedZoneId: settings.hostedZoneId,
    wafRateLimit: settings.wafRateLimit,
    accessLogs: settings.cdnAccessLogs,
    logRetentionDays: settings.logRetentionDays,
  });

  return {
    /** The site: https:// and domainName when one is set, else the CloudFront domain. */
    siteUrl: site.url,
    /** The API as the site calls it: same origin, under /api. */
    apiUrl: pulumi.interpolate`${site.url}${API_BASE}`,
    userPoolId: auth.userPoolId,
    userPoolClientId: auth.userPoolClientId,
    tableName: table.tableName,
    /** The stack's dashboard (setting `dashboard`), else the console's list of dashboards. */
    dashboardUrl: monitoring.dashboardUrl,
    alarmTopicArn: monitoring.topicArn,
    /** Where devices listen for pokes: wss://<pushRealtimeDomain>/event/realtime, with `host` = pushHttpDomain. */
    pushRealtimeDomain: push.realtimeDomain,
    pushHttpDomain: push.httpDomain,
  };
};
