/**
 * One Lambda function as this program makes every one (TodoApi's routes, PushChannel's poke), in
 * the order AWS accepts on a first `pulumi up`:
 * 1. its own role (never CallbackFunction's default, which attaches FullAccess policies);
 * 2. its own log group with retention, named by Pulumi, not Lambda's /aws/lambda/<name> (which
 *    would need the function first); Lambda writes there through `loggingConfig.logGroup` (Lambda
 *    developer guide, "Configuring CloudWatch log groups": a custom name must not begin with aws/);
 * 3. its role policy: its own log group, X-Ray's two write actions, and the caller's statements;
 * 4. the function (Node.js 24, arm64, JSON logs, Active tracing, the AWS SDK left out of the
 *    archive), after the policy: CreateFunction with Active tracing refuses a role that cannot
 *    call xray:PutTraceSegments yet (serverless/serverless#6931, coinbase/fenrir#1; rule
 *    "xray-grant-before-traced-function" in dev/deploy-rules.ts).
 * Whatever invokes it (an invoke permission, an event source mapping) depends on the function,
 * and so on its log group (rule "log-group-before-invocation").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const LAMBDA_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * What an actively traced function sends to X-Ray. Both actions are account-level: X-Ray defines
 * no resource type for them (Service Authorization Reference, "Actions defined by AWS X-Ray"), so
 * IAM accepts them only on `"Resource": "*"`. They write trace data and read nothing. Lambda
 * samples requests itself, so the functions need no xray:GetSampling* either.
 */
export const XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/**
 * Packages the AWS SDK v3 that the Lambda runtime already provides: every `@aws-sdk/*` entry of
 * package.json's dependencies. CallbackFunction would otherwise copy them (~20 MiB) into each archive.
 */
export function runtimeProvidedPackages(packageJsonPath = join(process.cwd(), "package.json")): string[] {
  const pkg = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {}).filter((name) => name.startsWith("@aws-sdk/"));
}

export interface TracedFunctionArgs<E, R> {
  /** The role's description (what the function is for). */
  readonly roleDescription: string;
  readonly description: string;
  readonly callbackFactory: aws.lambda.CallbackFactory<E, R>;
  readonly memorySize: number;
  readonly timeout: number;
  readonly retentionInDays: number;
  /** What the function may do besides writing its logs and traces. */
  readonly statements: pulumi.Input<Record<string, unknown>>[];
}

export interface TracedFunction<E, R> {
  readonly fn: aws.lambda.CallbackFunction<E, R>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly policy: aws.iam.RolePolicy;
}

/** The function `id` with its role `<id>-role`, log group `<id>-logs` and policy `<id>-policy`. */
let sdkPackages: readonly string[] | undefined;

export function tracedFunction<E, R>(id: string, args: TracedFunctionArgs<E, R>, parent: pulumi.Resource): TracedFunction<E, R> {
  sdkPackages ??= runtimeProvidedPackages();
  const role = new aws.iam.Role(`${id}-role`, { assumeRolePolicy: LAMBDA_ASSUME_ROLE, description: args.roleDescription }, { parent });
  const logGroup = new aws.cloudwatch.LogGroup(`${id}-logs`, { retentionInDays: args.retentionInDays }, { parent });
  const policy = new aws.iam.RolePolicy(
    `${id}-policy`,
    {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${logGroup.arn}:*`,
          },
          ...args.statements,
          // "*" because X-Ray has no resources to name (see XRAY_WRITE_ACTIONS).
          { Sid: "XRayWrite", Effect: "Allow", Action: [...XRAY_WRITE_ACTIONS], Resource: "*" },
        ],
      }),
    },
    { parent },
  );
  const fn = new aws.lambda.CallbackFunction<E, R>(
    id,
    {
      description: args.description.slice(0, 256),
      callbackFactory: args.callbackFactory,
      runtime: aws.lambda.Runtime.NodeJS24dX,
      architectures: ["arm64"],
      memorySize: args.memorySize,
      timeout: args.timeout,
      role: role.arn,
      tracingConfig: { mode: "Active" },
      // INFO keeps Lambda's platform.report line (duration, memory, init time) in the log.
      loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO", logGroup: logGroup.name },
      // A fresh list per function: CallbackFunction appends to the list it is given.
      codePathOptions: { extraExcludePackages: [...sdkPackages] },
    },
    // The X-Ray grant before the function (see the file comment).
    { parent, dependsOn: [policy] },
  );
  return { fn, logGroup, policy };
}
