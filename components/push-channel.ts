/**
 * PushChannel: every device of every person who can see a change hears of it within a second
 * (issue 18). The table's stream feeds a function that pokes each person's channel on an
 * AppSync Events API; the device then pulls the change feed (STYLE.md "Push: poke, then pull").
 *
 * Default settings:
 * - an AppSync Event API: connecting and subscribing need an ID token of the stack's user pool
 *   and app client (AMAZON_COGNITO_USER_POOLS, `appIdClientRegex` pinned to the client);
 *   publishing needs IAM (AWS_IAM), so no browser can publish
 * - one channel namespace, `pokes` (common/push.ts), whose onSubscribe handler refuses any
 *   channel but `/pokes/<the caller's sub>` (ON_SUBSCRIBE_CODE): the service refuses another
 *   person's channel, the client filters nothing
 * - the poke function (an `aws.lambda.CallbackFunction`, Node.js 24, arm64, JSON logs, Active
 *   tracing) with its own log group and retention, made before it; its own role allowed exactly:
 *   write that group, send its traces, read the table's stream, Query the table (a changed
 *   list's members: handlers/store-audience.ts; the table's ARN only, not its index, no writes),
 *   publish to the `pokes` namespace. The table's name reaches it in its closure, as the routes'
 *   functions get theirs (handlers/lambda.ts `DeployedValue`)
 * - an event source mapping from the stream, made after the role may read the stream and after
 *   the log group exists; batches of up to 1,000 changes with no batching window (latency first),
 *   coalesced to one poke per person; a failed batch retried twice and dropped once a minute
 *   old (a late poke is worth nothing: the device's pull on reconnect or focus catches up)
 * - alarms to the stack's topic: the function's errors (a failed publish fails the invocation)
 *   and the stream's iterator age (pokes running late); 2 alarm metrics, $0.20 a month. These
 *   cover every delivery failure on our side: the function's publishes are the only requests to
 *   the Event API's HTTP endpoint, whose `4XXError`/`5XXError` metrics (dimension EventAPIId;
 *   AppSync Events developer guide, "CloudWatch metrics"
 *   https://docs.aws.amazon.com/appsync/latest/eventapi/cw-metrics.html) would count the same
 *   refusals the Errors alarm already fires on; a failed members Query fails the invocation
 *   too; a batch dropped after its retries failed them first; throttling shows as iterator
 *   age. The namespace's handler metrics (DroppedEvents, FailedEvents) concern onPublish
 *   handlers, which `pokes` has none of. AppSync's own delivery to sockets is not alarmed on:
 *   a device that missed a poke catches up with its pull on reconnect or focus
 * - idle, nothing else is billed: AppSync Events bills operations and connection-minutes
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ON_SUBSCRIBE_CODE, PUSH_NAMESPACE } from "../common/push";
import { pokeFactory } from "../handlers/poke-lambda";
import { AUDIENCE_ACTIONS } from "../handlers/store-audience";
import { tracedFunction } from "./lambda-function";
import { LOG_RETENTION_DAYS } from "./todo-api";
import { SETTINGS } from "./settings";

export interface PushChannelArgs {
  /** The table's stream (TodoTable.streamArn). */
  readonly streamArn: pulumi.Input<string>;
  /** The table (TodoTable.tableName, tableArn): the function Queries a changed list's members. */
  readonly tableName: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  readonly userPoolId: pulumi.Input<string>;
  /** The app client whose ID tokens may connect (the `aud` claim). */
  readonly userPoolClientId: pulumi.Input<string>;
  readonly region: string;
  /** Where the alarms go (Monitoring's topic). */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Days CloudWatch keeps the function's logs. @default SETTINGS.logRetentionDays */
  readonly logRetentionDays?: number;
  /** Stream age, in seconds, above which pokes count as late. @default 30 */
  readonly lateAfterSeconds?: number;
}

/** How the poke function reads the stream (see the file comment). */
export const STREAM_READING = {
  batchSize: 1000,
  maximumBatchingWindowInSeconds: 0,
  maximumRetryAttempts: 2,
  // The least Lambda accepts for a stream (60 s), and as old as a poke is still worth sending.
  maximumRecordAgeInSeconds: 60,
  // A failure is AppSync's, not a record's: halving the batch would only poke the same people again.
  bisectBatchOnFunctionError: false,
  startingPosition: "LATEST",
} as const;

/** What Lambda's event source mapping needs the role to do on a DynamoDB stream. */
export const STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

