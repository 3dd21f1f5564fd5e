/**
 * The API's OpenAPI 3 document, generated from the route table and its schemas: the only
 * description of the REST API that API Gateway receives. Pure: plain values in, a plain object
 * out, so the tests can read it and the TodoApi component hashes it to redeploy on change.
 *
 * What it declares, for every route:
 * - a Cognito user-pools authorizer (the ID token in `Authorization`) AND an API key in `x-api-key`:
 *   the key is the front door's (CloudFront adds it to every /api request, TodoApi's usage plan
 *   knows it), so a call straight to the stage is refused before Lambda runs
 * - the route's body schema (draft-04, from handlers/schemas.ts) as a model, checked by a
 *   request validator before Lambda runs; routes without a body validate parameters only
 * - a Lambda proxy (`aws_proxy`) integration with the route's own function
 * and, once, JSON gateway responses (GATEWAY_ERRORS) in the API's error shape.
 */
import { can, ROLES, type Access } from "../handlers/lists";
import {
  API_KEY_HEADER,
  API_RESPONSE_HEADERS,
  asModel,
  errorBody,
  GATEWAY_ERRORS,
  type GatewayError,
  type JsonSchema,
} from "../common/gateway";
import type { Route } from "../handlers/routes";

export const AUTHORIZER_NAME = "cognito";
/** The security scheme of the front door's API key (API Gateway reads it from `x-api-key`). */
export const API_KEY_SCHEME = "edge-key";
/** Validator names, as the document's `x-amazon-apigateway-request-validators` declares them. */
export const VALIDATORS = {
  bodyAndParams: { validateRequestBody: true, validateRequestParameters: true },
  params: { validateRequestBody: false, validateRequestParameters: true },
} as const;

export interface OpenApiInput {
  readonly title: string;
  readonly routes: readonly Route[];
  /** The user pool whose tokens the authorizer accepts. */
  readonly userPoolArn: string;
  /** Lambda invoke ARN (`arn:aws:apigateway:…/invocations`) by route name. */
  readonly invokeArns: Readonly<Record<string, string>>;
  /** Seconds API Gateway waits for Lambda. @default 29 (the REST API maximum) */
  readonly integrationTimeoutSeconds?: number;
}

/** The model a route's body is published as (its schema's `title`, else `<route>Body`). */
export function modelName(route: Route): string | undefined {
  const body = route.schemas.body;
  if (!body) return undefined;
  return typeof body.title === "string" ? body.title : `${route.name}Body`;
}

/**
 * A gateway response body in the API's error shape. API Gateway substitutes `$context` variables;
 * `$context.error.messageString` is already wrapped in quotes, so inside our JSON string we use
 * the unquoted `$context.error.message` instead.
 */
export function gatewayResponseTemplate(error: GatewayError): string {
  const message = error.message.replace(/\$context\.error\.messageString/g, "$context.error.message");
  return JSON.stringify(errorBody(error.code, message, "$context.requestId"));
}

function gatewayResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [type, error] of Object.entries(GATEWAY_ERRORS)) {
    out[type] = {
      // The DEFAULT_* responses stand for many errors (403 expired token, 415, 429 quota, 502,
      // 504…): they keep API Gateway's own status and only take our body. The others set theirs.
      // API Gateway wants the status as a string.
      ...(!type.startsWith("DEFAULT_") && { statusCode: String(error.status) }),
      responseParameters: Object.fromEntries(
        Object.entries(API_RESPONSE_HEADERS).map(([header, value]) => [`gatewayresponse.header.${header}`, `'${value}'`]),
      ),
      responseTemplates: { "application/json": gatewayResponseTemplate(error) },
    };
  }
  return out;
}

function pathParameters(route: Route): Record<string, unknown>[] {
  return [...route.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
}

/** Query parameters are documented (optional, strings); the Lambda adapter validates them. */
function queryParameters(route: Route): Record<string, unknown>[] {
  const properties = (route.schemas.query.properties ?? {}) as Record<string, JsonSchema>;
  return Object.keys(properties).map((name) => ({ name, in: "query", required: false, schema: { type: "string" } }));
}

export function openApiDocument(input: OpenApiInput): Record<string, unknown> {
  const timeoutMs = (input.integrationTimeoutSeconds ?? 29) * 1000;
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {};

  for (const route of input.routes) {
    const invokeArn = input.invokeArns[route.name];
    if (!invokeArn) throw new Error(`openApiDocument: no function for route ${route.name}`);
    const model = modelName(route);
    if (model && route.schemas.body) {
      if (schemas[model] && schemas[model] !== route.schemas.body) throw new Error(`openApiDocument: two schemas are named ${model}`);
      schemas[model] = route.schemas.body;
    }
    const operation: Record<string, unknown> = {
      operationId: route.name,
      summary: route.summary,
      // OpenAPI 3.0's Operation `deprecated`: API Gateway's import (failOnWarnings: false here,
      // components/todo-api.ts) takes OpenAPI 3.0 "with exceptions" listed in its REST API notes,
      // which do not name it; at worst a warning (developer guide, "Develop REST APIs using OpenAPI").
      ...(route.deprecated && { deprecated: true }),
      // Who may call it, from the one table of roles (handlers/lists.ts ROLE_PERMISSIONS).
      ...(route.access !== "none" && {
        description: `For members of the list whose role is ${ROLES.filter((role) => can(role, route.access as Access)).join(", ")}; a member with another role gets 403, anyone else 404 (as for a list that does not exist).`,
      }),
      parameters: [...pathParameters(route), ...queryParameters(route)],
      // Both in one object: the token AND the key (OpenAPI's security requirement semantics).
      security: [{ [AUTHORIZER_NAME]: [], [API_KEY_SCHEME]: [] }],
      responses: { default: { description: "See the API contract: JSON body, or an error {error:{code,message,details,requestId}}." } },
      "x-amazon-apigateway-request-validator": model ? "bodyAndParams" : "params",
      "x-amazon-apigateway-integration": {
        type: "aws_proxy",
        httpMethod: "POST",
        uri: invokeArn,
        passthroughBehavior: "when_no_match",
        timeoutInMillis: timeoutMs,
      },
    };
    if (model) {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: { $ref: `#/components/schemas/${model}` } } },
      };
    }
    const path = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (path[method]) throw new Error(`openApiDocument: ${route.method} ${route.path} is listed twice`);
    path[method] = operation;
  }

  return {
    openapi: "3.0.1",
    info: { title: input.title, version: "1.0" },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, asModel(schema)])),
      securitySchemes: {
        [AUTHORIZER_NAME]: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "cognito_user_pools",
          "x-amazon-apigateway-authorizer": { type: "cognito_user_pools", providerARNs: [input.userPoolArn] },
        },
        [API_KEY_SCHEME]: { type: "apiKey", name: API_KEY_HEADER, in: "header" },
      },
    },
    // The key comes from the header (api-gateway-swagger-extensions-api-key-source.html).
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-request-validators": VALIDATORS,
    "x-amazon-apigateway-gateway-responses": gatewayResponses(),
  };
}
