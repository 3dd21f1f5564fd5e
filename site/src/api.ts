/**
 * The to-do API client: same origin, under `apiBase`. It sends the Cognito ID token (what the
 * API's authorizer checks), `If-Match` with the version a change was based on, and an
 * `Idempotency-Key` on creation so a retried POST never makes two to-dos, and on every write the
 * device id (`X-Tasklane-Device`, device.ts: the poke of a write names it). Failures become
 * `ApiError` (the API's {"error":{code,message}} shape) or `OfflineError` (no answer at all).
 */
import { CHANGES_LIMIT_MAX } from "../../handlers/limits";
import type { Invitation } from "../../handlers/lists";
import { AuthError } from "./auth";
import type { Todo as StoredTodo } from "../../handlers/todos";
import type { Changes, FeedItem, InviteRole, ListRow, Todo } from "./replica";

export type { Invitation };

/**
 * A request unanswered this long is given up and retried. Safe even if the server was merely
 * slow: a retried create carries the same Idempotency-Key, a retried edit the same If-Match.
 */
const REQUEST_TIMEOUT_MS = 20_000;

/** What every device of a deleted account says as it signs out (the API's message with 410 account_deleted). */
export const ACCOUNT_DELETED = "This account was deleted.";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request never got an answer: offline, DNS, server down. */
export class OfflineError extends Error {
  constructor() {
    super("Can't reach the server. Check your connection.");
  }
}

/** Offline, a 5xx, 429 or 408: keep the intent and retry. */
export const transient = (err: unknown): boolean =>
  err instanceof OfflineError ||
  (err instanceof AuthError && err.code === "Offline") ||
  (err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.status === 408));
/** The account was deleted (on this device or another): every request of it answers 410 account_deleted. */
export const accountDeleted = (err: unknown): boolean => err instanceof ApiError && err.status === 410 && err.code === "account_deleted";
/** Only signing in again helps (or nothing does: the account is gone). */
export const sessionOver = (err: unknown): boolean =>
  (err instanceof AuthError && (err.code === "NotAuthorizedException" || err.code === "SignedOut")) || accountDeleted(err);

export interface FeedPage {
  readonly items: readonly FeedItem[];
  readonly nextCursor: string | null;
  readonly hasMore: boolean;
}
/** A bulk call's answer: `nextCursor` non-null means work is left (call again with it). */
export interface BulkResult {
  readonly nextCursor: string | null;
}

export interface TokenSource {
  /** A valid ID token; `force` refreshes it even when it looks unexpired. */
  idToken(force?: boolean): Promise<string>;
}

