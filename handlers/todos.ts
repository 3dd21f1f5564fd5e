/**
 * The to-do rules: what a to-do is, how input becomes one, how pages are addressed.
 * Nothing here knows about Lambda events, HTTP or the AWS SDK; `TodoStore` is the port the
 * DynamoDB adapter (store.ts) implements.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "./errors";
import type { CreateTodoBody, UpdateTodoBody } from "./schemas";
import { TITLE_MAX_LENGTH, TODO_ID_PATTERN } from "./schemas";

export interface Todo {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
  readonly dueDate: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export type TodoStatus = "all" | "active" | "completed";

/** The fields a PATCH may change, already normalized. */
export interface TodoChanges {
  readonly title?: string;
  readonly completed?: boolean;
  readonly dueDate?: string | null;
}

export interface ListOptions {
  readonly limit: number;
  readonly status: TodoStatus;
  /** Return to-dos older than this id (exclusive). */
  readonly afterId?: string;
}

export interface TodoPage {
  readonly items: readonly Todo[];
  /** Id of the last item returned when more may follow. */
  readonly lastId?: string;
}

export interface CreateResult {
  readonly todo: Todo;
  /** False when an idempotent retry returned the to-do an earlier request created. */
  readonly created: boolean;
}

export interface IdempotencyClaim {
  /** Hash of the caller's Idempotency-Key. */
  readonly keyHash: string;
  /** Hash of the request it first came with: the same key with another request is a conflict. */
  readonly requestHash: string;
}

/** Storage port. Every call is scoped by `userId`: one user can never address another's items. */
export interface TodoStore {
  create(userId: string, todo: Todo, idempotency?: IdempotencyClaim): Promise<CreateResult>;
  get(userId: string, id: string): Promise<Todo | undefined>;
  list(userId: string, options: ListOptions): Promise<TodoPage>;
  /** Throws NotFoundError, or PreconditionFailedError when `expectedVersion` is stale. */
  update(userId: string, id: string, changes: TodoChanges, updatedAt: string, expectedVersion?: number): Promise<Todo>;
  /** Throws NotFoundError, or PreconditionFailedError when `expectedVersion` is stale. */
  delete(userId: string, id: string, expectedVersion?: number): Promise<void>;
  /** Deletes every completed to-do of the user; returns how many. */
  clearCompleted(userId: string): Promise<number>;
}

const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The title without surrounding whitespace: 1 to TITLE_MAX_LENGTH characters, well-formed. */
export function normalizeTitle(raw: string): string {
  const title = raw.trim();
  if (title.length === 0) {
    throw new ValidationError("The title is empty: write at least one visible character.", [
      { field: "body.title", message: "must not be blank" },
    ]);
  }
  if (!isWellFormed(title)) {
    throw new ValidationError("The title contains broken Unicode (a lone surrogate).", [
      { field: "body.title", message: "must be well-formed Unicode" },
    ]);
  }
  // Code points, as JSON Schema's maxLength counts them: an emoji is one character, not two.
  const length = [...title].length;
  if (length > TITLE_MAX_LENGTH) {
    throw new ValidationError(`The title is ${length} characters long: ${TITLE_MAX_LENGTH} at most.`, [
      { field: "body.title", message: `must be at most ${TITLE_MAX_LENGTH} characters after trimming` },
    ]);
  }
  return title;
}

/** A YYYY-MM-DD string (the schema checks the shape) that names a real calendar day. */
export function normalizeDueDate(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const date = new Date(`${raw}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw new ValidationError(`The due date ${raw} is not a calendar day.`, [
      { field: "body.dueDate", message: "must be a real date as YYYY-MM-DD" },
    ]);
  }
  return raw;
}

export function newTodo(body: CreateTodoBody, id: string, now: string): Todo {
  return {
    id,
    title: normalizeTitle(body.title),
    completed: body.completed ?? false,
    dueDate: normalizeDueDate(body.dueDate),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

export function toChanges(body: UpdateTodoBody): TodoChanges {
  return {
    ...(body.title !== undefined && { title: normalizeTitle(body.title) }),
    ...(body.completed !== undefined && { completed: body.completed }),
    ...(body.dueDate !== undefined && { dueDate: normalizeDueDate(body.dueDate) }),
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function idempotencyClaim(key: string, request: unknown): IdempotencyClaim {
  return { keyHash: sha256(key), requestHash: sha256(canonicalJson(request)) };
}

// Cursors are opaque to clients. Each carries the position (the last id of the page) and a seal:
// a hash of the position and the user it was issued to. A cursor from another user, or one whose
// bytes were edited, appended to or re-encoded, is refused (400) instead of being followed. The
// seal is not keyed with a secret: a user who knows the scheme could forge a cursor, but only for
// a position in their own partition (the adapter always queries the caller's own `userId`), so a
// forgery can never reach another user's data.
const CURSOR_VERSION = 2;
const todoIdRegExp = new RegExp(TODO_ID_PATTERN);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const cursorSeal = (userId: string, lastId: string): string => sha256(`${CURSOR_VERSION}\n${userId}\n${lastId}`).slice(0, 22);

export function encodeCursor(userId: string, lastId: string): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, k: lastId, s: cursorSeal(userId, lastId) })).toString("base64url");
}

export function decodeCursor(userId: string, cursor: string): string {
  const invalid = () =>
    new ValidationError(
      "The cursor is not valid for this list: start again from the first page.",
      [{ field: "query.cursor", message: "is not a cursor this API issued to you" }],
      "invalid_cursor",
    );
  if (!BASE64URL.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const k = (parsed as { k?: unknown } | null)?.k;
  // Re-encoding must give back the very same string: that checks the version, the seal (user and
  // position), and that nothing was added, dropped or encoded differently.
  if (typeof k !== "string" || !todoIdRegExp.test(k) || encodeCursor(userId, k) !== cursor) throw invalid();
  return k;
}
