/**
 * The to-do API client: same origin, under `apiBase`. It sends the Cognito ID token (what the
 * API's authorizer checks), `If-Match` with the version a change was based on, and an
 * `Idempotency-Key` on creation so a retried POST never makes two to-dos. Failures become
 * `ApiError` (the API's {"error":{code,message}} shape) or `OfflineError` (no answer at all).
 */
import { LIST_LIMIT_DEFAULT } from "../../handlers/schemas";
import type { Changes, Todo } from "./model";

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

export interface Page {
  readonly items: readonly Todo[];
  readonly nextCursor: string | null;
}

export interface TokenSource {
  /** A valid ID token; `force` refreshes it even when it looks unexpired. */
  idToken(force?: boolean): Promise<string>;
}

export function createApi(apiBase: string, tokens: TokenSource) {
  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    let response = await attempt(method, path, body, headers, await tokens.idToken());
    // The ID token may have expired between the check and the call: refresh once and retry.
    if (response.status === 401) response = await attempt(method, path, body, headers, await tokens.idToken(true));
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
      });
    } catch {
      throw new OfflineError();
    }
  }

  const ifMatch = (version: number) => ({ "If-Match": `"${version}"` });

  return {
    list(cursor: string | null): Promise<Page> {
      const query = new URLSearchParams({ limit: String(LIST_LIMIT_DEFAULT) });
      if (cursor) query.set("cursor", cursor);
      return send("GET", `/todos?${query}`) as Promise<Page>;
    },
    get: (id: string) => send("GET", `/todos/${encodeURIComponent(id)}`) as Promise<Todo>,
    create: (fields: { title: string; dueDate?: string | null }, idempotencyKey: string) =>
      send("POST", "/todos", fields, { "Idempotency-Key": idempotencyKey }) as Promise<Todo>,
    update: (id: string, version: number, changes: Changes) =>
      send("PATCH", `/todos/${encodeURIComponent(id)}`, changes, ifMatch(version)) as Promise<Todo>,
    remove: (id: string, version: number) =>
      send("DELETE", `/todos/${encodeURIComponent(id)}`, undefined, ifMatch(version)) as Promise<void>,
    clearCompleted: () => send("POST", "/todos/clear-completed") as Promise<{ deleted: number }>,
  };
}

export type Api = ReturnType<typeof createApi>;
