/**
 * TodoApi: the REST API. API Gateway (one OpenAPI document generated from the route table) in
 * front of one Lambda function per route.
 *
 * Default settings:
 * - a Cognito user-pools authorizer on every method; request validators with the routes' JSON
 *   Schema models, so bad bodies are refused before Lambda runs; JSON gateway responses in the
 *   API's error shape (see openapi.ts)
 * - a regional REST API that gzips responses of 1 KiB or more for clients that accept it; a stage
 *   with JSON access logs to its own log group, X-Ray tracing, throttling per method and, with
 *   `detailedMetrics`, per-method metrics; a deployment replaced whenever the document changes
 * - per route: an `aws.lambda.CallbackFunction` (Node.js 24, arm64, JSON logs, X-Ray active
 *   tracing) whose code is the handler closure, without the AWS SDK v3 (the runtime ships it); its
 *   own log group with retention; its own role allowed to write that log group, to send its trace
 *   segments, and to perform exactly the route's DynamoDB actions on the table, nothing else
 *   (never CallbackFunction's FullAccess default role)
 * - optionally API Gateway's account-wide logging role, kept on destroy (one stack per account)
 * - API Gateway may invoke each function only for its own method and path
 * - the route that ends accounts (DELETE /api/account) may also sign its caller out everywhere
 *   and delete them in the user pool (those two Cognito actions, on that pool), and create the
 *   one-time schedule of the sweep (handlers/account-admin.ts), passing it a role of its own that
 *   EventBridge Scheduler assumes and that may invoke that one function, nothing else
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountLambdaFactory, lambdaFactory } from "../handlers/lambda";
import { tracedFunction } from "./lambda-function";
import { routes, type Route } from "../handlers/routes";
import { openApiDocument } from "./openapi";
import { SETTINGS } from "./settings";

export interface TodoApiArgs {
  readonly tableName: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  /** The user pool whose ID tokens the authorizer accepts. */
  readonly userPoolArn: pulumi.Input<string>;
  /** Its id: the account deletion's Cognito admin calls name it. */
  readonly userPoolId: pulumi.Input<string>;
  /** The app client whose ID tokens the functions accept (the `aud` claim). */
  readonly userPoolClientId: pulumi.Input<string>;
  /** The stack's AWS region (the API's domain name includes it). */
  readonly region: string;
  /** Memory of each function, in MB. @default SETTINGS.lambdaMemoryMb */
  readonly memorySize?: number;
  /** Timeout of each function, in seconds. @default SETTINGS.lambdaTimeoutSeconds */
  readonly timeoutSeconds?: number;
  /** Days CloudWatch keeps function and access logs. @default SETTINGS.logRetentionDays */
  readonly logRetentionDays?: number;
  /** Steady request rate per second, for each method. @default SETTINGS.apiThrottleRateLimit */
  readonly throttleRateLimit?: number;
  /** Burst of requests, for each method. @default SETTINGS.apiThrottleBurstLimit */
  readonly throttleBurstLimit?: number;
  /** @default "live" */
  readonly stageName?: string;
  /**
   * Who sets API Gateway's account-wide CloudWatch Logs role, which access logging needs once per
   * account and region: "this-stack" (only one stack there may) or "elsewhere". Anything else is
   * refused: a stage with access logging fails on an account without the role ("CloudWatch Logs
   * role ARN must be set in account settings to enable logging"). @default SETTINGS.apiGatewayLogRole
   */
  readonly accountLogRole?: string;
  /** Per-method CloudWatch metrics (billed as custom metrics for each hour with traffic). @default SETTINGS.detailedMetrics */
  readonly detailedMetrics?: boolean;
}

/** The values of `accountLogRole` (settings: apiGatewayLogRole). */
export const ACCOUNT_LOG_ROLE_OWNERS = ["this-stack", "elsewhere"] as const;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The sweep's schedules assume this role to invoke the account deletion's function. */
export const SCHEDULER_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
/** What the account deletion asks of Cognito (handlers/account-admin.ts). */
export const ACCOUNT_COGNITO_ACTIONS = ["cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminDeleteUser"] as const;

const API_GATEWAY_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
/** Responses this size or larger are gzipped by API Gateway when the client accepts it (bytes). */
export const MINIMUM_COMPRESSION_BYTES = 1024;

