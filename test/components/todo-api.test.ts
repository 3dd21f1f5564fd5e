/** TodoApi: one function per route with its own log group and role; the REST API's stage. */
import { createHash } from "node:crypto";
import { expect } from "chai";
import { ACCESS_LOG_FORMAT, API_GATEWAY_LOGS_POLICY_ARN, MINIMUM_COMPRESSION_BYTES, TodoApi } from "../../components/todo-api";
import { XRAY_WRITE_ACTIONS } from "../../components/lambda-function";
import { routes } from "../../handlers/routes";
import { DYNAMODB_ACTIONS } from "../../handlers/store";
import { CHANGES_INDEX } from "../../handlers/table";
import { named, ofType, recorded, runProgram, settle, type Recorded } from "../../dev/pulumi-mocks";

const fnOf = (routeName: string): Recorded => named("aws:lambda/function:Function", `api-${routeName}`);

describe("TodoApi", () => {
  before(() => runProgram());

  describe("functions", () => {
    it("makes one CallbackFunction per route: Node.js 24 on arm64, explicit memory and a timeout of a few seconds", () => {
      const functions = ofType("aws:lambda/function:Function").filter((f) => f.name.startsWith("api-"));
      expect(functions.map((f) => f.name).sort()).to.deep.equal(routes.map((r) => `api-${r.name}`).sort());
      for (const fn of functions) {
        expect(fn.inputs.runtime, fn.name).to.equal("nodejs24.x");
        expect(fn.inputs.architectures, fn.name).to.deep.equal(["arm64"]);
        expect(fn.inputs.memorySize, fn.name).to.equal(256);
        expect(fn.inputs.timeout, fn.name).to.be.within(1, 10);
        expect(fn.inputs.handler, fn.name).to.equal("__index.handler");
      }
    });

    it("logs in Lambda's JSON format into a log group of its own, made before it, with retention", () => {
      for (const route of routes) {
        const fn = fnOf(route.name);
        expect(fn.inputs.loggingConfig.logFormat).to.equal("JSON");
        // INFO keeps platform.report (duration, memory, init) for diagnosis and the cost model.
        expect(fn.inputs.loggingConfig.systemLogLevel).to.equal("INFO");
        const group = named("aws:cloudwatch/logGroup:LogGroup", `api-${route.name}-logs`);
        expect(fn.inputs.loggingConfig.logGroup).to.equal(group.state.name);
        // Lambda refuses custom group names that begin with aws/ (Lambda developer guide).
        expect(String(group.state.name)).not.to.match(/^\/?aws\//);
        expect(group.inputs.retentionInDays).to.be.a("number").and.greaterThan(0);
      }
    });

    it("traces every function with X-Ray (active tracing)", () => {
      for (const route of routes) expect(fnOf(route.name).inputs.tracingConfig, route.name).to.deep.equal({ mode: "Active" });
    });

    it("gives each function a role: its route's DynamoDB actions on the table, its own log group, X-Ray's two write actions", () => {
      const table = named("aws:dynamodb/table:Table", "todos-table");
      for (const route of routes) {
        const fn = fnOf(route.name);
        const role = named("aws:iam/role:Role", `api-${route.name}-role`);
        expect(fn.inputs.role).to.equal(role.state.arn);
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const policies = recorded.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === role.state.name);
        expect(policies, route.name).to.have.length(1);
        const statements = JSON.parse(policies[0].inputs.policy).Statement as any[];
        const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("dynamodb:")));
        expect(dynamo, route.name).to.have.length(1);
        expect([...dynamo[0].Action].sort()).to.deep.equal([...route.actions].sort());
        // The table, plus the indexes the route queries: only the change feed reads one.
        const indexes = (route.indexes ?? []).map((index) => `${table.state.arn}/index/${index}`);
        expect([dynamo[0].Resource].flat(), route.name).to.deep.equal([table.state.arn, ...indexes]);
        const others = statements.filter((s) => s !== dynamo[0]);
        const group = named("aws:cloudwatch/logGroup:LogGroup", `api-${route.name}-logs`);
        expect(others).to.deep.equal([
          { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${group.state.arn}:*` },
          ...(route.endsAccount ? accountStatements(route.name) : []),
          // X-Ray defines no resource for these two actions: IAM takes them only on "*".
          { Sid: "XRayWrite", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        ]);
        expect(XRAY_WRITE_ACTIONS).to.deep.equal(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
        // No managed policy on a function role at all.
        expect(recorded.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === role.state.name))
          .to.be.empty;
      }
    });

    /** Only the route that ends accounts: Cognito's two admin actions on the pool, its sweep's schedules and role. */
    function accountStatements(routeName: string): unknown[] {
      const pool = named("aws:cognito/userPool:UserPool", "auth-users");
      const sweepRole = named("aws:iam/role:Role", `api-${routeName}-sweep-role`);
      return [
        {
          Sid: "EndAccounts",
          Effect: "Allow",
          Action: ["cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminDeleteUser"],
          Resource: pool.state.arn,
        },
        {
          Sid: "ScheduleSweeps",
          Effect: "Allow",
          Action: ["scheduler:CreateSchedule"],
          Resource: "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/sweep-*",
        },
        {
          Sid: "PassSweepRole",
          Effect: "Allow",
          Action: ["iam:PassRole"],
          Resource: sweepRole.state.arn,
          Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
        },
      ];
    }

    it("gives the account deletion's sweep a role that EventBridge Scheduler assumes and that may invoke that one function", () => {
      const ending = routes.filter((r) => r.endsAccount);
      expect(ending.map((r) => r.name)).to.deep.equal(["deleteAccount"]);
      const role = named("aws:iam/role:Role", "api-deleteAccount-sweep-role");
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
        { Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      const policies = recorded.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === role.state.name);
      expect(policies.map((p) => JSON.parse(p.inputs.policy).Statement)).to.deep.equal([
        [{ Sid: "InvokeDeletion", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: fnOf("deleteAccount").state.arn }],
      ]);
    });

    it("gives the whole-list routes exactly the DynamoDB actions they use, and only the change feed its index", () => {
      const expected: Record<string, { actions: string[]; indexes?: string[] }> = {
        // GetItem on every one: the deleted-account marker (handlers/table.ts).
        getSummary: { actions: ["dynamodb:GetItem", "dynamodb:Query"] },
        markAllTodos: { actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"] },
        clearCompleted: { actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"] },
        listChanges: { actions: ["dynamodb:GetItem", "dynamodb:Query"], indexes: [CHANGES_INDEX.name] },
        exportTodos: { actions: ["dynamodb:GetItem", "dynamodb:Query"] },
        deleteAllTodos: { actions: ["dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Query"] },
        deleteTodo: { actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
      };
      for (const [name, { actions, indexes }] of Object.entries(expected)) {
        const route = routes.find((r) => r.name === name);
        expect(route, name).to.not.equal(undefined);
        expect([...(route?.actions ?? [])].sort(), name).to.deep.equal(actions);
        expect(route?.indexes, name).to.deep.equal(indexes);
      }
      expect(routes.filter((r) => r.indexes?.length).map((r) => r.name)).to.deep.equal(["listChanges", "allChanges"]);
    });

    it("gives every list route the membership read (GetItem) and every route but the deletion the marker read, and nothing else", () => {
      const listRoutes = routes.filter((r) => r.path.includes("{listId}"));
      expect(listRoutes).to.have.length(16); // 3 of the list, 9 of its to-dos, 4 of its members
      for (const route of listRoutes) {
        expect(route.access, route.name).to.be.oneOf(["read", "write", "manage"]);
        expect(route.operations, route.name).to.deep.equal([route.operation, "membership", "accountDeleted"]);
        expect([...route.actions].sort(), route.name).to.deep.equal(
          [...new Set([...DYNAMODB_ACTIONS[route.operation], "dynamodb:GetItem"])].sort(),
        );
      }
      for (const route of routes.filter((r) => !r.path.includes("{listId}"))) {
        expect(route.access, route.name).to.equal("none");
        expect(route.operations, route.name).to.deep.equal(route.endsAccount ? [route.operation] : [route.operation, "accountDeleted"]);
        expect([...route.actions].sort(), route.name).to.deep.equal(
          [...new Set([...DYNAMODB_ACTIONS[route.operation], ...(route.endsAccount ? [] : ["dynamodb:GetItem"])])].sort(),
        );
      }
    });

    it("lets API Gateway invoke each function only for its own method and path", () => {
      for (const route of routes) {
        const permission = named("aws:lambda/permission:Permission", `api-${route.name}-invoke`);
        expect(permission.inputs).to.include({
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          function: fnOf(route.name).state.name,
        });
        expect(permission.inputs.sourceArn).to.equal(
          `arn:aws:execute-api:eu-west-1:123456789012:api-rest-id/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`,
        );
      }
    });
  });

  describe("REST API", () => {
    it("is regional, described only by its OpenAPI body, and gzips responses of 1 KiB and more", () => {
      const api = named("aws:apigateway/restApi:RestApi", "api-rest");
      expect(api.inputs.endpointConfiguration.types).to.equal("REGIONAL");
      // CloudFront cannot compress /api/* (CachingDisabled), so API Gateway does.
      expect(api.inputs.minimumCompressionSize).to.equal(String(MINIMUM_COMPRESSION_BYTES)).and.equal("1024");
      expect(JSON.parse(api.inputs.body).openapi).to.match(/^3\./);
      // No resources/methods made beside the document: it is the single description.
      expect(ofType("aws:apigateway/method:Method")).to.be.empty;
      expect(ofType("aws:apigateway/resource:Resource")).to.be.empty;
    });

    it("replaces the deployment whenever the document changes (its hash is a trigger)", () => {
      const api = named("aws:apigateway/restApi:RestApi", "api-rest");
      const deployment = named("aws:apigateway/deployment:Deployment", "api-deployment");
      expect(deployment.inputs.restApi).to.equal("api-rest-id");
      expect(deployment.inputs.triggers.openapi).to.equal(createHash("sha256").update(api.inputs.body).digest("hex"));
    });

    it("has a stage with JSON access logs into a log group with retention", () => {
      const stage = named("aws:apigateway/stage:Stage", "api-stage");
      const logs = named("aws:cloudwatch/logGroup:LogGroup", "api-access-logs");
      expect(stage.inputs.deployment).to.equal("api-deployment-id");
      expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logs.state.arn);
      const format = JSON.parse(stage.inputs.accessLogSettings.format);
      expect(format).to.include({ requestId: "$context.requestId", status: "$context.status", user: "$context.authorizer.claims.sub" });
      expect(stage.inputs.accessLogSettings.format).to.equal(ACCESS_LOG_FORMAT);
      expect(logs.inputs.retentionInDays).to.be.greaterThan(0);
      expect(stage.inputs.xrayTracingEnabled).to.equal(true);
    });

    it("goes live only after the account's log role, every function's log group and its permissions exist", () => {
      const stage = named("aws:apigateway/stage:Stage", "api-stage");
      const urnOf = (type: string, name: string) => `urn:pulumi:test::tasklane::tasklane:index:TodoApi$${type}::${name}`;
      expect(stage.options.dependsOn).to.include(urnOf("aws:apigateway/account:Account", "api-account"));
      for (const route of routes) {
        expect(stage.options.dependsOn).to.include(urnOf("aws:cloudwatch/logGroup:LogGroup", `api-${route.name}-logs`));
        expect(stage.options.dependsOn).to.include(urnOf("aws:iam/rolePolicy:RolePolicy", `api-${route.name}-policy`));
        expect(stage.options.dependsOn).to.include(urnOf("aws:lambda/permission:Permission", `api-${route.name}-invoke`));
      }
    });

    it("throttles each method from config; per-method metrics off, as the dev stack's detailedMetrics says", () => {
      const settings = named("aws:apigateway/methodSettings:MethodSettings", "api-method-settings");
      expect(settings.inputs.methodPath).to.equal("*/*");
      expect(settings.inputs.stageName).to.equal("live");
      expect(settings.inputs.settings).to.include({
        metricsEnabled: false,
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
        dataTraceEnabled: false,
      });
    });

    it("gives API Gateway its account logging role with AWS's logs-only policy, all three kept on destroy", () => {
      const account = named("aws:apigateway/account:Account", "api-account");
      const role = named("aws:iam/role:Role", "api-apigw-logs-role");
      const attachment = named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-apigw-logs-policy");
      // Deleting the account setting would turn access logging off for every REST API of the region.
      for (const kept of [account, role, attachment]) expect(kept.options.retainOnDelete, kept.name).to.equal(true);
      expect(account.inputs.cloudwatchRoleArn).to.equal(role.state.arn);
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({ Service: "apigateway.amazonaws.com" });
      expect(named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-apigw-logs-policy").inputs.policyArn).to.equal(
        API_GATEWAY_LOGS_POLICY_ARN,
      );
    });
  });

  it("in a stack that does not manage the account setting: no Account, no logging role; the stage waits for the rest", async () => {
    new TodoApi("other-api", {
      tableName: "t",
      tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
      userPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x",
      userPoolId: "eu-west-1_x",
      userPoolClientId: "client",
      region: "eu-west-1",
      accountLogRole: "elsewhere",
    });
    await settle();
    const mine = recorded.filter((r) => r.name.startsWith("other-api-"));
    expect(mine.filter((r) => r.type === "aws:apigateway/account:Account" || r.name.includes("apigw-logs"))).to.be.empty;
    const stage = named("aws:apigateway/stage:Stage", "other-api-stage");
    expect(stage.options.dependsOn.some((urn) => urn.includes("aws:apigateway/account:Account"))).to.equal(false);
    expect(stage.options.dependsOn.filter((urn) => urn.includes("aws:lambda/permission:Permission"))).to.have.length(routes.length);
  });

  it("refuses bad arguments before making anything, naming every problem", async () => {
    expect(
      () =>
        new TodoApi("bad-api", {
          tableName: "t",
          tableArn: "a",
          userPoolArn: "p",
          userPoolId: "i",
          userPoolClientId: "c",
          region: "eu-west-1",
          timeoutSeconds: 60,
          logRetentionDays: 8,
          memorySize: 64,
        }),
    ).to.throw(/memorySize.*timeoutSeconds.*logRetentionDays/);
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("bad-api"))).to.be.empty;
  });
});
