/**
 * Monitoring: CloudWatch alarms, an SNS topic they notify, and optionally a dashboard.
 *
 * Default settings:
 * - `alarms: "perFunction"`, per function: errors (any in 5 minutes), throttles (any), p99
 *   duration above 80 % of its timeout; and the table's throttled requests and system errors,
 *   summed over every operation the routes use (a metric-math alarm; 5 of CloudWatch's 10 metrics)
 * - always, the API: 5xx rate above 1 % of requests (5 minutes, at least one 5xx), p99 latency
 *   above 2 s. `alarms: "api"` keeps only these two, the stack as its clients see it: a function's
 *   error or timeout reaches them as a 5xx (API Gateway answers 502 for a failed Lambda proxy call)
 * - CloudWatch bills an alarm by the metrics it watches, $0.10 a month each, a metric-math alarm
 *   for every metric in it (bench/fixed-cost.ts prices them from the program)
 * - alarms notify an SNS topic (on alarm and on recovery); missing data is "not breaching"
 * - an optional e-mail subscription (the recipient must confirm it)
 * - with `dashboard` ($3 a month): requests, 4xx/5xx, p50/p99 latency (per route with
 *   `detailedMetrics`, API Gateway's per-method metrics; for the stage without), Lambda duration
 *   and concurrency, DynamoDB consumed capacity and throttles
 * - a monthly cost budget (the whole account's bill, in USD): alerts at 80 % of actual and 100 %
 *   of forecast spend, to the same topic (its policy lets only this account's alarms and AWS Budgets publish)
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { routes, type Route } from "../handlers/routes";
import { SETTINGS } from "./settings";

/** The alarm sets `alarms` chooses from (see the file comment). */
export const ALARM_SETS = ["perFunction", "api"] as const;

export interface MonitoringArgs {
  readonly region: string;
  /** Function name by route name. */
  readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
  /** Every function's timeout, in seconds (the p99 duration alarm fires at 80 % of it). */
  readonly functionTimeoutSeconds: number;
  readonly restApiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
  /** Where alarms and budget alerts are e-mailed; empty for none. @default SETTINGS.alarmEmail (none) */
  readonly alarmEmail?: string;
  /** Monthly cost budget in USD; 0 for none. @default SETTINGS.monthlyBudgetUsd */
  readonly monthlyBudgetUsd?: number;
  /** Which alarms: one of ALARM_SETS. @default SETTINGS.alarms */
  readonly alarms?: string;
  /** Make the dashboard. A flag that decides whether a resource exists: a plain boolean. @default SETTINGS.dashboard */
  readonly dashboard?: boolean;
  /** API Gateway sends per-method metrics (TodoApi's `detailedMetrics`): the dashboard draws latency per route. @default SETTINGS.detailedMetrics */
  readonly detailedMetrics?: boolean;
  /** p99 API latency that raises an alarm, in milliseconds. @default 2000 */
  readonly apiLatencyP99Ms?: number;
  /** Share of requests answered 5xx that raises an alarm. @default 0.01 */
  readonly api5xxRate?: number;
}

const PERIOD = 300;

