export { API_BASE, type HttpMethod, type Reply, type Route, type RouteRequest } from "./route";

/**
 * The route table: every route of the API, defined once. The TodoApi component turns it into
 * API Gateway methods, request models, Lambda functions and their IAM policies; the local server
 * serves it; the tests drive it. Add a route here and it exists everywhere.
 */
import { SWEEP_DELAY_MS, type AccountStop } from "./account";
import { NotFoundError, ValidationError } from "./errors";
import { openCursor, sealCursor } from "./cursor";
import { exportFile } from "./export";
import {
  CHANGES_LIMIT_DEFAULT,
  LIST_LIMIT_DEFAULT,
  changesQuery,
  clearCompletedBody,
  createTodoBody,
  cursorQuery,
  exportQuery,
  listTodosQuery,
  markAllBody,
  noQuery,
  todoIdParams,
  updateTodoBody,
  type ChangesQuery,
  type CreateTodoBody,
  type CursorInput,
  type ExportQuery,
  type ListTodosQuery,
  type MarkAllBody,
  type UpdateTodoBody,
} from "./schemas";
import { API_BASE, bulkReply, defineRoute, readMarkAllPosition, sortKeyPosition, todoIdPosition, todoReply, type Route } from "./route";
import { LIST_ROUTES } from "./routes-lists";
import { assertFresh, caughtUp, syncPositionFromJson, syncPositionToJson, type SyncPosition } from "./sync";
import { CHANGES_INDEX } from "./table";
import { idempotencyClaim, newTodo, toChanges } from "./todos";

export const todoPath = (id: string): string => `${API_BASE}/todos/${id}`;

// Route names that their own cursors are sealed to (a cursor of one route is refused by another).
const LIST_TODOS = "listTodos";
const MARK_ALL = "markAllTodos";
const CLEAR_COMPLETED = "clearCompleted";
const LIST_CHANGES = "listChanges";
const DELETE_ALL = "deleteAllTodos";
const DELETE_ACCOUNT = "deleteAccount";

/** A deletion cursor's position: `l` the list being deleted and `a` the last key done there, or neither. */
function readAccountStop(position: unknown): AccountStop | undefined {
  if (position === null || typeof position !== "object" || Array.isArray(position)) return undefined;
  const { l, a, ...rest } = position as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (l === undefined && a === undefined) return {};
  const after = sortKeyPosition(a);
  return typeof l === "string" && sortKeyPosition(l) !== undefined && after !== undefined ? { listId: l, after } : undefined;
}

