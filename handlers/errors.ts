/**
 * Domain and request errors. Each carries the HTTP status and a stable machine-readable code;
 * `errorResponse` in http.ts is the one place that turns them into responses.
 */
import type { ErrorDetail } from "../common/gateway";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
    // In a Lambda archive Pulumi's serializer turns these classes into plain functions called
    // as `Super.call(this, …)`: Error() then leaves `this` alone, so set the message here (the
    // name comes from the prototype, see the end of this file).
    this.message = message;
  }
}

export class ValidationError extends HttpError {
  constructor(message: string, details: readonly ErrorDetail[] = [], code = "validation_failed") {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = "Sign in to use this API: the request carries no valid user.") {
    super(401, "unauthorized", message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = "No to-do with this id exists.") {
    super(404, "not_found", message);
  }
}

/** What every list route answers for a missing list, a malformed list id and a list the caller is not a member of. */
export const LIST_NOT_FOUND_MESSAGE = "No list with this id exists.";

/** A member whose role does not allow the operation (a non-member gets NotFoundError instead). */
export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, "forbidden", message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, "conflict", message);
  }
}

export class PreconditionFailedError extends HttpError {
  constructor(
    readonly currentVersion: number,
    what = "to-do",
  ) {
    super(
      412,
      "precondition_failed",
      `The ${what} has changed since you read it (it is now at version ${currentVersion}). Reload it and try again.`,
      [{ field: "headers.if-match", message: `current version is ${currentVersion}` }],
    );
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, "unsupported_media_type", "Send the request body as JSON with 'Content-Type: application/json'.");
  }
}

export class GoneError extends HttpError {
  constructor(code: string, message: string) {
    super(410, code, message);
  }
}

/** The caller's account was deleted (DELETE /api/account): every device of theirs signs out. */
export class AccountDeletedError extends GoneError {
  constructor() {
    super("account_deleted", "This account was deleted.");
  }
}

/** The answer would exceed what Lambda may return (6 MB). */
export class ResponseTooLargeError extends HttpError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}

/**
 * Each class's `name` lives on its prototype. This also works around pulumi/pulumi#10974: the
 * closure serializer drops the prototype of a class with no members of its own, and with it
 * `instanceof` (every error became a 500 inside Lambda). A prototype property keeps it.
 */
for (const ErrorClass of [
  HttpError,
  ValidationError,
  UnauthorizedError,
  NotFoundError,
  ForbiddenError,
  ConflictError,
  PreconditionFailedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  GoneError,
  AccountDeletedError,
  ResponseTooLargeError,
]) {
  Object.defineProperty(ErrorClass.prototype, "name", { value: ErrorClass.name, writable: true, configurable: true });
}
