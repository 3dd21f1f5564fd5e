/**
 * The whole-list routes (issue 10) in the program: each is a route of the one table, so it gets
 * its own function and role, its place in the OpenAPI document with its validator and model, its
 * invoke permission and (with `alarms: perFunction`) its alarms. The generic tests check every route; this one names the new
 * routes, so that none of them can drop out of the table unnoticed.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { readSettings } from "../../components/settings";
import { TodoApi } from "../../components/todo-api";
import { named, recorded, runProgram, settle } from "../../dev/pulumi-mocks";
import { routeNamed } from "../../handlers/routes";
import { SYNC_OVERLAP_MS } from "../../handlers/sync";

const WHOLE_LIST = {
  getSummary: { method: "get", path: "/api/todos/summary", model: undefined },
  markAllTodos: { method: "post", path: "/api/todos/mark-all", model: "MarkAll" },
  clearCompleted: { method: "post", path: "/api/todos/clear-completed", model: "ClearCompleted" },
  listChanges: { method: "get", path: "/api/todos/changes", model: undefined },
  exportTodos: { method: "get", path: "/api/todos/export", model: undefined },
  deleteAllTodos: { method: "delete", path: "/api/todos", model: undefined },
} as const;

interface Operation {
  readonly operationId: string;
  readonly "x-amazon-apigateway-integration": { readonly uri: string };
  readonly "x-amazon-apigateway-request-validator": string;
  readonly requestBody?: { readonly content: Record<string, { readonly schema: unknown }> };
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

describe("the whole-list routes in the program", () => {
  let doc: Document;
  before(async () => {
    await runProgram();
    doc = JSON.parse(named("aws:apigateway/restApi:RestApi", "api-rest").inputs.body as string) as Document;
  });

  for (const [name, expected] of Object.entries(WHOLE_LIST)) {
    it(`${name}: ${expected.method.toUpperCase()} ${expected.path} has its function, role, validator${expected.model ? ", model" : ""}, permission and alarms`, () => {
      const route = routeNamed(name);
      expect([route.method.toLowerCase(), route.path]).to.deep.equal([expected.method, expected.path]);
      const fn = named("aws:lambda/function:Function", `api-${name}`);
      expect(fn.inputs.role).to.equal(named("aws:iam/role:Role", `api-${name}-role`).state.arn);
      const operation = doc.paths[expected.path][expected.method];
      expect(operation.operationId).to.equal(name);
      expect(operation["x-amazon-apigateway-integration"].uri).to.equal(fn.state.invokeArn);
      expect(operation["x-amazon-apigateway-request-validator"]).to.equal(expected.model ? "bodyAndParams" : "params");
      if (expected.model) {
        expect(operation.requestBody?.content["application/json"].schema).to.deep.equal({ $ref: `#/components/schemas/${expected.model}` });
        expect(doc.components.schemas[expected.model]).to.be.an("object");
      }
      const permission = named("aws:lambda/permission:Permission", `api-${name}-invoke`);
      expect(String(permission.inputs.sourceArn)).to.match(new RegExp(`/\\*/${route.method}${expected.path}$`));
      // Per-function alarms come with `alarms: perFunction` (the dev stack watches the API only;
      // monitoring.test.ts checks every route's on a Monitoring of its own).
      const perFunction = readSettings(new pulumi.Config("tasklane")).alarms === "perFunction";
      for (const alarm of perFunction ? ["errors", "throttles", "duration-p99"] : []) {
        const { inputs } = named("aws:cloudwatch/metricAlarm:MetricAlarm", `monitoring-${name}-${alarm}`);
        expect(inputs.dimensions).to.deep.equal({ FunctionName: fn.state.name as string });
      }
    });
  }

  it("keeps the sync overlap longer than any timeout TodoApi accepts", async () => {
    const args = { tableName: "t", tableArn: "a", userPoolArn: "p", userPoolId: "i", userPoolClientId: "c", region: "eu-west-1" };
    expect(() => new TodoApi("overlap-api", { ...args, timeoutSeconds: Math.floor(SYNC_OVERLAP_MS / 1000) })).to.throw(/timeoutSeconds/);
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("overlap-api"))).to.deep.equal([]);
  });
});
