/**
 * Monitoring: alarms per function, API and table; the SNS topic; the dashboard. The dev stack has
 * the API's alarms only and no dashboard (its settings); `full` and `lean` below are Monitoring
 * with every alarm and a dashboard, with and without API Gateway's per-method metrics.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { dynamoOperations, Monitoring } from "../../components/monitoring";
import { readSettings } from "../../components/settings";
import { routes } from "../../handlers/routes";
import { named, ofType, runProgram, settle, type Recorded } from "../../dev/pulumi-mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("Monitoring", () => {
  let alarms: Recorded[];
  let outputs: Record<string, unknown>;
  before(async () => {
    outputs = await runProgram();
    alarms = ofType(ALARM).filter((a) => a.name.startsWith("monitoring-"));
    const stackArgs = {
      region: "eu-west-1",
      functionNames: Object.fromEntries(routes.map((r) => [r.name, named("aws:lambda/function:Function", `api-${r.name}`).state.name])),
      functionTimeoutSeconds: 5,
      restApiName: named("aws:apigateway/restApi:RestApi", "api-rest").state.name,
      stageName: "live",
      tableName: String(outputs.tableName),
      monthlyBudgetUsd: 0,
    };
    new Monitoring("full", { ...stackArgs, alarms: "perFunction", dashboard: true, detailedMetrics: true });
    new Monitoring("lean", { ...stackArgs, alarms: "api", dashboard: true, detailedMetrics: false });
    await settle();
  });
  const alarm = (id: string, component = "monitoring") => named(ALARM, `${component}-${id}`).inputs;

  it("in the dev stack (alarms: api) alarms on the API's 5xx rate and p99 latency only, and makes no dashboard", () => {
    expect(alarms.map((a) => a.name).sort()).to.deep.equal(["monitoring-api-5xx-rate", "monitoring-api-latency-p99"]);
    expect(ofType("aws:cloudwatch/dashboard:Dashboard").map((d) => d.name)).to.not.include("monitoring-dashboard");
    // Without a dashboard of its own the output leads to the console's dashboards (CloudWatch's automatic ones).
    expect(outputs.dashboardUrl).to.equal("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:");
  });

  it("with alarms: perFunction, alarms on each function's errors, throttles and p99 duration (80% of its timeout)", () => {
    for (const route of routes) {
      const fnName = named("aws:lambda/function:Function", `api-${route.name}`).state.name;
      expect(alarm(`${route.name}-errors`, "full")).to.deep.include({
        namespace: "AWS/Lambda",
        metricName: "Errors",
        statistic: "Sum",
        threshold: 1,
        dimensions: { FunctionName: fnName },
      });
      expect(alarm(`${route.name}-throttles`, "full")).to.deep.include({
        metricName: "Throttles",
        threshold: 1,
        dimensions: { FunctionName: fnName },
      });
      expect(alarm(`${route.name}-duration-p99`, "full")).to.deep.include({
        metricName: "Duration",
        extendedStatistic: "p99",
        threshold: 4000,
        dimensions: { FunctionName: fnName },
      });
    }
  });

  it("alarms on the API's 5xx rate and p99 latency for its stage", () => {
    const rate = alarm("api-5xx-rate");
    const metrics = rate.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric);
    expect(metrics.map((m: any) => m.metricName).sort()).to.deep.equal(["5XXError", "Count"]);
    for (const m of metrics)
      expect(m.dimensions).to.deep.equal({ ApiName: named("aws:apigateway/restApi:RestApi", "api-rest").state.name, Stage: "live" });
    expect(rate.metricQueries.find((q: any) => q.returnData).expression).to.match(/errors \/ requests/);
    expect(rate.threshold).to.be.within(0, 1);
    expect(alarm("api-latency-p99")).to.deep.include({ namespace: "AWS/ApiGateway", metricName: "Latency", extendedStatistic: "p99" });
  });

  it("with alarms: perFunction, alarms on DynamoDB throttled requests and system errors over every operation the routes use", () => {
    const operations = dynamoOperations(routes);
    expect(operations).to.include.members(["PutItem", "Query", "BatchWriteItem"]);
    for (const [id, metricName] of [
      ["table-throttles", "ThrottledRequests"],
      ["table-system-errors", "SystemErrors"],
    ]) {
      const queries = alarm(id, "full").metricQueries;
      const metrics = queries.filter((q: any) => q.metric).map((q: any) => q.metric);
      expect(metrics.map((m: any) => m.dimensions.Operation).sort()).to.deep.equal(operations);
      for (const m of metrics)
        expect(m).to.deep.include({ namespace: "AWS/DynamoDB", metricName, dimensions: { ...m.dimensions, TableName: outputs.tableName } });
      expect(queries.find((q: any) => q.returnData).expression).to.match(/^SUM\(\[m0(,m\d+)*\]\)$/);
    }
  });

  it("sends every alarm (and its recovery) to the SNS topic; no e-mail subscription unless configured", () => {
    for (const component of ["monitoring", "full"]) {
      const topic = named("aws:sns/topic:Topic", `${component}-alarms`);
      const mine = ofType(ALARM).filter((a) => a.name.startsWith(`${component}-`));
      expect(mine).to.have.length(component === "full" ? routes.length * 3 + 4 : 2);
      for (const a of mine) {
        expect(a.inputs.alarmActions, a.name).to.deep.equal([topic.state.arn]);
        expect(a.inputs.okActions, a.name).to.deep.equal([topic.state.arn]);
      }
    }
    expect(ofType("aws:sns/topicSubscription:TopicSubscription")).to.be.empty; // the dev stack sets no alarmEmail
  });

  it("keeps every metric-math alarm within CloudWatch's 10 metrics (a hard limit)", () => {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
    for (const a of ofType(ALARM)) {
      const metrics = ((a.inputs.metricQueries ?? []) as { metric?: unknown }[]).filter((q) => q.metric);
      expect(metrics.length, a.name).to.be.at.most(10);
    }
  });

  it("refuses an alarm set it does not know", () => {
    expect(
      () =>
        new Monitoring("bad-alarms", {
          region: "eu-west-1",
          functionNames: Object.fromEntries(routes.map((r) => [r.name, r.name])),
          functionTimeoutSeconds: 5,
          restApiName: "api",
          stageName: "live",
          tableName: "table",
          alarms: "aggregated",
        }),
    ).to.throw(/alarms must be one of perFunction, api, not aggregated/);
  });

  it("lets only this account's CloudWatch alarms and AWS Budgets publish to the topic", () => {
    const topic = named("aws:sns/topic:Topic", "monitoring-alarms");
    const policy = named("aws:sns/topicPolicy:TopicPolicy", "monitoring-alarms-policy");
    expect(policy.inputs.arn).to.equal(topic.state.arn);
    const statements = JSON.parse(policy.inputs.policy).Statement as any[];
    expect(statements.map((s) => s.Principal)).to.deep.equal([
      { Service: "cloudwatch.amazonaws.com" },
      { Service: "budgets.amazonaws.com" },
    ]);
    for (const statement of statements) {
      expect(statement).to.deep.include({ Effect: "Allow", Action: "SNS:Publish", Resource: topic.state.arn });
      expect(statement.Condition.StringEquals).to.deep.equal({ "aws:SourceAccount": "123456789012" });
    }
    expect(statements[0].Condition.ArnLike).to.deep.equal({ "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" });
  });

  it("keeps a monthly cost budget in USD: alerts at 80 % of actual and 100 % of forecast spend to the topic", () => {
    const budget = named("aws:budgets/budget:Budget", "monitoring-budget");
    expect(budget.inputs).to.include({ budgetType: "COST", timeUnit: "MONTHLY", limitUnit: "USD" });
    expect(Number(budget.inputs.limitAmount))
      .to.equal(readSettings(new pulumi.Config("tasklane")).monthlyBudgetUsd)
      .and.greaterThan(0);
    const topic = named("aws:sns/topic:Topic", "monitoring-alarms").state.arn;
    expect(budget.inputs.notifications).to.deep.equal([
      {
        notificationType: "ACTUAL",
        threshold: 80,
        thresholdType: "PERCENTAGE",
        comparisonOperator: "GREATER_THAN",
        subscriberSnsTopicArns: [topic],
      },
      {
        notificationType: "FORECASTED",
        threshold: 100,
        thresholdType: "PERCENTAGE",
        comparisonOperator: "GREATER_THAN",
        subscriberSnsTopicArns: [topic],
      },
    ]);
    // Budgets checks the topic's policy when it is created.
    expect(budget.options.dependsOn).to.include(
      "urn:pulumi:test::tasklane::tasklane:index:Monitoring$aws:sns/topicPolicy:TopicPolicy::monitoring-alarms-policy",
    );
  });

  it("with a dashboard: draws requests, errors, p50/p99 latency per route, Lambda duration and concurrency, DynamoDB capacity", () => {
    const dashboard = named("aws:cloudwatch/dashboard:Dashboard", "full-dashboard").inputs;
    const widgets = JSON.parse(dashboard.dashboardBody).widgets as any[];
    const titled = (title: string) => widgets.find((w) => w.properties.title.startsWith(title))?.properties.metrics as any[][];
    expect(titled("Requests")[0].slice(0, 2)).to.deep.equal(["AWS/ApiGateway", "Count"]);
    expect(titled("Errors").map((m) => m[1])).to.include.members(["4XXError", "5XXError", "Errors"]);
    for (const stat of ["p50", "p99"]) {
      const lines = titled(`Latency ${stat} per route`);
      expect(lines.map((m) => `${m[7]} ${m[9]}`).sort()).to.deep.equal(routes.map((r) => `${r.method} ${r.path}`).sort());
      for (const line of lines) expect(line[line.length - 1].stat).to.equal(stat);
    }
    expect(titled("Lambda duration")).to.have.length(routes.length);
    expect(titled("Lambda concurrency").every((m) => m[1] === "ConcurrentExecutions")).to.equal(true);
    expect(titled("DynamoDB consumed capacity").map((m) => m[1])).to.deep.equal([
      "ConsumedReadCapacityUnits",
      "ConsumedWriteCapacityUnits",
    ]);
    expect(dashboard.dashboardName).to.equal("tasklane-test-full");
  });

  it("without per-method metrics (detailedMetrics off) draws the stage's p50/p99 latency instead of each route's", () => {
    const widgets = JSON.parse(named("aws:cloudwatch/dashboard:Dashboard", "lean-dashboard").inputs.dashboardBody).widgets as any[];
    const titles = widgets.map((w) => w.properties.title as string);
    expect(titles.filter((t) => t.includes("per route"))).to.be.empty;
    const latency = widgets.find((w) => w.properties.title === "Latency p50 / p99 (ms)").properties.metrics as any[][];
    expect(latency.map((m) => [m[1], m.at(-1).stat])).to.deep.equal([
      ["Latency", "p50"],
      ["Latency", "p99"],
    ]);
    for (const m of latency) expect(m).to.not.include("Method");
  });
});
