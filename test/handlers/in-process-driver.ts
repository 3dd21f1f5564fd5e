/**
 * The in-process transport of the API contract: no HTTP, no API Gateway. Each request becomes the
 * Lambda proxy event API Gateway would build (local/proxy-event.ts, as the local API host builds
 * it) and goes to the route's real handler
 * (`createHandler`), which talks to a real DynamoDB-compatible server (dynalite, in memory, in
 * this process). Requests API Gateway itself would answer (no route) get its answer instead.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { API_RESPONSE_HEADERS, errorBody, GATEWAY_ERRORS, JSON_CONTENT_TYPE, type GatewayError } from "../../common/gateway";
import type { AccountAdmin } from "../../handlers/account";
import { createHandler, type LogEntry, type ProxyEvent, type ProxyHandler, type ProxyResult } from "../../handlers/http";
import { matchRoute, routes } from "../../handlers/routes";
import { createDocumentClient, dynamoStoreFor } from "../../handlers/store";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite, type LocalDynamo } from "../../local/dynamo";
import { parseTarget, proxyEvent } from "../../local/proxy-event";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "../contract/driver";
import { emptyTable, scanTable } from "../contract/table";
import { seedItems } from "../../dev/seed-table";
import type { ChangeRecord } from "../../handlers/pokes";

/** The `sub` claim the Cognito authorizer would put in the event for each test user. */
export const USER_IDS: Readonly<Record<User, string>> = {
  alice: "0b1c2d3e-aaaa-4000-8000-00000000a11c",
  bob: "0b1c2d3e-bbbb-4000-8000-0000000000b0",
  carol: "0b1c2d3e-cccc-4000-8000-0000000c0001",
  dave: "0b1c2d3e-dddd-4000-8000-0000000d0001",
};
/** The `cognito:username` claim (a pool whose user name is the e-mail gives each user a generated one). */
export const USER_NAMES: Readonly<Record<User, string>> = {
  alice: "a11ce000-name",
  bob: "b0b00000-name",
  carol: "c0001000-name",
  dave: "d0001000-name",
};
/** The e-mail claim of each test user (verified, as Cognito's is once the sign-up code was entered). */
export const USER_EMAILS: Readonly<Record<User, string>> = {
  alice: "alice@example.com",
  bob: "bob@example.com",
  carol: "carol.lists@example.com",
  dave: "dave.lists@example.com",
};

export interface InProcessDriver extends ApiDriver {
  /** Every log line the handlers wrote, in order. */
  readonly logs: LogEntry[];
  /** The proxy events sent, in order (to check what a handler saw). */
  readonly events: ProxyEvent[];
  readonly doc: DynamoDBDocument;
  readonly tableName: string;
  /** What the route that ends accounts asked of Cognito and the scheduler, in order. */
  readonly adminCalls: AdminCall[];
}

export type AdminCall =
  | { readonly call: "endSessions" | "deleteUser"; readonly username: string }
  | { readonly call: "scheduleSweep"; readonly sub: string; readonly at: Date };

/** An AccountAdmin that records each call (Cognito's and the scheduler's side are not in this process). */
export function recordingAdmin(calls: AdminCall[]): AccountAdmin {
  return {
    endSessions: (username) => Promise.resolve(void calls.push({ call: "endSessions", username })),
    deleteUser: (username) => Promise.resolve(void calls.push({ call: "deleteUser", username })),
    scheduleSweep: (sub, at) => Promise.resolve(void calls.push({ call: "scheduleSweep", sub, at })),
  };
}

/** `onChange`: told of every write dynalite accepts on the table, as stream records (keys and writer: local/change-tap.ts). */
export async function startInProcessDriver(options: { onChange?: (records: ChangeRecord[]) => void } = {}): Promise<InProcessDriver> {
  const tableName = "todos-test";
  const dynamo: LocalDynamo = await startDynalite(options.onChange && { onChange: { tableName, listener: options.onChange } });
  await ensureTodoTable(dynamo.endpoint, tableName);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  // Per request, as the Lambda functions and the local stack do: its writes carry its writer.
  const store = dynamoStoreFor(doc, tableName);
  const logs: LogEntry[] = [];
  const events: ProxyEvent[] = [];
  const adminCalls: AdminCall[] = [];
  const admin = recordingAdmin(adminCalls);
  // One handler per route, built once, as each Lambda function builds its own at init.
  const build = (timeBudgetMs?: number) =>
    new Map<string, ProxyHandler>(
      routes.map((route) => [route.name, createHandler(route, store, { log: (entry) => logs.push(entry), timeBudgetMs, admin })]),
    );
  let handlers = build();

  return {
    logs,
    events,
    doc,
    tableName,
    adminCalls,

    async send(user: User | null, request: ApiRequest): Promise<ApiResponse> {
      const requestId = randomUUID();
      const match = matchRoute(request.method, parseTarget(request.path).pathname);
      if (!match) return gatewayError(GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN, requestId);

      const headers: Record<string, string> = { ...(request.headers ?? {}) };
      let body: string | Buffer | null = null;
      if (request.rawBody !== undefined) {
        body = request.rawBody;
      } else if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
      }
      const event = proxyEvent({
        method: request.method,
        url: request.path,
        resource: match.route.path,
        pathParameters: match.params,
        headers,
        body,
        claims:
          user === null
            ? null
            : {
                sub: USER_IDS[user],
                token_use: "id",
                email: USER_EMAILS[user],
                email_verified: "true",
                "cognito:username": USER_NAMES[user],
              },
        requestId,
      });
      events.push(event);
      const handler = handlers.get(match.route.name);
      if (!handler) throw new Error(`no handler for ${match.route.name}`);
      return toResponse(await handler(event, { awsRequestId: `lambda-${requestId}` }));
    },

    tableItems: () => scanTable(doc, tableName),
    seed: (user, items) => seedItems(doc, tableName, USER_IDS[user], items),
    userId: (user) => USER_IDS[user],
    email: (user) => USER_EMAILS[user],
    setTimeBudget(ms) {
      handlers = build(ms);
    },

    async reset() {
      await emptyTable(doc, tableName);
      logs.length = 0;
      events.length = 0;
      adminCalls.length = 0;
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
  const text = result.body;
  return { status: result.statusCode, headers, body: text === "" ? undefined : json ? (JSON.parse(text) as unknown) : text };
}

/** What API Gateway itself answers (no Lambda), with the gateway responses TodoApi configures. */
function gatewayError(error: GatewayError, requestId: string): ApiResponse {
  const headers: Record<string, string> = { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId };
  for (const [name, value] of Object.entries(API_RESPONSE_HEADERS)) headers[name.toLowerCase()] = value;
  return { status: error.status, headers, body: errorBody(error.code, error.message, requestId) };
}
