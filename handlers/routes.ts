/**
 * The route table: every route of the API, defined once. The TodoApi component turns it into
 * API Gateway methods, request models, Lambda functions and their IAM policies; the local server
 * serves it; the tests drive it. Add a route here and it exists everywhere.
 */
import { NotFoundError } from "./errors";
import {
  LIST_LIMIT_DEFAULT,
  createTodoBody,
  listTodosQuery,
  noQuery,
  todoIdParams,
  updateTodoBody,
  type CreateTodoBody,
  type ListTodosQuery,
  type UpdateTodoBody,
} from "./schemas";
import { DYNAMODB_ACTIONS } from "./store";
import type { JsonSchema } from "../common/gateway";
import { decodeCursor, encodeCursor, idempotencyClaim, newTodo, toChanges, type Todo, type TodoStore } from "./todos";

/** What a route handler receives: validated input and the caller, nothing of HTTP. */
export interface RouteRequest {
  readonly userId: string;
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
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface Route {
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
  /** The DynamoDB actions the handler performs: its IAM policy grants exactly these. */
  readonly actions: readonly string[];
  handle(request: RouteRequest, store: TodoStore): Promise<Reply>;
}

export const API_BASE = "/api";

export const todoPath = (id: string): string => `${API_BASE}/todos/${id}`;

function todoReply(status: number, todo: Todo, headers: Record<string, string> = {}): Reply {
  return { status, body: todo, headers: { ETag: `"${todo.version}"`, ...headers } };
}

export const routes: readonly Route[] = [
  {
    name: "createTodo",
    method: "POST",
    path: `${API_BASE}/todos`,
    summary: "Create a to-do; an Idempotency-Key header makes retries safe.",
    schemas: { body: createTodoBody, query: noQuery },
    actions: DYNAMODB_ACTIONS.create,
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
  },
  {
    name: "listTodos",
    method: "GET",
    path: `${API_BASE}/todos`,
    summary: "List the caller's to-dos, newest first, one page at a time.",
    schemas: { query: listTodosQuery },
    actions: DYNAMODB_ACTIONS.list,
    async handle(req, store) {
      const query = req.query as ListTodosQuery;
      const page = await store.list(req.userId, {
        limit: query.limit === undefined ? LIST_LIMIT_DEFAULT : Number(query.limit),
        status: query.status ?? "all",
        afterId: query.cursor === undefined ? undefined : decodeCursor(req.userId, query.cursor),
      });
      return {
        status: 200,
        body: { items: page.items, nextCursor: page.lastId ? encodeCursor(req.userId, page.lastId) : null },
      };
    },
  },
  {
    name: "getTodo",
    method: "GET",
    path: `${API_BASE}/todos/{id}`,
    summary: "Read one to-do.",
    schemas: { query: noQuery, params: todoIdParams },
    actions: DYNAMODB_ACTIONS.get,
    async handle(req, store) {
      const todo = await store.get(req.userId, req.params.id);
      if (!todo) throw new NotFoundError();
      return todoReply(200, todo);
    },
  },
  {
    name: "updateTodo",
    method: "PATCH",
    path: `${API_BASE}/todos/{id}`,
    summary: "Change a to-do's title, completion or due date; If-Match guards against lost updates.",
    schemas: { body: updateTodoBody, query: noQuery, params: todoIdParams },
    actions: DYNAMODB_ACTIONS.update,
    async handle(req, store) {
      const changes = toChanges(req.body as UpdateTodoBody);
      return todoReply(200, await store.update(req.userId, req.params.id, changes, req.now, req.ifMatch));
    },
  },
  {
    name: "deleteTodo",
    method: "DELETE",
    path: `${API_BASE}/todos/{id}`,
    summary: "Delete a to-do; If-Match guards against deleting a changed one.",
    schemas: { query: noQuery, params: todoIdParams },
    actions: DYNAMODB_ACTIONS.delete,
    async handle(req, store) {
      await store.delete(req.userId, req.params.id, req.ifMatch);
      return { status: 204 };
    },
  },
  {
    name: "clearCompleted",
    method: "POST",
    path: `${API_BASE}/todos/clear-completed`,
    summary: "Delete all of the caller's completed to-dos.",
    schemas: { query: noQuery },
    actions: DYNAMODB_ACTIONS.clearCompleted,
    async handle(req, store) {
      return { status: 200, body: { deleted: await store.clearCompleted(req.userId) } };
    },
  },
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
