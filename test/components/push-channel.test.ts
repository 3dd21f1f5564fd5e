/** PushChannel under the mocks: who may connect, subscribe and publish; the function, its role, the stream, the alarms. */
import { expect } from "chai";
import { ON_SUBSCRIBE_CODE, PUSH_NAMESPACE } from "../../common/push";
import { STREAM_READ_ACTIONS, STREAM_READING } from "../../components/push-channel";
import { STREAM_VIEW_TYPE } from "../../components/todo-table";
import { named, ofType, recorded, runProgram, valueOf } from "../../dev/pulumi-mocks";

const statements = (policy: string) =>
  (JSON.parse(policy) as { Statement: { Sid: string; Action: string | string[]; Resource: unknown }[] }).Statement;

describe("PushChannel", () => {
  let outputs: Record<string, unknown>;
  before(async () => {
    outputs = await runProgram();
  });

  it("the table streams NEW_IMAGE: whose partition changed and which device wrote it (the writer is in the item)", () => {
    const table = ofType("aws:dynamodb/table:Table")[0];
    expect(table.inputs).to.include({ streamEnabled: true, streamViewType: STREAM_VIEW_TYPE });
    expect(STREAM_VIEW_TYPE).to.equal("NEW_IMAGE");
  });

  it("an Event API: Cognito ID tokens of the site's client to connect and subscribe, IAM to publish", () => {
    const api = named("aws:appsync/api:Api", "push-events");
    const config = api.inputs.eventConfig;
    const cognito = config.authProviders.find((p: { authType: string }) => p.authType === "AMAZON_COGNITO_USER_POOLS");
    expect(cognito.cognitoConfig.appIdClientRegex).to.match(/^\^.+\$$/);
    expect(config.connectionAuthModes).to.deep.equal([{ authType: "AMAZON_COGNITO_USER_POOLS" }]);
    expect(config.defaultSubscribeAuthModes).to.deep.equal([{ authType: "AMAZON_COGNITO_USER_POOLS" }]);
    expect(config.defaultPublishAuthModes).to.deep.equal([{ authType: "AWS_IAM" }]);
  });

  it("the pokes namespace runs the onSubscribe rule of common/push.ts, and only IAM publishes there", () => {
    const ns = named("aws:appsync/channelNamespace:ChannelNamespace", "push-pokes");
    expect(ns.inputs).to.include({ name: PUSH_NAMESPACE, codeHandlers: ON_SUBSCRIBE_CODE });
    expect(ns.inputs.publishAuthModes).to.deep.equal([{ authType: "AWS_IAM" }]);
  });

  it("the poke function's role may do exactly: its logs, its traces, read the stream, Query the table (not its index), publish to pokes", () => {
    const policy = statements(named("aws:iam/rolePolicy:RolePolicy", "push-poke-policy").inputs.policy);
    expect(policy.map((s) => s.Sid)).to.deep.equal(["WriteOwnLogs", "ReadTableStream", "QueryMembers", "PublishPokes", "XRayWrite"]);
    const table = ofType("aws:dynamodb/table:Table")[0];
    expect(policy[1]).to.deep.include({ Action: STREAM_READ_ACTIONS, Resource: table.state.streamArn });
    expect(policy[2]).to.deep.include({ Action: ["dynamodb:Query"], Resource: table.state.arn });
    expect(String(policy[2].Resource)).to.match(/^arn:aws:dynamodb:[^:]+:\d+:table\/[^/]+$/);
    expect(policy[3].Action).to.equal("appsync:EventPublish");
    expect(policy[3].Resource).to.equal(named("aws:appsync/channelNamespace:ChannelNamespace", "push-pokes").state.channelNamespaceArn);
    expect(String(policy[3].Resource)).to.match(/^arn:aws:appsync:.*:apis\/[a-z0-9]+\/channelNamespace\/pokes$/);
  });

  it("the poke function's archive reads the table by name from its closure, with the runtime's SDK (required by package name)", async () => {
    const fn = named("aws:lambda/function:Function", "push-poke");
    const assets = (await fn.inputs.code.assets) as Record<string, { text: Promise<string> }>;
    const indexJs = await assets["__index.js"].text;
    expect(indexJs).to.include(JSON.stringify(ofType("aws:dynamodb/table:Table")[0].state.name));
    expect(indexJs).to.match(/require\("@aws-sdk\/lib-dynamodb"\)/);
    expect(indexJs).to.include("begins_with(#sk, :member)");
    for (const [, name] of indexJs.matchAll(/require\("([^"]+)"\)/g)) expect(name).to.match(/^(@aws-sdk\/[a-z-]+|node:[a-z_/]+|[a-z_]+)$/);
  });

  it("the function is traced, on arm64, logs to its own group; the mapping reads the stream in large, unbatched-window batches", () => {
    const fn = named("aws:lambda/function:Function", "push-poke");
    expect(fn.inputs).to.deep.include({ runtime: "nodejs24.x", architectures: ["arm64"], tracingConfig: { mode: "Active" } });
    expect(fn.inputs.loggingConfig.logGroup).to.equal(named("aws:cloudwatch/logGroup:LogGroup", "push-poke-logs").state.name);
    const mapping = named("aws:lambda/eventSourceMapping:EventSourceMapping", "push-stream");
    expect(mapping.inputs).to.deep.include({ ...STREAM_READING, eventSourceArn: ofType("aws:dynamodb/table:Table")[0].state.streamArn });
  });

  it("alarms on the function's errors and on late pokes, to the stack's topic", () => {
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("push-"));
    expect(alarms.map((a) => a.inputs.metricName).sort()).to.deep.equal(["Errors", "IteratorAge"]);
    const topic = ofType("aws:sns/topic:Topic")[0];
    for (const a of alarms) expect(a.inputs.alarmActions).to.deep.equal([topic.state.arn]);
  });

  it("exports where devices connect", async () => {
    expect(await valueOf(outputs.pushRealtimeDomain as string)).to.match(/appsync-realtime-api/);
    expect(await valueOf(outputs.pushHttpDomain as string)).to.match(/appsync-api/);
    expect(recorded.length).to.be.greaterThan(0);
  });
});
