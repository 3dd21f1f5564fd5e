/**
 * What a route is: its shape, the store operation it uses, the access it needs. The route table
 * (routes.ts, routes-lists.ts) is made of these.
 */
import type { JsonSchema } from "../common/gateway";
import type { AccountAdmin } from "./account";
import type { Access, Caller, Role } from "./lists";
import { sealCursor } from "./cursor";
import { TODO_ID_PATTERN } from "./schemas";
import { DYNAMODB_ACTIONS, type StoreOperation } from "./store";
import type { BulkResult, Todo, TodoStore } from "./todos";

/** What a route handler receives: validated input and the caller, nothing of HTTP. */
export interface RouteRequest {
  readonly userId: string;
  /** The caller as the authorizer's claims say: their id and e-mail (never from the request). */
  readonly caller: Caller;
  /** On a list route: the caller's role in the list, read from the table by the adapter. */
  readonly role?: Role;
  readonly requestId: string;
  /** Validated against the route's body schema (absent for routes without one). */
  readonly body: unknown;
  readonly query: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  /** The version from an `If-Match` header, when one was sent. */
  readonly ifMatch?: number;
  readonly idempotencyKey?: string;
  readonly now: string;
  newId(): string;
  /** Milliseconds left before the function must have answered. */
  readonly timeLeft: () => number;
  /** On a route that `endsAccount`: Cognito and the sweep's timer. */
  readonly admin?: AccountAdmin;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body sent as it is instead of as JSON (a download); `headers` give its Content-Type. */
  readonly text?: string;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface Route<K extends StoreOperation = StoreOperation> {
  /** Stable name: the Lambda function, its role, log group and alarms are named after it. */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax, parameters as `{name}`. */
  readonly path: string;
  readonly summary: string;
  readonly schemas: {
    /** JSON body schema; API Gateway validates it too. Routes without one take no body. */
    readonly body?: JsonSchema;
    readonly query: JsonSchema;
    readonly params?: JsonSchema;
  };
  /** The one operation of the store the handler uses; its Lambda function carries only that. */
  readonly operation: K;
  /**
   * What the caller's role must allow (lists.ts ROLE_PERMISSIONS): for anything but "none", the
   * path has `{listId}` and the adapter reads the caller's membership before `handle` runs.
   */
  readonly access: Access | "none";
  /**
   * The route deletes the caller's account: it alone still answers once the account is marked
   * deleted (the others answer 410), and its function may call Cognito's admin API and schedule
   * the sweep (TodoApi grants exactly that). @default false
   */
  readonly endsAccount?: boolean;
  /**
   * Deprecated, to be removed: the old `/api/todos…` routes, which address the caller's first list
   * only (the list routes replaced them; the site no longer calls them). Its answers carry
   * `Deprecation` (common/gateway.ts DEPRECATION_HEADER) and the OpenAPI document marks it `deprecated`. @default false
   */
  readonly deprecated?: boolean;
  /**
   * The store operations its function carries: `operation`; `membership` on a list route; and
   * `accountDeleted` (the marker read, see handlers/table.ts) on every route but one that `endsAccount`.
   */
  readonly operations: readonly StoreOperation[];
  /** The DynamoDB actions of those operations (DYNAMODB_ACTIONS): its IAM policy grants exactly these. */
  readonly actions: readonly string[];
  /** Indexes of the table the handler queries: its IAM policy covers them too. @default none */
  readonly indexes?: readonly string[];
  /** Sees only its own operation of the store (with K = every operation, the whole store). */
  handle(request: RouteRequest, store: Pick<TodoStore, K>): Promise<Reply>;
}

/** A route of the table, its store operations and IAM actions taken from its operation and access. */
export function defineRoute<K extends StoreOperation>(route: Omit<Route<K>, "actions" | "operations">): Route<K> {
  const operations: StoreOperation[] = [
    route.operation,
    ...(route.access === "none" ? [] : ["membership" as const]),
    ...(route.endsAccount ? [] : ["accountDeleted" as const]),
  ];
  return { ...route, operations, actions: [...new Set(operations.flatMap((operation) => DYNAMODB_ACTIONS[operation]))] };
}

export const API_BASE = "/api";

const todoIdRegExp = new RegExp(TODO_ID_PATTERN);
/** Any sort key of the caller's partition (a to-do id or an idempotency record's key). */
const SORT_KEY = /^[\x21-\x7E]{1,128}$/;

/** The position in a to-do cursor (a list page, a bulk change), or undefined when it is not one. */
export const todoIdPosition = (position: unknown): string | undefined =>
  typeof position === "string" && todoIdRegExp.test(position) ? position : undefined;

/** A mark-all cursor's position: the value being set and the last to-do done. */
export function readMarkAllPosition(position: unknown): { completed: boolean; after: string } | undefined {
  if (position === null || typeof position !== "object") return undefined;
  const { c, a } = position as { c?: unknown; a?: unknown };
  const after = todoIdPosition(a);
  return typeof c === "boolean" && after !== undefined ? { completed: c, after } : undefined;
}

export const sortKeyPosition = (position: unknown): string | undefined =>
  typeof position === "string" && SORT_KEY.test(position) ? position : undefined;

/** `{count-name: n, nextCursor}` for a bulk change: a cursor while work is left, else null. */
export function bulkReply(
  route: string,
  userId: string,
  countName: string,
  result: BulkResult,
  position: (last: string) => unknown = (l) => l,
): Reply {
  return {
    status: 200,
    body: { [countName]: result.count, nextCursor: result.last === undefined ? null : sealCursor(userId, route, position(result.last)) },
  };
}

export function todoReply(status: number, todo: Todo, headers: Record<string, string> = {}): Reply {
  return { status, body: todo, headers: { ETag: `"${todo.version}"`, ...headers } };
}
