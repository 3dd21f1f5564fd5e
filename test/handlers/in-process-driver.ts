/**
 * The in-process transport of the API contract: no HTTP, no API Gateway. Each request becomes the
 * Lambda proxy event API Gateway would build and goes to the route's real handler
 * (`createHandler`), which talks to a real DynamoDB-compatible server (dynalite, in memory, in
 * this process). Requests API Gateway itself would answer (no route) get its answer instead.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { GATEWAY_ERRORS } from "../../common/gateway";
import { createHandler, type LogEntry, type ProxyEvent, type ProxyHandler, type ProxyResult } from "../../handlers/http";
import { matchRoute, routes } from "../../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../../handlers/store";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite, type LocalDynamo } from "../../local/dynamo";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "../contract/driver";
import { emptyTable, scanTable, seedItems } from "../contract/table";

/** The `sub` claim the Cognito authorizer would put in the event for each test user. */
export const USER_IDS: Readonly<Record<User, string>> = {
  alice: "0b1c2d3e-aaaa-4000-8000-00000000a11c",
  bob: "0b1c2d3e-bbbb-4000-8000-0000000000b0",
};

export interface InProcessDriver extends ApiDriver {
  /** Every log line the handlers wrote, in order. */
  readonly logs: LogEntry[];
  /** The proxy events sent, in order (to check what a handler saw). */
  readonly events: ProxyEvent[];
  readonly doc: DynamoDBDocument;
  readonly tableName: string;
}

export async function startInProcessDriver(): Promise<InProcessDriver> {
  const dynamo: LocalDynamo = await startDynalite();
  const tableName = "todos-test";
  await ensureTodoTable(dynamo.endpoint, tableName);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const store = dynamoTodoStore(doc, tableName);
  const logs: LogEntry[] = [];
  const events: ProxyEvent[] = [];
  // One handler per route, built once, as each Lambda function builds its own at init.
  const build = (timeBudgetMs?: number) =>
    new Map<string, ProxyHandler>(
      routes.map((route) => [route.name, createHandler(route, store, { log: (entry) => logs.push(entry), timeBudgetMs })]),
    );
  let handlers = build();

  return {
    logs,
    events,
    doc,
    tableName,

    async send(user: User | null, request: ApiRequest): Promise<ApiResponse> {
      const url = new URL(request.path, "http://api.invalid");
      const requestId = randomUUID();
      const match = matchRoute(request.method, url.pathname);
      if (!match) return gatewayError(GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN, requestId);

      const headers: Record<string, string> = { ...(request.headers ?? {}) };
      let body: string | null = null;
      if (request.rawBody !== undefined) {
        // The API declares no binaryMediaTypes, so API Gateway hands Lambda every body as text:
        // the bytes decoded as UTF-8, invalid sequences replaced by U+FFFD, never base64.
        body = Buffer.isBuffer(request.rawBody) ? request.rawBody.toString("utf8") : request.rawBody;
      } else if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
      }
      // API Gateway keeps the last value of a repeated query parameter.
      // No prototype, like the JSON API Gateway sends: "?__proto__=x" must reach the handler.
      const query: Record<string, string> = Object.create(null);
      for (const [name, value] of url.searchParams) query[name] = value;

      const event: ProxyEvent = {
        httpMethod: request.method,
        path: url.pathname,
        headers,
        queryStringParameters: Object.keys(query).length > 0 ? { ...query } : null,
        pathParameters: Object.keys(match.params).length > 0 ? match.params : null,
        body,
        isBase64Encoded: false,
        requestContext: {
          requestId,
          authorizer: user === null ? null : { claims: { sub: USER_IDS[user], token_use: "id" } },
        },
      };
      events.push(event);
      const handler = handlers.get(match.route.name);
      if (!handler) throw new Error(`no handler for ${match.route.name}`);
      return toResponse(await handler(event, { awsRequestId: `lambda-${requestId}` }));
    },

    tableItems: () => scanTable(doc, tableName),
    seed: (user, items) => seedItems(doc, tableName, USER_IDS[user], items),
    userId: (user) => USER_IDS[user],
    setTimeBudget(ms) {
      handlers = build(ms);
    },

    async reset() {
      await emptyTable(doc, tableName);
      logs.length = 0;
      events.length = 0;
    },

    async close() {
      doc.destroy();
      await dynamo.close();
    },
  };
}

function toResponse(result: ProxyResult): ApiResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers)) headers[name.toLowerCase()] = value;
  const json = /^application\/json/.test(headers["content-type"] ?? "");
  return { status: result.statusCode, headers, body: result.body === "" ? undefined : json ? JSON.parse(result.body) : result.body };
}

function gatewayError(error: { status: number; code: string; message: string }, requestId: string): ApiResponse {
  return {
    status: error.status,
    headers: { "content-type": "application/json" },
    body: { error: { code: error.code, message: error.message, details: [], requestId } },
  };
}
