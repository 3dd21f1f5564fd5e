/**
 * The Lambda proxy event API Gateway (REST API, Lambda proxy integration) sends for one request:
 * one builder for everything that plays API Gateway (the local API host, the in-process test
 * driver, the bench, the archive test), so they all hand the handlers the same fields.
 *
 * What API Gateway does and this does too:
 * - `headers`/`queryStringParameters` keep the last value of a repeated name, the
 *   `multiValue…` maps every value in order; both are null when there are none;
 * - maps have no prototype: `?__proto__=x` is a parameter like any other and reaches the handler;
 * - the API declares no binaryMediaTypes, so a body is text (bytes decoded as UTF-8, each invalid
 *   sequence replaced by U+FFFD) and `isBase64Encoded` is false;
 * - `requestContext.authorizer.claims` holds the Cognito authorizer's claims, as strings.
 *
 * No runtime import but Node's own: the archive test loads this file, bundled, in a process that
 * has nothing of the project.
 */
import type { ProxyEvent } from "../handlers/http";

type Pairs = Iterable<readonly [string, string]>;

export interface ProxyRequest {
  readonly method: string;
  /** The request target: path and query string as sent, e.g. "/api/todos?limit=5". */
  readonly url: string;
  /** The route's path template, API Gateway's `resource`, e.g. "/api/todos/{id}". */
  readonly resource: string;
  /** The template's parameters, decoded. @default none */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** Headers as received: name/value pairs in order (repeats allowed) or a plain object. @default none */
  readonly headers?: Pairs | Readonly<Record<string, string>>;
  /** @default no body */
  readonly body?: string | Uint8Array | null;
  /** The authorizer's claims; null or absent for a route without one (none here). */
  readonly claims?: Readonly<Record<string, string>> | null;
  readonly requestId: string;
  /** @default "127.0.0.1" */
  readonly sourceIp?: string;
  /** API Gateway's stage. @default "local" */
  readonly stage?: string;
  /** When the request arrived. @default now */
  readonly time?: Date;
}

/** The whole event; the adapter (handlers/http.ts) reads its ProxyEvent part. */
export interface ApiGatewayProxyEvent extends ProxyEvent {
  readonly resource: string;
  readonly headers: Record<string, string> | null;
  readonly multiValueHeaders: Record<string, string[]> | null;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly pathParameters: Record<string, string> | null;
  readonly stageVariables: null;
  readonly body: string | null;
  readonly isBase64Encoded: false;
  readonly requestContext: {
    readonly requestId: string;
    readonly resourcePath: string;
    readonly httpMethod: string;
    readonly path: string;
    readonly stage: string;
    readonly requestTimeEpoch: number;
    readonly identity: { readonly sourceIp: string; readonly userAgent: string | null };
    readonly authorizer: { readonly claims: Record<string, string> } | null;
  };
}

function singleAndMulti(pairs: Pairs): [Record<string, string> | null, Record<string, string[]> | null] {
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  const multi: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of pairs) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0 ? [null, null] : [single, multi];
}

function isPairs(headers: Pairs | Readonly<Record<string, string>>): headers is Pairs {
  return typeof (headers as Partial<Pairs>)[Symbol.iterator] === "function";
}

function copy(record: Readonly<Record<string, string>> | null | undefined): Record<string, string> | null {
  if (!record || Object.keys(record).length === 0) return null;
  return Object.assign(Object.create(null) as Record<string, string>, record);
}

/** A request target (path and query) as a URL. Joined, not resolved: "//x" is a path, never a host. */
export function parseTarget(target: string): URL {
  return new URL(`http://api.invalid${target.startsWith("/") ? "" : "/"}${target}`);
}

export function proxyEvent(request: ProxyRequest): ApiGatewayProxyEvent {
  const url = parseTarget(request.url);
  const headerPairs = request.headers === undefined ? [] : isPairs(request.headers) ? request.headers : Object.entries(request.headers);
  const [headers, multiValueHeaders] = singleAndMulti(headerPairs);
  const [queryStringParameters, multiValueQueryStringParameters] = singleAndMulti(url.searchParams);
  const userAgent = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "user-agent")?.[1] ?? null;
  const body =
    request.body === undefined || request.body === null
      ? null
      : typeof request.body === "string"
        ? request.body
        : Buffer.from(request.body).toString("utf8");
  return {
    resource: request.resource,
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: copy(request.pathParameters),
    stageVariables: null,
    body: body === "" ? null : body,
    isBase64Encoded: false,
    requestContext: {
      requestId: request.requestId,
      resourcePath: request.resource,
      httpMethod: request.method,
      path: url.pathname,
      stage: request.stage ?? "local",
      requestTimeEpoch: (request.time ?? new Date()).getTime(),
      identity: { sourceIp: request.sourceIp ?? "127.0.0.1", userAgent },
      authorizer: request.claims ? { claims: { ...request.claims } } : null,
    },
  };
}