/** DynamoDB operation names (metric dimension) for the routes' IAM actions, e.g. dynamodb:Query -> Query. */
export function dynamoOperations(routes: readonly Route[]): string[] {
  return [...new Set(routes.flatMap((r) => r.actions.map((a) => a.replace(/^dynamodb:/, ""))))].sort();
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  /** The dashboard's name, when there is one. */
  public readonly dashboardName: pulumi.Output<string> | undefined;
  /** The stack's dashboard, or without one the console's dashboards (CloudWatch's automatic ones are there). */
  public readonly dashboardUrl: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    const latencyP99 = args.apiLatencyP99Ms ?? 2000;
    const rate5xx = args.api5xxRate ?? 0.01;
    const email = args.alarmEmail ?? SETTINGS.alarmEmail.default;
    const budgetUsd = args.monthlyBudgetUsd ?? SETTINGS.monthlyBudgetUsd.default;
    const alarmSet = args.alarms ?? SETTINGS.alarms.default;
    const withDashboard = args.dashboard ?? SETTINGS.dashboard.default;
    const perRouteMetrics = args.detailedMetrics ?? SETTINGS.detailedMetrics.default;
    const problems: string[] = [];
    if (!(ALARM_SETS as readonly string[]).includes(alarmSet))
      problems.push(`alarms must be one of ${ALARM_SETS.join(", ")}, not ${alarmSet}`);
    if (!Number.isInteger(budgetUsd) || budgetUsd < 0)
      problems.push(`monthlyBudgetUsd must be a whole number of dollars, 0 for none, not ${budgetUsd}`);
    if (email !== "" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push(`alarmEmail is not an e-mail address: ${email}`);
    if (!(latencyP99 > 0)) problems.push("apiLatencyP99Ms must be positive");
    if (!(rate5xx > 0 && rate5xx < 1)) problems.push("api5xxRate must be between 0 and 1");
    for (const route of routes) if (!(route.name in args.functionNames)) problems.push(`no function for route ${route.name}`);
    if (problems.length > 0) throw new Error(`Monitoring ${name}: ${problems.join("; ")}`);
    super("tasklane:index:Monitoring", name, {}, opts);

    const topic = new aws.sns.Topic(`${name}-alarms`, { displayName: "tasklane alarms" }, { parent: this });
    if (email !== "") {
      new aws.sns.TopicSubscription(`${name}-alarm-email`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: this });
    }
    // The topic's own policy replaces SNS's default one, so it names both services that publish:
    // CloudWatch alarms of this account and region, and AWS Budgets for this account (Budgets
    // refuses a topic it may not publish to). Each is held to this account (confused deputy).
    const account = topic.arn.apply((arn) => arn.split(":")[4]);
    const topicPolicy = new aws.sns.TopicPolicy(
      `${name}-alarms-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudWatchAlarmsPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "SNS:Publish",
              Resource: topic.arn,
              Condition: {
                StringEquals: { "aws:SourceAccount": account },
                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${args.region}:${account}:alarm:*` },
              },
            },
            {
              Sid: "BudgetsPublish",
              Effect: "Allow",
              Principal: { Service: "budgets.amazonaws.com" },
              Action: "SNS:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
          ],
        }),
      },
      { parent: this },
    );
    if (budgetUsd > 0) {
      const alert = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
        notificationType,
        threshold,
        thresholdType: "PERCENTAGE",
        comparisonOperator: "GREATER_THAN",
        subscriberSnsTopicArns: [topic.arn],
      });
      new aws.budgets.Budget(
        `${name}-budget`,
        {
          budgetType: "COST",
          timeUnit: "MONTHLY",
          limitAmount: budgetUsd.toFixed(1),
          limitUnit: "USD",
          notifications: [alert("ACTUAL", 80), alert("FORECASTED", 100)],
        },
        // Budgets checks at creation that it may publish to the topic.
        { parent: this, dependsOn: [topicPolicy] },
      );
    }

    const notify = { alarmActions: [topic.arn], okActions: [topic.arn], treatMissingData: "notBreaching" };
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    const alarm = (id: string, alarmArgs: aws.cloudwatch.MetricAlarmArgs) => {
      alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-${id}`, { ...notify, ...alarmArgs }, { parent: this }));
    };

    for (const route of alarmSet === "perFunction" ? routes : []) {
      const dimensions = { FunctionName: args.functionNames[route.name] };
      const lambda = { namespace: "AWS/Lambda", dimensions, period: PERIOD, evaluationPeriods: 1 };
      alarm(`${route.name}-errors`, {
        ...lambda,
        alarmDescription: `${route.name}: the function failed (an uncaught error or a timeout)`,
        metricName: "Errors",
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
      });
      alarm(`${route.name}-throttles`, {
        ...lambda,
        alarmDescription: `${route.name}: invocations were throttled (concurrency limit)`,
        metricName: "Throttles",
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
      });
      alarm(`${route.name}-duration-p99`, {
        ...lambda,
        alarmDescription: `${route.name}: p99 duration is above 80% of the ${args.functionTimeoutSeconds} s timeout`,
        metricName: "Duration",
        extendedStatistic: "p99",
        comparisonOperator: "GreaterThanThreshold",
        threshold: args.functionTimeoutSeconds * 1000 * 0.8,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
    }

    const apiDimensions = { ApiName: args.restApiName, Stage: args.stageName };
    alarm("api-5xx-rate", {
      alarmDescription: `API: more than ${rate5xx * 100}% of requests answered 5xx`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: rate5xx,
      evaluationPeriods: 1,
      metricQueries: [
        {
          id: "errors",
          metric: { namespace: "AWS/ApiGateway", metricName: "5XXError", dimensions: apiDimensions, period: PERIOD, stat: "Sum" },
        },
        {
          id: "requests",
          metric: { namespace: "AWS/ApiGateway", metricName: "Count", dimensions: apiDimensions, period: PERIOD, stat: "Sum" },
        },
        { id: "rate", expression: "IF(requests > 0 AND errors > 0, errors / requests, 0)", label: "5xx rate", returnData: true },
      ],
    });
    alarm("api-latency-p99", {
      alarmDescription: `API: p99 latency above ${latencyP99} ms`,
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: apiDimensions,
      extendedStatistic: "p99",
      period: PERIOD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanThreshold",
      threshold: latencyP99,
    });

    const operations = dynamoOperations(routes);
    const tableSum = (metricName: string) => [
      ...operations.map((operation, i) => ({
        id: `m${i}`,
        metric: {
          namespace: "AWS/DynamoDB",
          metricName,
          dimensions: { TableName: args.tableName, Operation: operation },
          period: PERIOD,
          stat: "Sum",
        },
      })),
      {
        id: "total",
        expression: `SUM([${operations.map((_, i) => `m${i}`).join(",")}])`,
        label: `${metricName} (all operations)`,
        returnData: true,
      },
    ];
    if (alarmSet === "perFunction") {
      alarm("table-throttles", {
        alarmDescription: "DynamoDB: requests were throttled",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        metricQueries: tableSum("ThrottledRequests"),
      });
      alarm("table-system-errors", {
        alarmDescription: "DynamoDB: requests failed with a 500 (system error)",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        metricQueries: tableSum("SystemErrors"),
      });
    }

    const consoleUrl = `https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:`;
    let dashboard: aws.cloudwatch.Dashboard | undefined;
    if (withDashboard) {
      const body = pulumi
        .all([
          pulumi.output(args.restApiName),
          pulumi.output(args.stageName),
          pulumi.output(args.tableName),
          pulumi.all(args.functionNames),
        ])
        .apply(([apiName, stage, table, functions]) =>
          JSON.stringify(dashboardBody(args.region, routes, apiName, stage, table, functions, perRouteMetrics)),
        );
      // Dashboards have no auto-naming: project and stack in the name keep stacks apart.
      dashboard = new aws.cloudwatch.Dashboard(
        `${name}-dashboard`,
        { dashboardName: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`, dashboardBody: body },
        { parent: this },
      );
    }

    this.topicArn = topic.arn;
    this.dashboardName = dashboard?.dashboardName;
    this.dashboardUrl = dashboard ? pulumi.interpolate`${consoleUrl}name=${dashboard.dashboardName}` : pulumi.output(consoleUrl);
    this.alarmNames = alarms.map((a) => a.name);
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
  }
}

