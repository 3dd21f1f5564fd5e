/** The OpenAPI document TodoApi gives API Gateway, generated from the route table. */
import Ajv from "ajv-draft-04";
import { expect } from "chai";
import { API_KEY_SCHEME, AUTHORIZER_NAME, gatewayResponseTemplate, modelName, openApiDocument } from "../../components/openapi";
import { API_KEY_HEADER, GATEWAY_ERRORS } from "../../common/gateway";
import { routes } from "../../handlers/routes";
import { named, runProgram } from "../../dev/pulumi-mocks";

const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];

describe("the API's OpenAPI document", () => {
  let doc: any;
  before(async () => {
    await runProgram();
    doc = JSON.parse(named("aws:apigateway/restApi:RestApi", "api-rest").inputs.body);
  });

  it("is what RestApi receives, with exactly one operation per route of the table", () => {
    const operations = Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).to.deep.equal(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routes) expect(doc.paths[route.path][route.method.toLowerCase()].operationId).to.equal(route.name);
  });

  it("marks the old /api/todos operations deprecated, and only those", () => {
    const deprecated = routes.filter((r) => doc.paths[r.path][r.method.toLowerCase()].deprecated === true).map((r) => r.path);
    expect(deprecated).to.have.length(11);
    for (const path of deprecated) expect(path).to.match(/^\/api\/todos(\/|$)/);
    expect(routes.filter((r) => /^\/api\/todos(\/|$)/.test(r.path))).to.have.length(11);
  });

  it("puts the Cognito user-pools authorizer AND the front door's API key on every method but OPTIONS, for the stack's pool", () => {
    const scheme = doc.components.securitySchemes[AUTHORIZER_NAME];
    expect(scheme["x-amazon-apigateway-authtype"]).to.equal("cognito_user_pools");
    expect(scheme["x-amazon-apigateway-authorizer"]).to.deep.equal({
      type: "cognito_user_pools",
      providerARNs: ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_auth-users"],
    });
    expect(scheme).to.include({ in: "header", name: "Authorization" });
    expect(doc.security, "no document-wide default to override").to.be.undefined;
    let checked = 0;
    for (const item of Object.values(doc.paths as Record<string, any>)) {
      for (const [method, operation] of Object.entries(item as Record<string, any>)) {
        if (method === "options") continue;
        // One requirement object with both schemes: the token and the key, not either.
        expect(operation.security, method).to.deep.equal([{ [AUTHORIZER_NAME]: [], [API_KEY_SCHEME]: [] }]);
        checked++;
      }
    }
    expect(checked).to.equal(routes.length);
    expect(doc.components.securitySchemes[API_KEY_SCHEME]).to.deep.equal({ type: "apiKey", name: API_KEY_HEADER, in: "header" });
    expect(doc["x-amazon-apigateway-api-key-source"]).to.equal("HEADER");
  });

  it("publishes each body schema (draft-04, from handlers/schemas.ts) as a model and validates bodies with it", () => {
    expect(doc["x-amazon-apigateway-request-validators"].bodyAndParams).to.deep.equal({
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const withBody = routes.filter((r) => r.schemas.body);
    expect(withBody.length).to.be.greaterThan(0);
    for (const route of routes) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      if (!route.schemas.body) {
        expect(operation.requestBody, route.name).to.be.undefined;
        expect(operation["x-amazon-apigateway-request-validator"], route.name).to.equal("params");
        continue;
      }
      const name = modelName(route)!;
      expect(operation["x-amazon-apigateway-request-validator"], route.name).to.equal("bodyAndParams");
      expect(operation.requestBody.content["application/json"].schema).to.deep.equal({ $ref: `#/components/schemas/${name}` });
      const { $schema, properties, ...rest } = route.schemas.body;
      expect($schema).to.equal("http://json-schema.org/draft-04/schema#");
      const model = doc.components.schemas[name];
      expect(model).to.not.have.property("$schema");
      expect(model).to.deep.include(rest);
      // Every property as in handlers/schemas.ts, except that OpenAPI 3.0 has no type arrays.
      for (const [prop, source] of Object.entries(properties as Record<string, any>)) {
        const { type, ...others } = source;
        expect(model.properties[prop], `${name}.${prop}`).to.deep.equal(Array.isArray(type) ? others : source);
      }
    }
    expect(Object.keys(doc.components.schemas)).to.have.length(new Set(withBody.map(modelName)).size);
  });

  it("publishes models API Gateway's draft-04 validator reads as the handlers do, null due dates included", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const create = ajv.compile(doc.components.schemas[modelName(routes.find((r) => r.name === "createTodo")!)!]);
    const update = ajv.compile(doc.components.schemas[modelName(routes.find((r) => r.name === "updateTodo")!)!]);
    expect(create({ title: "Water the plants" })).to.equal(true);
    expect(create({ title: "Water the plants", dueDate: "2026-12-01", completed: false })).to.equal(true);
    expect(update({ dueDate: null })).to.equal(true);
    for (const bad of [{}, { title: 5 }, { title: "x", owner: "bob" }, { title: "x", dueDate: "tomorrow" }, { title: "a\u0007b" }]) {
      expect(create(bad), JSON.stringify(bad)).to.equal(false);
    }
    expect(update({})).to.equal(false);
    expect(JSON.stringify(doc.components.schemas)).to.not.match(/"type":\[/);
  });

  it("integrates each operation with its own function through aws_proxy", () => {
    const functions = new Set<string>();
    for (const route of routes) {
      const integration = doc.paths[route.path][route.method.toLowerCase()]["x-amazon-apigateway-integration"];
      expect(integration).to.include({ type: "aws_proxy", httpMethod: "POST" });
      expect(integration.uri).to.match(
        new RegExp(
          `^arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:\\d+:function:api-${route.name}-[0-9a-f]+/invocations$`,
        ),
      );
      functions.add(integration.uri);
    }
    expect(functions.size).to.equal(routes.length);
  });

  it("declares path parameters for {id} routes", () => {
    for (const route of routes.filter((r) => r.path.includes("{id}"))) {
      const parameters = doc.paths[route.path][route.method.toLowerCase()].parameters;
      expect(parameters).to.deep.include({ name: "id", in: "path", required: true, schema: { type: "string" } });
    }
  });

  it("answers every gateway error (GATEWAY_ERRORS) in the API's JSON error shape", () => {
    const responses = doc["x-amazon-apigateway-gateway-responses"];
    expect(Object.keys(responses).sort()).to.deep.equal(Object.keys(GATEWAY_ERRORS).sort());
    for (const [type, error] of Object.entries(GATEWAY_ERRORS)) {
      const response = responses[type];
      // A string, as API Gateway's extension wants; the catch-all types keep API Gateway's own status.
      expect(response.statusCode, type).to.equal(type.startsWith("DEFAULT_") ? undefined : String(error.status));
      expect(response.responseParameters["gatewayresponse.header.Cache-Control"]).to.equal("'no-store'");
      // Fill in the $context variables the way API Gateway does (messageString comes quoted).
      const body = (response.responseTemplates["application/json"] as string)
        .replace(/\$context\.requestId/g, "req-1")
        .replace(/\$context\.error\.validationErrorString/g, "[instance failed to match]")
        .replace(/\$context\.error\.messageString/g, '"Unauthorized"')
        .replace(/\$context\.error\.message/g, "Unauthorized");
      const parsed = JSON.parse(body);
      expect(parsed.error).to.include({ code: error.code, requestId: "req-1" });
      expect(parsed.error.details).to.deep.equal([]);
      expect(parsed.error.message)
        .to.be.a("string")
        .and.not.match(/\$context/);
    }
  });

  it("uses $context.error.message inside JSON strings instead of the pre-quoted messageString", () => {
    const template = gatewayResponseTemplate({ status: 400, code: "x", message: "Refused: $context.error.messageString" });
    expect(template).to.include('Refused: $context.error.message"').and.not.include("messageString");
  });

  it("refuses a route table that lists a method and path twice", () => {
    const twice = [routes[0], { ...routes[0], name: "again" }];
    expect(() =>
      openApiDocument({ title: "t", routes: twice, userPoolArn: "arn", invokeArns: { [routes[0].name]: "a", again: "b" } }),
    ).to.throw(/listed twice/);
  });
});
