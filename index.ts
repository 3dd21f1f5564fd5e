/**
 * tasklane on AWS: reads the stack's config (the only place that does), builds the site, and
 * composes the five components. `pulumi up` runs this file.
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
import { StaticSite, type CdnPriceClass } from "./components/static-site";
import { TodoApi } from "./components/todo-api";
import { TodoTable } from "./components/todo-table";
import { API_BASE } from "./handlers/routes";
import { buildSite } from "./site/build";
import type { SiteConfig } from "./common/hosting";

/** Where the site is built: the same folder `npm run build:site` and the local stack use. */
const SITE_DIR = join(__dirname, "dist", "site");

export = async () => {
  // Every setting below is declared, with its type, default and description, in Pulumi.yaml;
  // Pulumi hands the program those defaults. An unset key stays undefined here and the
  // component applies its own default, which a test holds equal to Pulumi.yaml's.
  const config = new pulumi.Config();
  const region = new pulumi.Config("aws").require("region");
  const protectData = config.getBoolean("protectData");
  const logRetentionDays = config.getNumber("logRetentionDays");
  const lambdaMemoryMb = config.getNumber("lambdaMemoryMb");
  const lambdaTimeoutSeconds = config.getNumber("lambdaTimeoutSeconds");
  const apiThrottleRateLimit = config.getNumber("apiThrottleRateLimit");
  const apiThrottleBurstLimit = config.getNumber("apiThrottleBurstLimit");
  const alarmEmail = config.get("alarmEmail");
  const cdnPriceClass = config.get("cdnPriceClass");
  const manageApiGatewayAccount = config.getBoolean("manageApiGatewayAccount");

  const table = new TodoTable("todos", { protect: protectData });
  const auth = new AuthPool("auth", { protect: protectData });
  const api = new TodoApi("api", {
    tableName: table.tableName,
    tableArn: table.tableArn,
    userPoolArn: auth.userPoolArn,
    region,
    memorySize: lambdaMemoryMb,
    timeoutSeconds: lambdaTimeoutSeconds,
    logRetentionDays,
    throttleRateLimit: apiThrottleRateLimit,
    throttleBurstLimit: apiThrottleBurstLimit,
    manageAccountLogRole: manageApiGatewayAccount,
  });

  const build = await buildSite(SITE_DIR);
  const siteConfig: pulumi.Output<SiteConfig> = pulumi
    .all([auth.userPoolId, auth.userPoolClientId])
    .apply(([userPoolId, userPoolClientId]): SiteConfig => ({ region, userPoolId, userPoolClientId, apiBase: API_BASE }));
  const site = new StaticSite("site", {
    siteDir: build.outDir,
    files: build.files,
    config: siteConfig,
    cognitoOrigin: `https://cognito-idp.${region}.amazonaws.com`,
    apiDomain: api.originDomain,
    apiStageName: api.stageName,
    priceClass: cdnPriceClass as CdnPriceClass | undefined, // StaticSite refuses any other value
    // With protected data, destroy stops at a bucket holding objects Pulumi did not put there.
    forceDestroy: !protectData,
  });

  const monitoring = new Monitoring("monitoring", {
    region,
    functionNames: api.functionNames,
    functionTimeoutSeconds: api.timeoutSeconds,
    restApiName: api.restApiName,
    stageName: api.stageName,
    tableName: table.tableName,
    alarmEmail,
  });

  return {
    siteUrl: site.url,
    /** The API as the site calls it: same origin, under /api. */
    apiUrl: pulumi.interpolate`${site.url}${API_BASE}`,
    /** The stage itself (for debugging; clients use apiUrl). */
    apiStageUrl: api.invokeUrl,
    userPoolId: auth.userPoolId,
    userPoolClientId: auth.userPoolClientId,
    tableName: table.tableName,
    dashboardUrl: monitoring.dashboardUrl,
    alarmTopicArn: monitoring.topicArn,
  };
};
