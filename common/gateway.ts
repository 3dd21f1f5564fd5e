/**
 * The API's response contract, one owner for each part: the error body
 * `{"error": {"code", "message", "details", "requestId"}}`, the headers every API response
 * carries, the JSON media type, and the request models API Gateway validates with. The Lambda
 * adapter (handlers/http.ts), the OpenAPI document (components/openapi.ts) and the local API host
 * (local/) all build their responses from these.
 *
 * API Gateway's own error responses: the ones it sends before (or instead of) running Lambda.
 * The TodoApi component configures them as gateway responses; the local API host sends the
 * same statuses and bodies, so a client sees one error shape everywhere:
 * `{"error": {"code", "message", "details", "requestId"}}`.
 *
 * `message` may hold `$context.error.messageString` (API Gateway fills it in). It never holds
 * `$context.error.validationErrorString`: that text contains quotes and parts of the caller's input,
 * which would break the JSON body and echo input back. The Lambda adapter validates the same
 * schemas and names the offending field when a request gets that far; the local host logs its
 * validator's description.
 */
export interface GatewayError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export const GATEWAY_ERRORS = {
  /** No token, or a token the Cognito authorizer rejects. */
  UNAUTHORIZED: { status: 401, code: "unauthorized", message: "Sign in to use this API: the request carries no valid token." },
  /** Body refused by the request validator (the route's JSON Schema model). */
  BAD_REQUEST_BODY: {
    status: 400,
    code: "validation_failed",
    message:
      "The request body is not what this route accepts: check for malformed JSON, unknown fields, wrong types and values out of range.",
  },
  /** API Gateway answers an unknown path or method with 403 "Missing Authentication Token"; we say 404. */
  MISSING_AUTHENTICATION_TOKEN: { status: 404, code: "not_found", message: "There is no such API route." },
  ACCESS_DENIED: { status: 403, code: "forbidden", message: "This token may not call this route." },
  /**
   * No API key, or not the front door's: a call that did not come through the site's address
   * (CloudFront adds the key). API Gateway checks it after the authorizer.
   */
  INVALID_API_KEY: {
    status: 403,
    code: "forbidden",
    message: "This API answers only through the site's own address: call it there, under /api.",
  },
  THROTTLED: { status: 429, code: "throttled", message: "Too many requests: wait a moment and try again." },
  REQUEST_TOO_LARGE: { status: 413, code: "payload_too_large", message: "The request is too large." },
  DEFAULT_4XX: { status: 400, code: "bad_request", message: "The request was refused: $context.error.messageString" },
  DEFAULT_5XX: {
    status: 500,
    code: "internal_error",
    message: "Something went wrong on our side. If it keeps happening, quote the request id.",
  },
} as const satisfies Record<string, GatewayError>;

export type GatewayErrorType = keyof typeof GATEWAY_ERRORS;

/**
 * The header API Gateway reads an API key from (key source HEADER). The front door's key travels
 * in it: CloudFront adds it to every /api request (StaticSite), the OpenAPI document requires it,
 * and the local origin and API host play both parts with it.
 */
export const API_KEY_HEADER = "x-api-key";

/** One problem with a request: where (`body.title`, `query.limit`) and what. */
export interface ErrorDetail {
  /** JSON pointer-ish location of the offending input, e.g. "body.title" or "query.limit". */
  readonly field?: string;
  readonly message: string;
}

/** The one error shape of the API, whoever answers (Lambda, API Gateway, the local host). */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: readonly ErrorDetail[];
    readonly requestId: string;
  };
}

export function errorBody(code: string, message: string, requestId: string, details: readonly ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details, requestId } };
}

/** The media type of every JSON response body. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** Headers on every API response: never cached, never sniffed. */
export const API_RESPONSE_HEADERS = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } as const;

/**
 * What every answer of a deprecated route (the route table's `deprecated`) carries besides: RFC
 * 9745's `Deprecation`, `@` and the Unix time from which it is deprecated (2026-12-06). No
 * `Sunset` (RFC 8594) yet: that header promises a removal date, and none is set.
 */
export const DEPRECATION_HEADER = { Deprecation: `@${Date.UTC(2026, 11, 6) / 1000}` } as const;

/** A draft-04 JSON Schema (handlers/schemas.ts holds the API's). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * A body schema as OpenAPI 3.0 can carry it: the model API Gateway validates with, and so the
 * model the local API host validates with. OpenAPI wants no `$schema` (API Gateway treats every
 * model as draft-04 anyway), and OpenAPI 3.0 has no type arrays: `type: ["string", "null"]` is
 * draft-04 but not OpenAPI 3.0, and API Gateway's importer may refuse it. Such a property keeps
 * its other keywords (a `pattern` still binds strings) and loses `type`, so the gateway lets
 * `null` through; the Lambda adapter checks the full schema, type included, behind it.
 */
export function asModel(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  const strip = (node: JsonSchema): JsonSchema => {
    const { type, properties, ...others } = node;
    const out: Record<string, unknown> = { ...others };
    if (type !== undefined && !Array.isArray(type)) out.type = type;
    if (properties && typeof properties === "object") {
      out.properties = Object.fromEntries(Object.entries(properties as Record<string, JsonSchema>).map(([k, v]) => [k, strip(v)]));
    }
    return out;
  };
  return strip(rest);
}
