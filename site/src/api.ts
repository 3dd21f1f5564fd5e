/**
 * The to-do API client: same origin, under `apiBase`. It sends the Cognito ID token (what the
 * API's authorizer checks), `If-Match` with the version a change was based on, and an
 * `Idempotency-Key` on creation so a retried POST never makes two to-dos. Failures become
 * `ApiError` (the API's {"error":{code,message}} shape) or `OfflineError` (no answer at all).
 */
import { CHANGES_LIMIT_MAX } from "../../handlers/schemas";
import type { Change, Changes, Todo } from "./replica";

/**
 * A request unanswered this long is given up and retried. Safe even if the server was merely
 * slow: a retried create carries the same Idempotency-Key, a retried edit the same If-Match.
 */
const REQUEST_TIMEOUT_MS = 20_000;

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

export interface ChangesPage {
  readonly items: readonly Change[];
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

export function createApi(apiBase: string, tokens: TokenSource) {
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

  return {
    changes(cursor: string | null): Promise<ChangesPage> {
      // The largest page the API allows: a first sync of 500 to-dos is one request.
      const query = new URLSearchParams({ limit: String(CHANGES_LIMIT_MAX), ...withCursor(cursor) });
      return send("GET", `/todos/changes?${query}`) as Promise<ChangesPage>;
    },
    get: (id: string) => send("GET", `/todos/${encodeURIComponent(id)}`) as Promise<Todo>,
    create: (fields: { title: string; dueDate?: string | null; completed?: boolean }, idempotencyKey: string) =>
      send("POST", "/todos", fields, { "Idempotency-Key": idempotencyKey }) as Promise<Todo>,
    update: (id: string, version: number, changes: Changes) =>
      send("PATCH", `/todos/${encodeURIComponent(id)}`, changes, ifMatch(version)) as Promise<Todo>,
    remove: (id: string, version: number) =>
      send("DELETE", `/todos/${encodeURIComponent(id)}`, undefined, ifMatch(version)) as Promise<void>,
    markAll: (completed: boolean, cursor: string | null) =>
      send("POST", "/todos/mark-all", { completed, ...withCursor(cursor) }) as Promise<BulkResult>,
    clearCompleted: (cursor: string | null) => send("POST", "/todos/clear-completed", withCursor(cursor)) as Promise<BulkResult>,
    /** Deletes every to-do of the person, page by page. */
    async deleteAll(): Promise<void> {
      let cursor: string | null = null;
      do cursor = ((await send("DELETE", `/todos?${new URLSearchParams(withCursor(cursor))}`)) as BulkResult).nextCursor;
      while (cursor);
    },
    /** The person's data as a file (JSON), with the name the server gives it. */
    async exportData(): Promise<{ blob: Blob; filename: string }> {
      const response = await call("GET", "/todos/export?format=json");
      if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, "The download did not work. Try again.");
      const filename = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "tasklane-todos.json";
      return { blob: await response.blob(), filename };
    },
  };
}

export type Api = ReturnType<typeof createApi>;
