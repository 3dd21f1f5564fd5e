/** Monitoring: alarms per function, API and table; the SNS topic; the dashboard. */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { dynamoOperations } from "../../components/monitoring";
import { readSettings } from "../../components/settings";
import { routes } from "../../handlers/routes";
import { named, ofType, runProgram, type Recorded } from "../../dev/pulumi-mocks";

describe("Monitoring", () => {
  let alarms: Recorded[];
  let outputs: Record<string, unknown>;
  before(async () => {
    outputs = await runProgram();
    alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("monitoring-"));
  });
  const alarm = (id: string) => named("aws:cloudwatch/metricAlarm:MetricAlarm", `monitoring-${id}`).inputs;

  it("alarms on each function's errors, throttles and p99 duration (80% of its timeout)", () => {
    for (const route of routes) {
      const fnName = named("aws:lambda/function:Function", `api-${route.name}`).state.name;
      expect(alarm(`${route.name}-errors`)).to.deep.include({
        namespace: "AWS/Lambda",
        metricName: "Errors",
        statistic: "Sum",
        threshold: 1,
        dimensions: { FunctionName: fnName },
      });
      expect(alarm(`${route.name}-throttles`)).to.deep.include({
        metricName: "Throttles",
        threshold: 1,
        dimensions: { FunctionName: fnName },
      });
      expect(alarm(`${route.name}-duration-p99`)).to.deep.include({
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

  it("alarms on DynamoDB throttled requests and system errors over every operation the routes use", () => {
    const operations = dynamoOperations(routes);
    expect(operations).to.include.members(["PutItem", "Query", "BatchWriteItem"]);
    for (const [id, metricName] of [
      ["table-throttles", "ThrottledRequests"],
      ["table-system-errors", "SystemErrors"],
    ]) {
      const queries = alarm(id).metricQueries;
      const metrics = queries.filter((q: any) => q.metric).map((q: any) => q.metric);
      expect(metrics.map((m: any) => m.dimensions.Operation).sort()).to.deep.equal(operations);
      for (const m of metrics)
        expect(m).to.deep.include({ namespace: "AWS/DynamoDB", metricName, dimensions: { ...m.dimensions, TableName: outputs.tableName } });
      expect(queries.find((q: any) => q.returnData).expression).to.match(/^SUM\(\[m0(,m\d+)*\]\)$/);
    }
  });

  it("sends every alarm (and its recovery) to the SNS topic; no e-mail subscription unless configured", () => {
    const topic = named("aws:sns/topic:Topic", "monitoring-alarms");
    expect(alarms).to.have.length(routes.length * 3 + 4);
    for (const a of alarms) {
      expect(a.inputs.alarmActions, a.name).to.deep.equal([topic.state.arn]);
      expect(a.inputs.okActions, a.name).to.deep.equal([topic.state.arn]);
    }
    expect(ofType("aws:sns/topicSubscription:TopicSubscription")).to.be.empty; // the dev stack sets no alarmEmail
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

  it("draws requests, errors, p50/p99 latency per route, Lambda duration and concurrency, DynamoDB capacity", () => {
    const dashboard = named("aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs;
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
    expect(outputs.dashboardUrl).to.equal(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=${dashboard.dashboardName}`,
    );
  });
});