/** `device`: the headers naming this browser's device, sent with every write (device.ts `deviceHeaders`). @default none */
export function createApi(apiBase: string, tokens: TokenSource, device?: () => Record<string, string>) {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let response = await attempt(method, path, body, headers, await tokens.idToken());
    // The ID token may have expired between the check and the call (or the local stack restarted
    // with a new issuer): refresh once and retry.
    if (response.status === 401) response = await attempt(method, path, body, headers, await tokens.idToken(true));
    return response;
  }

  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await call(method, path, body, headers);
    if (response.status === 204) return undefined;
    const data: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? `The server answered ${response.status}.`,
      );
    }
    return data;
  }

  async function attempt(method: string, path: string, body: unknown, headers: Record<string, string>, token: string): Promise<Response> {
    try {
      return await fetch(apiBase + path, {
        method,
        headers: {
          Authorization: token,
          ...(body !== undefined && { "Content-Type": "application/json" }),
          ...(method !== "GET" && device?.()),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        // A request that never answers (a server half up) must not hold the queue for ever.
        signal: AbortSignal.timeout?.(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw new OfflineError();
    }
  }

  const ifMatch = (version: number) => ({ "If-Match": `"${version}"` });

  const withCursor = (cursor: string | null): Record<string, string> => (cursor ? { cursor } : {});

  const list = (listId: string) => `/lists/${encodeURIComponent(listId)}`;
  const todo = (listId: string, id: string) => `${list(listId)}/todos/${encodeURIComponent(id)}`;
  const asTodo = (listId: string) => (t: unknown) => ({ ...(t as Omit<Todo, "listId">), listId });

  return {
    changes(cursor: string | null): Promise<FeedPage> {
      // The largest page the API allows: a first sync of 500 to-dos is one request.
      const query = new URLSearchParams({ limit: String(CHANGES_LIMIT_MAX), ...withCursor(cursor) });
      return send("GET", `/changes?${query}`) as Promise<FeedPage>;
    },
    lists: () => send("GET", "/lists") as Promise<{ items: ListRow[] }>,
    createList: (name: string, idempotencyKey: string) =>
      send("POST", "/lists", { name }, { "Idempotency-Key": idempotencyKey }) as Promise<ListRow>,
    updateList: (listId: string, version: number | null, changes: { name?: string; position?: string }) =>
      send("PATCH", list(listId), changes, version === null ? {} : ifMatch(version)) as Promise<ListRow>,
    deleteList: (listId: string, cursor: string | null) =>
      send("DELETE", `${list(listId)}?${new URLSearchParams(withCursor(cursor))}`) as Promise<BulkResult>,
    invite: (listId: string, email: string, role: InviteRole) => send("POST", `${list(listId)}/members`, { email, role }),
    setRole: (listId: string, memberId: string, role: InviteRole) =>
      send("PATCH", `${list(listId)}/members/${encodeURIComponent(memberId)}`, { role }),
    removeMember: (listId: string, memberId: string) =>
      send("DELETE", `${list(listId)}/members/${encodeURIComponent(memberId)}`) as Promise<void>,
    invitations: () => send("GET", "/invitations") as Promise<{ items: Invitation[] }>,
    accept: (id: string) => send("POST", `/invitations/${encodeURIComponent(id)}/accept`) as Promise<ListRow>,
    decline: (id: string) => send("DELETE", `/invitations/${encodeURIComponent(id)}`) as Promise<void>,
    get: (listId: string, id: string) => send("GET", todo(listId, id)).then(asTodo(listId)),
    create: (listId: string, fields: { title: string; dueDate?: string | null; completed?: boolean }, idempotencyKey: string) =>
      send("POST", `${list(listId)}/todos`, fields, { "Idempotency-Key": idempotencyKey }).then(asTodo(listId)),
    /** A change, or a move (`changes.listId`): the to-do comes back in the list it is now in. */
    update: (listId: string, id: string, version: number, changes: Changes) =>
      send("PATCH", todo(listId, id), changes, ifMatch(version)).then(asTodo(changes.listId ?? listId)),
    remove: (listId: string, id: string, version: number) => send("DELETE", todo(listId, id), undefined, ifMatch(version)) as Promise<void>,
    markAll: (listId: string, completed: boolean, cursor: string | null) =>
      send("POST", `${list(listId)}/todos/mark-all`, { completed, ...withCursor(cursor) }) as Promise<BulkResult>,
    clearCompleted: (listId: string, cursor: string | null) =>
      send("POST", `${list(listId)}/todos/clear-completed`, withCursor(cursor)) as Promise<BulkResult>,
    /** Deletes the person's account on the server (lists handed over or deleted, the Cognito user), call after call while work is left. */
    async deleteAccount(): Promise<void> {
      let cursor: string | null = null;
      do cursor = ((await send("DELETE", `/account?${new URLSearchParams(withCursor(cursor))}`)) as BulkResult).nextCursor;
      while (cursor);
    },
    /** One list's to-dos as the per-list export has them (JSON); download.ts gathers every list's. */
    exportList: (listId: string) => send("GET", `${list(listId)}/todos/export?format=json`) as Promise<{ todos: StoredTodo[] }>,
  };
}

export type Api = ReturnType<typeof createApi>;
