/**
 * The local API host: API Gateway (REST, Lambda proxy) in front of the same handler code.
 *
 * For each request under /api, in API Gateway's order:
 * 1. a body larger than `maxBodyBytes` -> 413, sent at once; the rest of the body is read and
 *    dropped (up to a bound), so the client, still sending, reads its 413 instead of a reset;
 * 2. no route for the method and path -> 404;
 * 3. the Cognito authorizer (see authorizer.ts) -> 401;
 * 4. with `originKey`: the front door's API key, in `x-api-key`, missing or not that key -> 403
 *    (on AWS only CloudFront sends it, so a call straight to the stage stops here);
 * 5. the request validator: an `application/json` body is checked against the route's body
 *    model (draft-04, ajv), an empty one as `{}`; malformed JSON fails too -> 400 "validation_failed";
 * 6. the proxy event Lambda receives (proxy-event.ts), handed to the route's handler from
 *    handlers/http.ts.
 * Gateway errors have the shape and text of GATEWAY_ERRORS, as the TodoApi component configures.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";
import {
  API_KEY_HEADER,
  API_RESPONSE_HEADERS,
  asModel,
  errorBody,
  GATEWAY_ERRORS,
  JSON_CONTENT_TYPE,
  type GatewayError,
} from "../common/gateway";
import { createHandler, JSON_MEDIA_TYPE, type LogEntry, type ProxyHandler } from "../handlers/http";
import { matchRoute, routes } from "../handlers/routes";
import type { TodoStore } from "../handlers/todos";
import type { StoreFor } from "../handlers/store";
import type { AccountAdmin } from "../handlers/account";
import type { Authorizer } from "./authorizer";
import { parseTarget, proxyEvent } from "./proxy-event";

/** API Gateway accepts 10 MB; we read at most this much before answering 413. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ApiHostOptions {
  /** The store each request works through, stamped with its writer (handlers/writer.ts). */
  readonly store: TodoStore | StoreFor;
  /** Cognito and the sweep, for the route that `endsAccount` (local/account-admin.ts). @default none */
  readonly admin?: AccountAdmin;
  readonly authorize: Authorizer;
  /** One entry per request: the handler's log line, or a gateway rejection. @default none */
  readonly log?: (entry: LogEntry) => void;
  /** @default MAX_REQUEST_BYTES */
  readonly maxBodyBytes?: number;
  /** Lambda's clock, for tests. */
  readonly clock?: () => Date;
  /**
   * Added to every response, over the origin's own: what CloudFront's response-headers policy
   * adds to /api/* on AWS (its settings override the origin's). @default none
   */
  readonly edgeHeaders?: Readonly<Record<string, string>>;
  /**
   * The front door's API key: every request must carry it in `x-api-key` (API_KEY_HEADER), as
   * TodoApi's stage requires; the local origin adds it, as CloudFront does. @default none: no key required
   */
  readonly originKey?: string;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** After a 413, how much more of the body is read and dropped before the connection is cut. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Reads the rest of a refused body without keeping it. Closing a socket that still has unread
 * bytes makes the kernel send a reset, and a client still sending would see that reset instead
 * of the answer already written. So the connection stays open until the body ends (then it is
 * reusable), or is cut once DRAIN_LIMIT_BYTES more arrive or DRAIN_LIMIT_MS pass: a client
 * sending without end gets its 413 and then a closed connection, never unbounded work.
 */
function drain(req: IncomingMessage): void {
  let drained = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_LIMIT_MS).unref();
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) cut();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/** API Gateway's validationErrorString looks like `[message, message]`. */
function describe(errors: readonly ErrorObject[] | null | undefined): string {
  const messages = (errors ?? []).map((e) => {
    const where = e.instancePath ? `${e.instancePath.slice(1).replace(/\//g, ".")} ` : "";
    if (e.keyword === "additionalProperties")
      return `${where}object instance has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`.trim();
    if (e.keyword === "required")
      return `${where}object has missing required property "${(e.params as { missingProperty: string }).missingProperty}"`.trim();
    return `${where}${e.message ?? "is invalid"}`.trim();
  });
  return `[${messages.join(", ")}]`;
}

/** Compares digests, so the time taken says nothing about the key (not even its length). */
function isKey(given: string | string[] | undefined, key: string): boolean {
  if (typeof given !== "string") return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(key));
}

function headerPairs(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
}

export function createApiHost(options: ApiHostOptions): RequestListener {
  const log = options.log ?? (() => undefined);
  const limit = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const edgeHeaders = options.edgeHeaders ?? {};
  const ajv = new Ajv({ allErrors: true, strict: false });
  const handlers = new Map<string, ProxyHandler>();
  const validators = new Map<string, ValidateFunction>();
  for (const route of routes) {
    handlers.set(route.name, createHandler(route, options.store, { log, clock: options.clock, admin: options.admin }));
    // The model exactly as the OpenAPI document gives it to API Gateway.
    if (route.schemas.body) validators.set(route.name, ajv.compile(asModel(route.schemas.body)));
  }

  function gatewayError(res: ServerResponse, requestId: string, method: string, path: string, error: GatewayError, detail = ""): void {
    const body = errorBody(error.code, error.message.replace(/\$context\.error\.[A-Za-z]+/, detail), requestId);
    res.writeHead(error.status, {
      "Content-Type": JSON_CONTENT_TYPE,
      ...API_RESPONSE_HEADERS,
      "x-amzn-RequestId": requestId,
      ...edgeHeaders,
    });
    res.end(JSON.stringify(body));
    // What the validator found goes to the log, as API Gateway's execution log would have it.
    log({
      level: "warn",
      msg: "gateway.rejected",
      method,
      path,
      status: error.status,
      errorCode: error.code,
      requestId,
      ...(detail && { detail }),
    });
  }

  return async (req, res) => {
    const requestId = randomUUID();
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    const path = parseTarget(target).pathname;
    let bytes: Buffer;
    try {
      bytes = await readBody(req, limit);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      drain(req);
      return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.REQUEST_TOO_LARGE);
    }

    const match = matchRoute(method, path);
    if (!match) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN);
    const { route, params } = match;

    const claims = await options.authorize(req.headers.authorization);
    if (!claims) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.UNAUTHORIZED);
    if (options.originKey !== undefined && !isKey(req.headers[API_KEY_HEADER], options.originKey))
      return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.INVALID_API_KEY);

    const validate = validators.get(route.name);
    if (validate && JSON_MEDIA_TYPE.test(req.headers["content-type"] ?? "")) {
      let value: unknown;
      try {
        // API Gateway validates an empty body as `{}` (localstack's parity fix #7916, recorded against AWS).
        value = bytes.length === 0 ? {} : JSON.parse(bytes.toString("utf8"));
      } catch {
        return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.BAD_REQUEST_BODY, "[Invalid JSON in request body]");
      }
      if (!validate(value)) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.BAD_REQUEST_BODY, describe(validate.errors));
    }

    const handler = handlers.get(route.name);
    if (!handler) throw new Error(`no handler for route ${route.name}`);
    const event = proxyEvent({
      method,
      url: target,
      resource: route.path,
      pathParameters: params,
      headers: headerPairs(req),
      body: bytes,
      claims,
      requestId,
      sourceIp: req.socket.remoteAddress,
    });
    const result = await handler(event, { awsRequestId: randomUUID() });
    res.writeHead(result.statusCode, { ...result.headers, "x-amzn-RequestId": requestId, ...edgeHeaders });
    res.end(result.body);
  };
}
