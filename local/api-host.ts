/**
 * The local API host: API Gateway (REST, Lambda proxy) in front of the same handler code.
 *
 * For each request under /api, in API Gateway's order:
 * 1. a body larger than `maxBodyBytes` -> 413 (read no further: nobody can exhaust memory);
 * 2. no route for the method and path -> 404;
 * 3. the Cognito authorizer (see authorizer.ts) -> 401;
 * 4. the request validator: an `application/json` body is checked against the route's body
 *    model (draft-04, ajv); malformed JSON fails too -> 400 "validation_failed";
 * 5. the proxy event Lambda receives (claims, request id, headers, query, path parameters,
 *    body), handed to the route's handler from handlers/http.ts. The API declares no
 *    binaryMediaTypes, so API Gateway passes every body as text: the bytes decoded as UTF-8,
 *    each invalid sequence replaced by U+FFFD, `isBase64Encoded: false`. So does this host.
 * Gateway errors have the shape and text of GATEWAY_ERRORS, as the TodoApi component configures.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";
import { API_RESPONSE_HEADERS, asModel, errorBody, GATEWAY_ERRORS, JSON_CONTENT_TYPE, type GatewayError } from "../common/gateway";
import { createHandler, JSON_MEDIA_TYPE, type LogEntry, type ProxyEvent, type ProxyHandler } from "../handlers/http";
import { matchRoute, routes } from "../handlers/routes";
import type { TodoStore } from "../handlers/todos";
import type { Authorizer } from "./authorizer";

/** API Gateway accepts 10 MB; we read at most this much before answering 413. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ApiHostOptions {
  readonly store: TodoStore;
  readonly authorize: Authorizer;
  /** One entry per request: the handler's log line, or a gateway rejection. @default none */
  readonly log?: (entry: LogEntry) => void;
  /** @default MAX_REQUEST_BYTES */
  readonly maxBodyBytes?: number;
  /** Lambda's clock, for tests. */
  readonly clock?: () => Date;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume(); // drain without keeping anything
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
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

function singleAndMulti(entries: Iterable<[string, string]>): [Record<string, string> | null, Record<string, string[]> | null] {
  // No prototype: "?__proto__=x" is a parameter like any other, and must reach the handler.
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of entries) {
    single[name] = value; // API Gateway keeps the last value
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0 ? [null, null] : [single, multi];
}

function headerEntries(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
}

export function createApiHost(options: ApiHostOptions): RequestListener {
  const log = options.log ?? (() => undefined);
  const limit = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const handlers = new Map<string, ProxyHandler>();
  const validators = new Map<string, ValidateFunction>();
  for (const route of routes) {
    handlers.set(route.name, createHandler(route, options.store, { log, clock: options.clock }));
    // The model exactly as the OpenAPI document gives it to API Gateway.
    if (route.schemas.body) validators.set(route.name, ajv.compile(asModel(route.schemas.body) as object));
  }

  function gatewayError(res: ServerResponse, requestId: string, method: string, path: string, error: GatewayError, detail = ""): void {
    const body = errorBody(error.code, error.message.replace(/\$context\.error\.[A-Za-z]+/, detail), requestId);
    res.writeHead(error.status, {
      "Content-Type": JSON_CONTENT_TYPE,
      ...API_RESPONSE_HEADERS,
      "x-amzn-RequestId": requestId,
      ...(error.status === 413 && { Connection: "close" }),
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
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    let bytes: Buffer;
    try {
      bytes = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.REQUEST_TOO_LARGE);
      throw err;
    }

    const match = matchRoute(method, path);
    if (!match) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN);
    const { route, params } = match;

    const claims = await options.authorize(req.headers.authorization);
    if (!claims) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.UNAUTHORIZED);

    const validate = validators.get(route.name);
    if (validate && JSON_MEDIA_TYPE.test(req.headers["content-type"] ?? "")) {
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString("utf8"));
      } catch {
        return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.BAD_REQUEST_BODY, "[Invalid JSON in request body]");
      }
      if (!validate(value)) return gatewayError(res, requestId, method, path, GATEWAY_ERRORS.BAD_REQUEST_BODY, describe(validate.errors));
    }

    // Text, as API Gateway passes it without binaryMediaTypes: invalid UTF-8 becomes U+FFFD
    // (which the title schema refuses), never base64.
    const body = bytes.length > 0 ? bytes.toString("utf8") : null;
    const [headers, multiValueHeaders] = singleAndMulti(headerEntries(req));
    const [queryStringParameters, multiValueQueryStringParameters] = singleAndMulti(url.searchParams.entries());
    // The whole event API Gateway sends; the adapter reads the ProxyEvent part of it.
    const event = {
      resource: route.path,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders,
      queryStringParameters,
      multiValueQueryStringParameters,
      pathParameters: Object.keys(params).length > 0 ? params : null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
      requestContext: {
        requestId,
        resourcePath: route.path,
        httpMethod: method,
        path,
        stage: "local",
        requestTimeEpoch: Date.now(),
        identity: { sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: req.headers["user-agent"] ?? null },
        authorizer: { claims },
      },
    };
    const result = await handlers.get(route.name)!(event satisfies ProxyEvent, { awsRequestId: randomUUID() });
    const payload = (result as { isBase64Encoded?: boolean }).isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
    res.writeHead(result.statusCode, { ...result.headers, "x-amzn-RequestId": requestId });
    res.end(payload);
  };
}