export const routes: readonly Route[] = [
  defineRoute({
    name: "createTodo",
    method: "POST",
    path: `${API_BASE}/todos`,
    summary: "Create a to-do; an Idempotency-Key header makes retries safe.",
    schemas: { body: createTodoBody, query: noQuery },
    operation: "create",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const body = req.body as CreateTodoBody;
      const todo = newTodo(body, req.newId(), req.now);
      const claim = req.idempotencyKey === undefined ? undefined : idempotencyClaim(req.idempotencyKey, body);
      const result = await store.create(req.userId, todo, claim);
      return todoReply(201, result.todo, {
        Location: todoPath(result.todo.id),
        ...(!result.created && { "Idempotent-Replayed": "true" }),
      });
    },
  }),
  defineRoute({
    name: LIST_TODOS,
    method: "GET",
    path: `${API_BASE}/todos`,
    summary: "List the caller's to-dos, newest first, one page at a time.",
    schemas: { query: listTodosQuery },
    operation: "list",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const query = req.query as ListTodosQuery;
      const page = await store.list(req.userId, {
        limit: query.limit === undefined ? LIST_LIMIT_DEFAULT : Number(query.limit),
        status: query.status ?? "all",
        afterId: query.cursor === undefined ? undefined : openCursor(req.userId, LIST_TODOS, query.cursor, todoIdPosition),
      });
      return {
        status: 200,
        body: { items: page.items, nextCursor: page.lastId ? sealCursor(req.userId, LIST_TODOS, page.lastId) : null },
      };
    },
  }),
  defineRoute({
    name: "getTodo",
    method: "GET",
    path: `${API_BASE}/todos/{id}`,
    summary: "Read one to-do.",
    schemas: { query: noQuery, params: todoIdParams },
    operation: "get",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const todo = await store.get(req.userId, req.params.id);
      if (!todo) throw new NotFoundError();
      return todoReply(200, todo);
    },
  }),
  defineRoute({
    name: "updateTodo",
    method: "PATCH",
    path: `${API_BASE}/todos/{id}`,
    summary: "Change a to-do's title, completion or due date; If-Match guards against lost updates.",
    schemas: { body: updateTodoBody, query: noQuery, params: todoIdParams },
    operation: "update",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const changes = toChanges(req.body as UpdateTodoBody);
      return todoReply(200, await store.update(req.userId, req.params.id, changes, req.now, req.ifMatch));
    },
  }),
  defineRoute({
    name: "deleteTodo",
    method: "DELETE",
    path: `${API_BASE}/todos/{id}`,
    summary: "Delete a to-do; If-Match guards against deleting a changed one.",
    schemas: { query: noQuery, params: todoIdParams },
    operation: "delete",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      await store.delete(req.userId, req.params.id, req.now, req.ifMatch);
      return { status: 204 };
    },
  }),
  defineRoute({
    name: "getSummary",
    method: "GET",
    path: `${API_BASE}/todos/summary`,
    summary: "Count the caller's to-dos: total, active and completed, exact at any size.",
    schemas: { query: noQuery },
    operation: "summary",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      return { status: 200, body: await store.summary(req.userId) };
    },
  }),
  defineRoute({
    name: MARK_ALL,
    method: "POST",
    path: `${API_BASE}/todos/mark-all`,
    summary: "Set completed on every to-do of the caller; a nextCursor means work is left: call again with it.",
    schemas: { body: markAllBody, query: noQuery },
    operation: "markAll",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const body = req.body as MarkAllBody;
      let after: string | undefined;
      if (body.cursor !== undefined) {
        const position = openCursor(req.userId, MARK_ALL, body.cursor, readMarkAllPosition);
        if (position.completed !== body.completed) {
          throw new ValidationError(
            `This cursor continues marking every to-do as ${position.completed ? "completed" : "active"}: send completed: ${position.completed} with it, or start again without a cursor.`,
            [{ field: "body.completed", message: "differs from the cursor's" }],
            "invalid_cursor",
          );
        }
        after = position.after;
      }
      const result = await store.markAll(req.userId, body.completed, req.now, { after, timeLeft: req.timeLeft });
      return bulkReply(MARK_ALL, req.userId, "changed", result, (last) => ({ c: body.completed, a: last }));
    },
  }),
  defineRoute({
    name: CLEAR_COMPLETED,
    method: "POST",
    path: `${API_BASE}/todos/clear-completed`,
    summary: "Delete the caller's completed to-dos (those still completed when deleted); a nextCursor means work is left.",
    schemas: { body: clearCompletedBody, query: noQuery },
    operation: "clearCompleted",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const { cursor } = req.body as CursorInput;
      const after = cursor === undefined ? undefined : openCursor(req.userId, CLEAR_COMPLETED, cursor, todoIdPosition);
      const result = await store.clearCompleted(req.userId, req.now, { after, timeLeft: req.timeLeft });
      return bulkReply(CLEAR_COMPLETED, req.userId, "deleted", result);
    },
  }),
  defineRoute({
    name: LIST_CHANGES,
    method: "GET",
    path: `${API_BASE}/todos/changes`,
    summary: "The caller's changes (to-dos and tombstones) since a cursor, oldest first; without one, everything.",
    schemas: { query: changesQuery },
    operation: "changes",
    access: "none",
    deprecated: true,
    indexes: [CHANGES_INDEX.name],
    async handle(req, store) {
      const query = req.query as ChangesQuery;
      const position: SyncPosition =
        query.cursor === undefined ? { since: "" } : openCursor(req.userId, LIST_CHANGES, query.cursor, syncPositionFromJson);
      assertFresh(position, req.now);
      const startedAt = position.pass?.startedAt ?? req.now;
      const page = await store.changes(req.userId, {
        since: position.since,
        after: position.pass?.after,
        limit: query.limit === undefined ? CHANGES_LIMIT_DEFAULT : Number(query.limit),
      });
      const next: SyncPosition = page.last
        ? { since: position.since, pass: { startedAt, after: page.last } }
        : caughtUp(position.since, startedAt);
      return {
        status: 200,
        body: {
          items: page.items,
          nextCursor: sealCursor(req.userId, LIST_CHANGES, syncPositionToJson(next)),
          hasMore: page.last !== undefined,
        },
      };
    },
  }),
  defineRoute({
    name: "exportTodos",
    method: "GET",
    path: `${API_BASE}/todos/export`,
    summary: "Download all of the caller's to-dos as JSON (default) or CSV.",
    schemas: { query: exportQuery },
    operation: "exportAll",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const { format = "json" } = req.query as ExportQuery;
      const file = exportFile(await store.exportAll(req.userId), format, req.now);
      return { status: 200, text: file.text, headers: file.headers };
    },
  }),
  defineRoute({
    name: DELETE_ALL,
    method: "DELETE",
    path: `${API_BASE}/todos`,
    summary: "Delete all of the caller's data (to-dos, tombstones, idempotency records); a nextCursor means work is left.",
    schemas: { query: cursorQuery },
    operation: "deleteAll",
    access: "none",
    deprecated: true,
    async handle(req, store) {
      const { cursor } = req.query as CursorInput;
      const after = cursor === undefined ? undefined : openCursor(req.userId, DELETE_ALL, cursor, sortKeyPosition);
      const result = await store.deleteAll(req.userId, { after, timeLeft: req.timeLeft });
      return bulkReply(DELETE_ALL, req.userId, "deleted", result);
    },
  }),
  ...LIST_ROUTES,
  defineRoute({
    name: DELETE_ACCOUNT,
    method: "DELETE",
    path: `${API_BASE}/account`,
    summary:
      "Delete the caller's account: their lists (each shared one handed to its oldest editor, else deleted), memberships, invitations, sessions and Cognito user; a nextCursor means work is left.",
    schemas: { query: cursorQuery },
    operation: "deleteAccount",
    access: "none",
    endsAccount: true,
    async handle(req, store) {
      const admin = req.admin;
      if (!admin) throw new Error("deleteAccount without an AccountAdmin: the function was built without Cognito's");
      const { cursor } = req.query as CursorInput;
      const stop = cursor === undefined ? undefined : openCursor(req.userId, DELETE_ACCOUNT, cursor, readAccountStop);
      const result = await store.deleteAccount({ sub: req.userId, email: req.caller.email, username: req.caller.username }, req.now, {
        stop,
        timeLeft: req.timeLeft,
        // The first call (and any fresh start): end every session at once, and schedule the sweep.
        marked: async (account) => {
          if (stop !== undefined) return;
          await admin.endSessions(account.username);
          await admin.scheduleSweep(account.sub, new Date(Date.parse(account.deletedAt) + SWEEP_DELAY_MS));
        },
      });
      if (!result.stop) await admin.deleteUser(result.account.username);
      const { handedOver, deleted, left } = result;
      return {
        status: 200,
        body: {
          handedOver,
          deleted,
          left,
          nextCursor: result.stop
            ? sealCursor(req.userId, DELETE_ACCOUNT, { ...(result.stop.listId && { l: result.stop.listId, a: result.stop.after }) })
            : null,
        },
      };
    },
  }),
];

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/**
 * Finds the route for a request path the way API Gateway does: literal segments win over
 * `{param}` segments. Undefined when no route has this method and path: API Gateway answers an
 * unknown path and an unknown method alike, with MISSING_AUTHENTICATION_TOKEN (a 404 here).
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.split("/");
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path.split("/"), segments) }))
    .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== undefined)
    .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  const best = candidates.filter((c) => Object.keys(c.params).length === Object.keys(candidates[0]?.params ?? {}).length);
  return best.find((c) => c.route.method === method);
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith("{") && p.endsWith("}")) {
      if (segments[i] === "") return undefined;
      let value: string;
      try {
        value = decodeURIComponent(segments[i]);
      } catch {
        return undefined;
      }
      params[p.slice(1, -1)] = value;
    } else if (p !== segments[i]) {
      return undefined;
    }
  }
  return params;
}

export function routeNamed(name: string): Route {
  const route = routes.find((r) => r.name === name);
  if (!route) throw new Error(`No route is named ${name}`);
  return route;
}
