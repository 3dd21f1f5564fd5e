/**
 * The HTTP adapter: an API Gateway (REST, Lambda proxy) event in, a proxy response out.
 * It authenticates (the authorizer's `sub` claim), parses and validates input against the
 * route's schemas, calls the route, and maps every error to one JSON shape:
 * `{"error": {"code", "message", "details", "requestId"}}`. One JSON log line per request.
 */
import type { AccountAdmin } from "./account";
import {
  AccountDeletedError,
  ForbiddenError,
  HttpError,
  LIST_NOT_FOUND_MESSAGE,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "./errors";
import { can, type Caller, type Role } from "./lists";
import { ulidFactory } from "./ids";
import type { Reply, Route } from "./routes";
import { MAX_BODY_BYTES } from "./schemas";
import { API_RESPONSE_HEADERS, DEPRECATION_HEADER, errorBody, JSON_CONTENT_TYPE } from "../common/gateway";
import { DEVICE_HEADER, DEVICE_ID } from "../common/device";
import type { StoreFor } from "./store";
import type { TodoStore } from "./todos";
import { writerOf } from "./writer";
import { compileChecks, findProblems, type RouteChecks } from "./validation";

/** The parts of API Gateway's Lambda proxy event the adapter reads. */
export interface ProxyEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly authorizer?: { readonly claims?: Readonly<Record<string, unknown>> } | null;
  };
}

export interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface LambdaContext {
  readonly awsRequestId?: string;
  /** Lambda's own clock of the invocation: milliseconds until the function times out. */
  getRemainingTimeInMillis?(): number;
}

/**
 * One application log line. Lambda's JSON log format files a line under its `level` only when it
 * also carries a valid RFC 3339 `timestamp`; without one the line is recorded at INFO (Lambda's
 * log-level filtering documentation), and raising applicationLogLevel to WARN would drop errors.
 * The handler's lines always carry it; the local stack's own lines (never on Lambda) may not.
 */
export type LogEntry = Record<string, unknown> & { level: "info" | "warn" | "error"; timestamp?: string; msg: string };

export interface HandlerOptions {
  /** Where log lines go. @default one JSON line on stdout */
  readonly log?: (entry: LogEntry) => void;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * Milliseconds a request may work when the Lambda context does not say (the local host,
   * tests; a test shrinks it to make bulk changes stop early). @default DEFAULT_TIME_BUDGET_MS
   */
  readonly timeBudgetMs?: number;
  /**
   * The app client whose ID tokens this API accepts: a token whose `aud` claim is another client's
   * is refused with 401. API Gateway's Cognito authorizer accepts an ID token of any client of the
   * pool (it checks signature, issuer and expiry only), so the function checks the audience itself,
   * as the local authorizer does. Every Lambda function sets it (handlers/lambda.ts). @default none
   */
  readonly audience?: string;
  /** Cognito and the sweep's timer, for a route that `endsAccount` (handlers/lambda.ts, the local stack). @default none */
  readonly admin?: AccountAdmin;
}

/** TodoApi's default function timeout: the budget where no Lambda context gives one. */
export const DEFAULT_TIME_BUDGET_MS = 5000;

export type ProxyHandler = (event: ProxyEvent, context?: LambdaContext) => Promise<ProxyResult>;

/** A JSON Content-Type, parameters allowed. The local API host's request validator uses it too. */
export const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;
const IF_MATCH = /^(?:W\/)?"?([0-9]{1,15})"?$/;

const writeJsonLine = (entry: LogEntry): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

function lowerCaseKeys(headers: ProxyEvent["headers"]): Record<string, string> {
  // No prototype: a header named "__proto__" or "constructor" is just an unknown header.
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function definedValues(record: Readonly<Record<string, string | undefined>> | null | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(record ?? {})) if (value !== undefined) out[name] = value;
  return { ...out };
}

/** `bodyOptional`: the route's schema accepts `{}`, which is what API Gateway validates an empty body as. */
function readBody(event: ProxyEvent, headers: Record<string, string>, bodyOptional: boolean): unknown {
  if (event.body === undefined || event.body === null || event.body === "") {
    if (bodyOptional) return {};
    throw new ValidationError("This request needs a JSON body.", [], "missing_body");
  }
  if (!JSON_MEDIA_TYPE.test(headers["content-type"] ?? "")) throw new UnsupportedMediaTypeError();
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  let text: string;
  try {
    text = event.isBase64Encoded ? new TextDecoder("utf-8", { fatal: true }).decode(bytes) : event.body;
  } catch {
    throw new ValidationError("The request body is not valid UTF-8.", [], "invalid_encoding");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.", [], "invalid_json");
  }
}

function readIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "*") return undefined;
  const match = IF_MATCH.exec(value.trim());
  if (!match) {
    throw new ValidationError(
      'If-Match must be the ETag of a to-do, such as "3".',
      [{ field: "headers.if-match", message: "is not a version" }],
      "invalid_header",
    );
  }
  return Number(match[1]);
}

function readIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new ValidationError(
      "Idempotency-Key must be 1 to 255 visible ASCII characters.",
      [{ field: "headers.idempotency-key", message: "is not a valid key" }],
      "invalid_header",
    );
  }
  return value;
}

/**
 * The device a write comes from (DEVICE_HEADER), checked like the other headers: a malformed one
 * is a 400, not ignored. Ignoring it would cost nothing but the saving (the poke would read as
 * "from elsewhere"), yet the only sender is the site, which makes the id itself: a malformed one
 * is a bug to see at once, and nothing unchecked is ever stored in an item or sent in a poke.
 */
function readDevice(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!DEVICE_ID.test(value)) {
    throw new ValidationError(
      `${DEVICE_HEADER} must be 8 to 64 letters, digits, "-" or "_".`,
      [{ field: `headers.${DEVICE_HEADER.toLowerCase()}`, message: "is not a device id" }],
      "invalid_header",
    );
  }
  return value;
}

function respond(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}, text?: string): ProxyResult {
  const common = { ...API_RESPONSE_HEADERS, ...headers };
  if (text !== undefined) return { statusCode: status, headers: common, body: text };
  if (body === undefined) return { statusCode: status, headers: common, body: "" };
  return { statusCode: status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...common }, body: JSON.stringify(body) };
}

/** The one place errors become responses. Anything that is not an HttpError is a 500. */
export function errorResponse(err: unknown, requestId: string): ProxyResult {
  if (err instanceof HttpError) return respond(err.status, errorBody(err.code, err.message, requestId, err.details));
  const message = `Something went wrong on our side. If it keeps happening, quote request id ${requestId}.`;
  return respond(500, errorBody("internal_error", message, requestId));
}

/** Builds the handler for one route, generating its validators first (tests, the local stack). */
export function createHandler(route: Route, store: TodoStore | StoreFor, options: HandlerOptions = {}): ProxyHandler {
  return createRouteHandler(route, compileChecks(route.schemas), store, options);
}

/** What the adapter needs of a route: a Lambda closure carries exactly this and its checks. */
export type RouteEntry = Pick<Route, "name" | "handle" | "access" | "endsAccount" | "deprecated">;

/**
 * The caller from the authorizer's claims (API Gateway passes them as strings). The e-mail
 * counts as the caller's for invitations only when the token says it is verified.
 */
function callerOf(sub: string, claims: Readonly<Record<string, unknown>>): Caller {
  const email = typeof claims.email === "string" && claims.email !== "" ? claims.email : undefined;
  const username = claims["cognito:username"];
  return {
    sub,
    email,
    ...(email !== undefined && claims.email_verified === "true" && { verifiedEmail: email.toLowerCase() }),
    ...(typeof username === "string" && username !== "" && { username }),
  };
}

/**
 * Authorization as data: on a list route, the caller's membership (one strongly consistent
 * GetItem of the list-side `~member#<sub>` item) against the access the route declares. A
 * non-member gets the same 404 as a missing list; a member whose role lacks the access, 403.
 * A deleted account gets 410 (AccountDeletedError): a route without a list reads the marker
 * first (one GetItem), a list route only once its membership read said no (a deleted person's
 * memberships are gone). Why this split is enough: handlers/table.ts, "Deleting an account".
 */
async function authorize(route: RouteEntry, store: TodoStore, listId: string, userId: string): Promise<Role | undefined> {
  if (route.access === "none") {
    if (!route.endsAccount && (await store.accountDeleted(userId))) throw new AccountDeletedError();
    return undefined;
  }
  const role = await store.membership(listId, userId);
  if (role === undefined) {
    if (await store.accountDeleted(userId)) throw new AccountDeletedError();
    throw new NotFoundError(LIST_NOT_FOUND_MESSAGE);
  }
  if (!can(role, route.access)) throw new ForbiddenError(`Your role in this list (${role}) does not allow this.`);
  return role;
}

/**
 * Builds the handler for one route from its already generated checks. This is what each Lambda
 * function's closure calls at init; it reaches neither the route table nor ajv.
 */