/** A regular expression that matches exactly one client id (ids are alphanumeric; escaped anyway). */
const exactly = (id: string) => `^${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

export class PushChannel extends pulumi.ComponentResource {
  /** Where devices connect: wss://<realtimeDomain>/event/realtime. */
  public readonly realtimeDomain: pulumi.Output<string>;
  /** The `host` devices put in their authorization headers; where the function publishes. */
  public readonly httpDomain: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: PushChannelArgs, opts?: pulumi.ComponentResourceOptions) {
    const retentionInDays = args.logRetentionDays ?? SETTINGS.logRetentionDays.default;
    const lateAfterSeconds = args.lateAfterSeconds ?? 30;
    const problems: string[] = [];
    if (!LOG_RETENTION_DAYS.includes(retentionInDays)) problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
    if (!(lateAfterSeconds >= 1 && lateAfterSeconds < STREAM_READING.maximumRecordAgeInSeconds))
      problems.push(`lateAfterSeconds must be 1 to ${STREAM_READING.maximumRecordAgeInSeconds - 1}`);
    if (problems.length > 0) throw new Error(`PushChannel ${name}: ${problems.join("; ")}`);
    super("tasklane:index:PushChannel", name, {}, opts);

    const cognito = {
      authType: "AMAZON_COGNITO_USER_POOLS",
      cognitoConfig: {
        awsRegion: args.region,
        userPoolId: args.userPoolId,
        // Only the site's app client: the pool may have others (Cognito's own check pins nothing).
        appIdClientRegex: pulumi.output(args.userPoolClientId).apply(exactly),
      },
    };
    const api = new aws.appsync.Api(
      `${name}-events`,
      {
        eventConfig: {
          authProviders: [cognito, { authType: "AWS_IAM" }],
          connectionAuthModes: [{ authType: "AMAZON_COGNITO_USER_POOLS" }],
          defaultSubscribeAuthModes: [{ authType: "AMAZON_COGNITO_USER_POOLS" }],
          defaultPublishAuthModes: [{ authType: "AWS_IAM" }],
        },
      },
      { parent: this },
    );
    const namespace = new aws.appsync.ChannelNamespace(
      `${name}-pokes`,
      {
        apiId: api.apiId,
        name: PUSH_NAMESPACE,
        subscribeAuthModes: [{ authType: "AMAZON_COGNITO_USER_POOLS" }],
        publishAuthModes: [{ authType: "AWS_IAM" }],
        codeHandlers: ON_SUBSCRIBE_CODE,
      },
      { parent: this },
    );
    const httpDomain = api.dns.apply((dns) => dns.HTTP);

    // Its role, log group and policy first, the function after them (components/lambda-function.ts).
    const { fn, logGroup, policy } = tracedFunction(
      `${name}-poke`,
      {
        roleDescription: "tasklane pokes",
        description: "tasklane: pokes the channel of everyone a batch of table changes concerns",
        callbackFactory: pokeFactory(httpDomain, pulumi.output(args.tableName)),
        memorySize: 256,
        // A batch's publishes run 16 at a time, each a few ms to tens of ms.
        timeout: 30,
        retentionInDays,
        statements: [
          // AWS's own example names the stream for all four (DynamoDB developer guide, "IAM
          // policy to allow an AWS Lambda function to access DynamoDB stream records").
          { Sid: "ReadTableStream", Effect: "Allow", Action: STREAM_READ_ACTIONS, Resource: args.streamArn },
          // A list's members: Query on the table itself. An index is a resource of its own,
          // `<table ARN>/index/<name>`, which this ARN does not cover (DynamoDB developer guide,
          // "IAM policy to grant access to a specific DynamoDB table and its indexes" lists both
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html).
          { Sid: "QueryMembers", Effect: "Allow", Action: [...AUDIENCE_ACTIONS], Resource: args.tableArn },
          // Publish only, only to `pokes` (AppSync Events: appsync:EventPublish on the namespace's ARN).
          { Sid: "PublishPokes", Effect: "Allow", Action: "appsync:EventPublish", Resource: namespace.channelNamespaceArn },
        ],
      },
      this,
    );

    new aws.lambda.EventSourceMapping(
      `${name}-stream`,
      { eventSourceArn: args.streamArn, functionName: fn.name, enabled: true, ...STREAM_READING },
      {
        parent: this,
        // CreateEventSourceMapping checks that the role can read the stream ("Cannot access
        // stream … Please ensure the role can perform the GetRecords, GetShardIterator,
        // DescribeStream, and ListStreams Actions on your stream in IAM"; serverless/serverless#3997),
        // and the first batch's logs need the group: rules "stream-read-grant-before-event-source-mapping"
        // and "log-group-before-invocation".
        dependsOn: [policy, logGroup],
      },
    );

    const alarm = (id: string, description: string, metric: Partial<aws.cloudwatch.MetricAlarmArgs>) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${id}`,
        {
          alarmDescription: description,
          namespace: "AWS/Lambda",
          dimensions: { FunctionName: fn.name },
          period: 60,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [args.alarmTopicArn],
          okActions: [args.alarmTopicArn],
          ...metric,
        },
        { parent: this },
      );
    alarm(
      "poke-errors",
      "Pokes failed: AppSync refused a publish, the members Query failed, or the function failed (devices see changes late)",
      {
        metricName: "Errors",
        statistic: "Sum",
        period: 300,
        threshold: 1,
      },
    );
    // Lambda's IteratorAge: how old the last record of a batch was when the function got it.
    alarm("poke-late", `Pokes run more than ${lateAfterSeconds} s behind the table's changes`, {
      metricName: "IteratorAge",
      statistic: "Maximum",
      threshold: lateAfterSeconds * 1000,
      evaluationPeriods: 2,
    });

    this.realtimeDomain = api.dns.apply((dns) => dns.REALTIME);
    this.httpDomain = httpDomain;
    this.functionName = fn.name;
    this.registerOutputs({ realtimeDomain: this.realtimeDomain, httpDomain: this.httpDomain, functionName: this.functionName });
  }
}
