/**
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