export function createRouteHandler(
  route: RouteEntry,
  checks: RouteChecks,
  stores: TodoStore | StoreFor,
  options: HandlerOptions = {},
): ProxyHandler {
  // A plain store (some tests) stamps nothing; the Lambda functions and the local stack give a StoreFor.
  const storeFor: StoreFor = typeof stores === "function" ? stores : () => stores;
  const log = options.log ?? writeJsonLine;
  const clock = options.clock ?? (() => new Date());
  const nextId = ulidFactory();
  // A route whose body schema accepts {} takes an empty body as {}, as API Gateway validates it.
  const bodyOptional = checks.body !== undefined && findProblems(checks.body, {}, "body").length === 0;

  return async (event, context) => {
    const started = process.hrtime.bigint();
    const remaining = context?.getRemainingTimeInMillis?.();
    const budget = Math.min(options.timeBudgetMs ?? remaining ?? DEFAULT_TIME_BUDGET_MS, remaining ?? Infinity);
    const deadline = Date.now() + budget;
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? "unknown";
    // CloudFront's id of the request (its access log's x-edge-request-id), to follow it from the edge.
    const edgeRequestId = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === "x-amz-cf-id")?.[1];
    const claims = event.requestContext?.authorizer?.claims;
    const sub = claims?.sub;
    const audienceOk = options.audience === undefined || claims?.aud === options.audience;
    const userId = typeof sub === "string" && sub.length > 0 && audienceOk ? sub : undefined;
    let result: ProxyResult;
    let failure: unknown;
    try {
      if (!userId) throw new UnauthorizedError();
      const headers = lowerCaseKeys(event.headers);
      // Only a write names its device: the writes a read makes on its own (adopting a first list,
      // repairing an index entry) are nothing its answer shows, so they must poke that device too.
      const device = readDevice(headers[DEVICE_HEADER.toLowerCase()]);
      const store = storeFor(event.httpMethod === "GET" || event.httpMethod === "HEAD" ? undefined : writerOf(userId, device));
      const params = definedValues(event.pathParameters);
      // A malformed id names nothing: that is a 404, the same as an id that does not exist (for
      // a list id, the same as a list the caller is not a member of).
      const paramProblems = checks.params ? findProblems(checks.params, params, "path") : [];
      if (paramProblems.some((p) => p.field === "path.listId")) throw new NotFoundError(LIST_NOT_FOUND_MESSAGE);
      if (paramProblems.length > 0) throw new NotFoundError();
      const query = definedValues(event.queryStringParameters);
      const queryProblems = findProblems(checks.query, query, "query");
      if (queryProblems.length > 0) throw new ValidationError(`Invalid query: ${queryProblems[0].message}.`, queryProblems);
      let body: unknown;
      if (checks.body) {
        body = readBody(event, headers, bodyOptional);
        const problems = findProblems(checks.body, body, "body");
        if (problems.length > 0) {
          throw new ValidationError(`Invalid request body: ${problems[0].field}: ${problems[0].message}`, problems);
        }
      }
      const role = await authorize(route, store, params.listId, userId);
      const reply: Reply = await route.handle(
        {
          userId,
          caller: callerOf(userId, claims ?? {}),
          role,
          requestId,
          body,
          query,
          params,
          ifMatch: readIfMatch(headers["if-match"]),
          idempotencyKey: readIdempotencyKey(headers["idempotency-key"]),
          now: clock().toISOString(),
          newId: () => nextId(),
          timeLeft: () => deadline - Date.now(),
          admin: options.admin,
        },
        store,
      );
      result = respond(reply.status, reply.body, reply.headers, reply.text);
    } catch (err) {
      failure = err;
      result = errorResponse(err, requestId);
    }
    if (route.deprecated) result = { ...result, headers: { ...result.headers, ...DEPRECATION_HEADER } };
    const internal = result.statusCode >= 500;
    log({
      level: internal ? "error" : result.statusCode >= 400 ? "warn" : "info",
      timestamp: clock().toISOString(),
      msg: "request",
      route: route.name,
      method: event.httpMethod,
      status: result.statusCode,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      requestId,
      ...(typeof edgeRequestId === "string" && { edgeRequestId: edgeRequestId.slice(0, 128) }),
      userId: userId ?? null,
      ...(failure instanceof HttpError && { errorCode: failure.code }),
      ...(internal && {
        error: failure instanceof Error ? { name: failure.name, message: failure.message, stack: failure.stack } : String(failure),
      }),
    });
    return result;
  };
}
