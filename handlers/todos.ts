/**
 * The to-do rules: what a to-do is, how input becomes one, how pages are addressed.
 * Nothing here knows about Lambda events, HTTP or the AWS SDK; `TodoStore` is the port the
 * DynamoDB adapter (store.ts) implements.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "./errors";
import type { AccountStore } from "./account";
import type { FeedStore, ListStore } from "./lists";
import type { CreateTodoBody, UpdateTodoBody } from "./schemas";
import { TITLE_MAX_LENGTH } from "./schemas";

export interface Todo {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
  readonly dueDate: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  /** Under a list (issue 17): who changed it last (a member's id). Absent on the old routes. */
  readonly lastEditedBy?: string;
  /** Under a list: its place in the list's manual order (positions.ts). Absent on the old routes. */
  readonly position?: string;
}

export type TodoStatus = "all" | "active" | "completed";

/** The fields a PATCH may change, already normalized. */
export interface TodoChanges {
  readonly title?: string;
  readonly completed?: boolean;
  readonly dueDate?: string | null;
  readonly lastEditedBy?: string;
  readonly position?: string;
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

/** A deleted to-do as the change feed reports it; every read path treats it as absent. */
export interface Tombstone {
  readonly id: string;
  readonly deleted: true;
  readonly version: number;
  readonly updatedAt: string;
}

/** One entry of the change feed: a to-do as it is now, or the tombstone of a deleted one. */
export type Change = Todo | Tombstone;

export interface Summary {
  readonly total: number;
  readonly active: number;
  readonly completed: number;
}

/** A place in the change feed: the (updatedAt, id) of the last change returned. */
export interface FeedPosition {
  readonly updatedAt: string;
  readonly id: string;
}

export interface ChangesOptions {
  /** Changes with `updatedAt` at or after this instant ("" for all). */
  readonly since: string;
  /** Continue after this change (a page boundary inside one sync). */
  readonly after?: FeedPosition;
  readonly limit: number;
}

export interface ChangesPage {
  readonly items: readonly Change[];
  /** The last change returned, when more may follow. */
  readonly last?: FeedPosition;
}

/** How a bulk change is bounded: it stops early, and says where, when time runs short. */
export interface BulkOptions {
  /** Continue after this sort key (where the previous call stopped). */
  readonly after?: string;
  /** Milliseconds left before the function must answer. */
  readonly timeLeft: () => number;
  /** Under a list: keep the list's count of to-dos (the limit) up to date. */
  readonly counted?: boolean;
  /** Under a list: who makes the change (`lastEditedBy`). */
  readonly editedBy?: string;
}

export interface BulkResult {
  /** How many items this call changed. */
  readonly count: number;
  /** Where it stopped, when work is left; absent when it went through the whole list. */
  readonly last?: string;
}

/**
 * Storage port. Every to-do call is scoped by a partition, named `userId` for history: the
 * caller's own (the old `/api/todos…` routes) or a list the adapter has checked the caller's
 * membership of (lists.ts). One user can never address a partition they were not let into.
 */
export interface TodoStore extends ListStore, FeedStore, AccountStore {
  /** With `todoLimit`, counts the to-do in its list first (ConflictError when the list is full). */
  create(userId: string, todo: Todo, idempotency?: IdempotencyClaim, todoLimit?: number): Promise<CreateResult>;
  get(userId: string, id: string): Promise<Todo | undefined>;
  list(userId: string, options: ListOptions): Promise<TodoPage>;
  /** Throws NotFoundError, or PreconditionFailedError when `expectedVersion` is stale. */
  update(userId: string, id: string, changes: TodoChanges, updatedAt: string, expectedVersion?: number): Promise<Todo>;
  /**
   * Under a list: `update`, or with `moveTo` a move into another list the caller can write to
   * (checked from the table): put in the target (same id), then a tombstone in the source.
   */
  updateListTodo(
    listId: string,
    id: string,
    changes: TodoChanges,
    updatedAt: string,
    expectedVersion?: number,
    moveTo?: { readonly listId: string; readonly sub: string; readonly todoLimit: number },
  ): Promise<{ todo: Todo; listId: string }>;
  /** Leaves a tombstone. Throws NotFoundError, or PreconditionFailedError when `expectedVersion` is stale. */
  delete(userId: string, id: string, deletedAt: string, expectedVersion?: number, counted?: boolean): Promise<void>;
  /** Exact counts of the user's to-dos. */
  summary(userId: string): Promise<Summary>;
  /** Sets `completed` on every to-do that differs; counts the to-dos changed. */
  markAll(userId: string, completed: boolean, updatedAt: string, options: BulkOptions): Promise<BulkResult>;
  /** Deletes (leaving tombstones) the to-dos that are still completed when deleted. */
  clearCompleted(userId: string, deletedAt: string, options: BulkOptions): Promise<BulkResult>;
  /** The change feed, oldest change first. */
  changes(userId: string, options: ChangesOptions): Promise<ChangesPage>;
  /** Every to-do of the user, newest first. */
  exportAll(userId: string): Promise<Todo[]>;
  /** Removes every item of the user: to-dos, tombstones, idempotency records. Counts the to-dos. */
  deleteAll(userId: string, options: BulkOptions): Promise<BulkResult>;
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