type Widget = Record<string, unknown>;

/**
 * The dashboard, as CloudWatch's JSON: plain values in, so the tests read it directly. Latency per
 * route needs API Gateway's per-method metrics (`perRouteMetrics`); without them, the stage's.
 */
export function dashboardBody(
  region: string,
  routes: readonly Route[],
  apiName: string,
  stage: string,
  table: string,
  functions: Readonly<Record<string, string>>,
  perRouteMetrics: boolean,
): { widgets: Widget[] } {
  const api = ["ApiName", apiName, "Stage", stage];
  const metric = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}): Widget => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region, metrics, period: 60, view: "timeSeries", stacked: false, ...extra },
  });
  const perRoute = (stat: string) =>
    routes.map((r) => [
      "AWS/ApiGateway",
      "Latency",
      ...api,
      "Method",
      r.method,
      "Resource",
      r.path,
      { stat, label: `${r.method} ${r.path} ${stat}` },
    ]);
  const perFunction = (metricName: string, stat: string) =>
    routes.map((r) => ["AWS/Lambda", metricName, "FunctionName", functions[r.name], { stat, label: r.name }]);
  return {
    widgets: [
      metric("Requests", [["AWS/ApiGateway", "Count", ...api, { stat: "Sum", label: "requests" }]]),
      metric("Errors", [
        ["AWS/ApiGateway", "4XXError", ...api, { stat: "Sum", label: "4xx" }],
        ["AWS/ApiGateway", "5XXError", ...api, { stat: "Sum", label: "5xx" }],
        ...routes.map((r) => ["AWS/Lambda", "Errors", "FunctionName", functions[r.name], { stat: "Sum", label: `${r.name} errors` }]),
      ]),
      ...(perRouteMetrics
        ? [metric("Latency p50 per route (ms)", perRoute("p50")), metric("Latency p99 per route (ms)", perRoute("p99"))]
        : [
            metric(
              "Latency p50 / p99 (ms)",
              ["p50", "p99"].map((stat) => ["AWS/ApiGateway", "Latency", ...api, { stat, label: `latency ${stat}` }]),
            ),
          ]),
      metric("Lambda duration p99 (ms)", perFunction("Duration", "p99")),
      metric("Lambda concurrency (max)", perFunction("ConcurrentExecutions", "Maximum")),
      metric("DynamoDB consumed capacity", [
        ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table, { stat: "Sum", label: "read units" }],
        ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table, { stat: "Sum", label: "write units" }],
      ]),
      metric("DynamoDB throttle events", [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", table, { stat: "Sum", label: "read throttle events" }],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", table, { stat: "Sum", label: "write throttle events" }],
      ]),
    ],
  };
}