/** AWS's policy for API Gateway's account-wide logging role (logs actions only). */
export const API_GATEWAY_LOGS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/** One JSON object per request in the access log. Every value is a string, so the line is always valid JSON. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTimeEpoch",
  method: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  errorType: "$context.error.responseType",
  user: "$context.authorizer.claims.sub",
});

/** API Gateway's source ARN for one method: `{param}` segments become `*`, any stage. */
export function methodSourceArn(executionArn: string, route: Route): string {
  return `${executionArn}/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`;
}

export class TodoApi extends pulumi.ComponentResource {
  public readonly restApiId: pulumi.Output<string>;
  /** The ApiName dimension of API Gateway's metrics. */
  public readonly restApiName: pulumi.Output<string>;
  public readonly stageName: pulumi.Output<string>;
  /** The host CloudFront forwards /api/* to. */
  public readonly originDomain: pulumi.Output<string>;
  /** The API key CloudFront sends in `x-api-key` (a secret): without it the stage answers 403. */
  public readonly originKey: pulumi.Output<string>;
  /** Function name by route name. */
  public readonly functionNames: Record<string, pulumi.Output<string>>;
  /** Each function's timeout, defaults applied (Monitoring sets its duration alarm from it). */
  public readonly timeoutSeconds: number;

  constructor(name: string, args: TodoApiArgs, opts?: pulumi.ComponentResourceOptions) {
    const memorySize = args.memorySize ?? SETTINGS.lambdaMemoryMb.default;
    const timeout = args.timeoutSeconds ?? SETTINGS.lambdaTimeoutSeconds.default;
    const retentionInDays = args.logRetentionDays ?? SETTINGS.logRetentionDays.default;
    const rateLimit = args.throttleRateLimit ?? SETTINGS.apiThrottleRateLimit.default;
    const burstLimit = args.throttleBurstLimit ?? SETTINGS.apiThrottleBurstLimit.default;
    const stageName = args.stageName ?? "live";
    const accountLogRole = args.accountLogRole ?? SETTINGS.apiGatewayLogRole.default;
    const detailedMetrics = args.detailedMetrics ?? SETTINGS.detailedMetrics.default;

    const problems: string[] = [];
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) problems.push("memorySize must be 128 to 10240 MB");
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 29)
      problems.push("timeoutSeconds must be 1 to 29 (API Gateway waits 29 s at most)");
    if (!LOG_RETENTION_DAYS.includes(retentionInDays)) problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
    if (!(rateLimit > 0)) problems.push("throttleRateLimit must be positive");
    if (!Number.isInteger(burstLimit) || burstLimit < 1) problems.push("throttleBurstLimit must be a positive whole number");
    if (!/^[A-Za-z0-9_]+$/.test(stageName)) problems.push("stageName may hold letters, digits and _ only");
    if (!(ACCOUNT_LOG_ROLE_OWNERS as readonly string[]).includes(accountLogRole))
      problems.push(
        `say who sets API Gateway's CloudWatch Logs role for this account and region, which access logging needs: ` +
          `\`pulumi config set tasklane:apiGatewayLogRole this-stack\` on the one stack per account and region that sets it, ` +
          `or \`elsewhere\` where another stack or the console already has (not "${accountLogRole}")`,
      );
    if (problems.length > 0) throw new Error(`TodoApi ${name}: ${problems.join("; ")}`);
    // Arguments are checked before super(): nothing is registered for a component that cannot be built.
    super("tasklane:index:TodoApi", name, {}, opts);
    this.timeoutSeconds = timeout;

    const tableName = pulumi.output(args.tableName);
    const userPoolClientId = pulumi.output(args.userPoolClientId);
    const functionNames: Record<string, pulumi.Output<string>> = {};
    const invokeArns: Record<string, pulumi.Output<string>> = {};
    const functions: aws.lambda.Function[] = [];
    const readyForTraffic: pulumi.Resource[] = [];

    /**
     * The function of the route that ends accounts: besides its table actions, Cognito's two admin
     * actions on this pool, and creating the sweep's one-time schedules (in the default group,
     * named sweep-…) with a role of its own that may invoke this function alone. No schedule
     * exists at deployment: each deletion makes one, which deletes itself once it ran.
     */
    const accountFunction = (
      id: string,
      route: Route,
      common: Omit<Parameters<typeof tracedFunction>[1], "callbackFactory" | "statements">,
      tableStatement: Record<string, unknown>,
    ) => {
      const schedulerRole = new aws.iam.Role(
        `${id}-sweep-role`,
        { assumeRolePolicy: SCHEDULER_ASSUME_ROLE, description: "EventBridge Scheduler: the sweep of a deleted account" },
        { parent: this },
      );
      // The account id, from the table's ARN (arn:aws:dynamodb:<region>:<account>:table/<name>).
      const accountId = pulumi.output(args.tableArn).apply((arn) => arn.split(":")[4]);
      const traced = tracedFunction(
        id,
        {
          ...common,
          callbackFactory: accountLambdaFactory(route, tableName, userPoolClientId, {
            userPoolId: pulumi.output(args.userPoolId),
            schedulerRoleArn: schedulerRole.arn,
          }),
          statements: [
            tableStatement,
            { Sid: "EndAccounts", Effect: "Allow", Action: [...ACCOUNT_COGNITO_ACTIONS], Resource: args.userPoolArn },
            {
              Sid: "ScheduleSweeps",
              Effect: "Allow",
              Action: ["scheduler:CreateSchedule"],
              Resource: pulumi.interpolate`arn:aws:scheduler:${args.region}:${accountId}:schedule/default/sweep-*`,
            },
            {
              Sid: "PassSweepRole",
              Effect: "Allow",
              Action: ["iam:PassRole"],
              Resource: schedulerRole.arn,
              Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
            },
          ],
        },
        this,
      );
      new aws.iam.RolePolicy(
        `${id}-sweep-policy`,
        {
          role: schedulerRole.name,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "InvokeDeletion", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: traced.fn.arn }],
          }),
        },
        { parent: this },
      );
      return traced;
    };

    for (const route of routes) {
      const tableStatement = {
        Sid: "TodoTable",
        Effect: "Allow",
        Action: [...route.actions],
        // The table, and the indexes the route queries (an index is a resource of its own).
        Resource: route.indexes?.length
          ? [pulumi.output(args.tableArn), ...route.indexes.map((index) => pulumi.interpolate`${args.tableArn}/index/${index}`)]
          : args.tableArn,
      };
      const common = {
        roleDescription: `${route.method} ${route.path}`,
        description: `${route.method} ${route.path}: ${route.summary}`,
        memorySize,
        timeout,
        retentionInDays,
      };
      // Its role, its log group and its role policy come first, the function after them
      // (components/lambda-function.ts); the role may perform exactly the route's DynamoDB actions.
      const { fn, logGroup, policy } = route.endsAccount
        ? accountFunction(`${name}-${route.name}`, route, common, tableStatement)
        : tracedFunction(
            `${name}-${route.name}`,
            // Reaches only this route's code and generated validators (see handlers/lambda.ts).
            { ...common, callbackFactory: lambdaFactory(route, tableName, userPoolClientId), statements: [tableStatement] },
            this,
          );

      functionNames[route.name] = fn.name;
      invokeArns[route.name] = fn.invokeArn;
      functions.push(fn);
      readyForTraffic.push(logGroup, policy);
    }

    const body = pulumi
      .all([pulumi.output(args.userPoolArn), pulumi.all(invokeArns)])
      .apply(([userPoolArn, arns]) =>
        JSON.stringify(openApiDocument({ title: `tasklane ${name}`, routes, userPoolArn, invokeArns: arns })),
      );

    const api = new aws.apigateway.RestApi(
      `${name}-rest`,
      {
        description: "tasklane to-do API",
        body,
        endpointConfiguration: { types: "REGIONAL" },
        // CloudFront cannot compress /api/* (its CachingDisabled policy turns gzip and brotli off),
        // so API Gateway does, for the viewer's Accept-Encoding, which CloudFront forwards with every
        // viewer header but Host (the AllViewerExceptHostHeader origin request policy).
        minimumCompressionSize: String(MINIMUM_COMPRESSION_BYTES),
        // Kept off: the import warns about each operation's `default` response (it makes no method
        // response of it). With aws_proxy integrations method responses are never used (Lambda's
        // response passes through whole), and the route table has no success status to declare
        // instead. The document itself is checked by test/components/openapi.test.ts.
        failOnWarnings: false,
      },
      { parent: this },
    );

    for (const [index, route] of routes.entries()) {
      const permission = new aws.lambda.Permission(
        `${name}-${route.name}-invoke`,
        {
          action: "lambda:InvokeFunction",
          function: functions[index].name,
          principal: "apigateway.amazonaws.com",
          sourceArn: api.executionArn.apply((arn) => methodSourceArn(arn, route)),
        },
        { parent: this },
      );
      readyForTraffic.push(permission);
    }

    const deployment = new aws.apigateway.Deployment(
      `${name}-deployment`,
      {
        restApi: api.id,
        description: "Replaced whenever the OpenAPI document changes",
        // A new hash forces a new deployment; the stage then moves to it.
        triggers: { openapi: body.apply((text) => createHash("sha256").update(text).digest("hex")) },
      },
      { parent: this },
    );

    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays }, { parent: this });

    let account: aws.apigateway.Account | undefined;
    if (accountLogRole === "this-stack") {
      // One setting per account and region, shared by every REST API there. Deleting it (provider
      // v7) resets it and turns access logging off for all of them (terraform-provider-aws PR
      // #42226), so `pulumi destroy` leaves the setting, and the role it points at, in place.
      const keep = { parent: this, retainOnDelete: true };
      const logsRole = new aws.iam.Role(
        `${name}-apigw-logs-role`,
        { assumeRolePolicy: API_GATEWAY_ASSUME_ROLE, description: "API Gateway account logging (kept on destroy)" },
        keep,
      );
      const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-apigw-logs-policy`,
        { role: logsRole.name, policyArn: API_GATEWAY_LOGS_POLICY_ARN },
        keep,
      );
      // The account setting is only valid once the role carries its policy.
      account = new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: logsRole.arn }, { ...keep, dependsOn: [attachment] });
    }

    const stage = new aws.apigateway.Stage(
      `${name}-stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        // API Gateway's segment and the function's join in one trace: time in the gateway (authorizer,
        // validation), Lambda's init and the invocation. DynamoDB calls show inside the invocation,
        // not as subsegments of their own (that would need the X-Ray SDK in every archive).
        xrayTracingEnabled: true,
      },
      {
        parent: this,
        // Access logging fails until the account has its CloudWatch role; and the API goes live
        // only once every function has its log group, its role policy and API Gateway's
        // permission to invoke it.
        dependsOn: [...(account ? [account] : []), ...readyForTraffic],
      },
    );

    new aws.apigateway.MethodSettings(
      `${name}-method-settings`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        // `*/*` applies the limits to each method separately: every route gets its own rate and
        // burst, shared by all clients (the per-client limit is StaticSite's WAF rule).
        methodPath: "*/*",
        settings: {
          metricsEnabled: detailedMetrics,
          throttlingRateLimit: rateLimit,
          throttlingBurstLimit: burstLimit,
          loggingLevel: "OFF",
          dataTraceEnabled: false,
        },
      },
      { parent: this },
    );

    // The front door. Every method requires this key (openapi.ts) besides the ID token, and only
    // CloudFront knows it: StaticSite adds it to each /api request as an origin custom header (a
    // viewer's own x-api-key is overwritten, CloudFront developer guide "Adding custom headers to
    // origin requests"). A call straight to the stage's execute-api URL carries no key and is
    // refused 403 by API Gateway itself, after the authorizer and before validation and Lambda,
    // so it costs no invocation; WAF on CloudFront can no longer be walked around. The value is
    // generated by API Gateway and kept as a secret in the stack's state. Keys cost nothing; the
    // usage plan sets no throttle of its own (the stage's per-method limits stay the ones that apply).
    const edgeKey = new aws.apigateway.ApiKey(
      `${name}-edge-key`,
      { description: "tasklane: CloudFront's origin header; the API answers only requests that carry it", enabled: true },
      { parent: this, additionalSecretOutputs: ["value"] },
    );
    const plan = new aws.apigateway.UsagePlan(
      `${name}-edge-plan`,
      { description: "tasklane: the front door's key on this stage", apiStages: [{ apiId: api.id, stage: stage.stageName }] },
      { parent: this },
    );
    new aws.apigateway.UsagePlanKey(
      `${name}-edge-plan-key`,
      { keyId: edgeKey.id, keyType: "API_KEY", usagePlanId: plan.id },
      { parent: this },
    );

    this.restApiId = api.id;
    this.originKey = pulumi.secret(edgeKey.value);
    this.restApiName = api.name;
    this.stageName = stage.stageName;
    this.originDomain = pulumi.interpolate`${api.id}.execute-api.${args.region}.amazonaws.com`;
    this.functionNames = functionNames;
    this.registerOutputs({
      restApiId: this.restApiId,
      restApiName: this.restApiName,
      stageName: this.stageName,
      originDomain: this.originDomain,
      functionNames: this.functionNames,
    });
  }
}
