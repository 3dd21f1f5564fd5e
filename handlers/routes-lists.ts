/**
 * The routes of lists and sharing (issue 17), part of the one route table (routes.ts spreads
 * them in). Every route under `/api/lists/{listId}` declares the access it needs: the HTTP
 * adapter has read the caller's membership and checked it against ROLE_PERMISSIONS before
 * `handle` runs, so `req.params.listId` is a list the caller may use that way, and `req.role`
 * their role. The to-do routes reuse the to-do operations of the store with the list as the
 * partition: field names, cursors, continuations and limits are today's.
 */
import { openCursor, sealCursor } from "./cursor";
import { ForbiddenError, NotFoundError, ValidationError } from "./errors";
import { exportFile } from "./export";
import { can, MAX_TODOS_PER_LIST, type Role, type TodoList } from "./lists";
import { topPosition } from "./positions";
import {
  API_BASE,
  bulkReply,
  defineRoute,
  readMarkAllPosition,
  sortKeyPosition,
  todoIdPosition,
  todoReply,
  type Reply,
  type Route,
  type RouteRequest,
} from "./route";
import {
  CHANGES_LIMIT_DEFAULT,
  LIST_ID_PATTERN,
  LIST_LIMIT_DEFAULT,
  changesQuery,
  type ChangesQuery,
  clearCompletedBody,
  createListBody,
  createTodoBody,
  cursorQuery,
  exportQuery,
  invitationParams,
  inviteBody,
  listIdParams,
  listTodoParams,
  listTodosQuery,
  markAllBody,
  memberParams,
  noQuery,
  updateListBody,
  updateListTodoBody,
  updateMemberBody,
  type CreateListBody,
  type CreateTodoBody,
  type CursorInput,
  type ExportQuery,
  type InviteBody,
  type ListTodosQuery,
  type MarkAllBody,
  type UpdateListBody,
  type UpdateListTodoBody,
  type UpdateMemberBody,
} from "./schemas";
import { assertFresh, caughtUp } from "./sync";
import { CHANGES_INDEX } from "./table";
import { idempotencyClaim, newTodo, toChanges, type Todo } from "./todos";
import type { FeedStop } from "./lists";

export const LISTS = `${API_BASE}/lists`;
const LIST = `${LISTS}/{listId}`;
const LIST_TODOS = `${LIST}/todos`;

// Route names their cursors are sealed to.
const LIST_LIST_TODOS = "listListTodos";
const LIST_MARK_ALL = "listMarkAll";
const LIST_CLEAR_COMPLETED = "listClearCompleted";
const DELETE_LIST = "deleteList";
const ALL_CHANGES = "allChanges";

/** What a feed cursor holds: `s` since, and inside a pass `t` its start, `l` the list, `k`/`i` the last item's change and sort keys. */
interface FeedPosition {
  readonly since: string;
  readonly pass?: { readonly startedAt: string; readonly stop: FeedStop };
}
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LIST_ID = new RegExp(LIST_ID_PATTERN);
const KEY = /^[\x21-\x7E]{1,300}$/;

function feedPositionToJson(p: FeedPosition): Record<string, string> {
  if (!p.pass) return { s: p.since };
  const { startedAt, stop } = p.pass;
  return { s: p.since, t: startedAt, l: stop.listId, ...(stop.after && { k: stop.after.changeKey, i: stop.after.sortKey }) };
}

function feedPositionFromJson(json: unknown): FeedPosition | undefined {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined;
  const { s, t, l, k, i, ...rest } = json as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof s !== "string" || (s !== "" && !ISO_INSTANT.test(s))) return undefined;
  if (t === undefined && l === undefined && k === undefined && i === undefined) return s === "" ? undefined : { since: s };
  if (typeof t !== "string" || !ISO_INSTANT.test(t) || typeof l !== "string" || !LIST_ID.test(l)) return undefined;
  if (k === undefined && i === undefined) return { since: s, pass: { startedAt: t, stop: { listId: l } } };
  if (typeof k !== "string" || !KEY.test(k) || typeof i !== "string" || !KEY.test(i)) return undefined;
  return { since: s, pass: { startedAt: t, stop: { listId: l, after: { changeKey: k, sortKey: i } } } };
}

/** Cursors of a list route are sealed to the caller AND the list: one list's cursor is refused by another. */
const cursorOwner = (req: RouteRequest): string => `${req.userId}\n${req.params.listId}`;

/** The role the adapter read (list routes always have one). */
const roleOf = (req: RouteRequest): Role => {
  if (req.role === undefined) throw new Error("list route without a role: the adapter did not check membership");
  return req.role;
};

/** A to-do as list routes show it: with a position, the one it was created with when never moved. */
const inList = (todo: Todo): Todo => ({ ...todo, position: todo.position ?? topPosition(Date.parse(todo.createdAt)) });

function listReply(status: number, list: TodoList, headers: Record<string, string> = {}): Reply {
  return { status, body: list, headers: { ETag: `"${list.version}"`, ...headers } };
}

export const LIST_ROUTES: readonly Route[] = [
  // ---- lists -------------------------------------------------------------------------------
  defineRoute({
    name: "listLists",
    method: "GET",
    path: LISTS,
    summary: "The caller's lists (their first list made on first use), each with the caller's role.",
    schemas: { query: noQuery },
    operation: "lists",
    access: "none",
    async handle(req, store) {
      return { status: 200, body: { items: await store.lists(req.caller, req.now) } };
    },
  }),
  defineRoute({
    name: "createList",
    method: "POST",
    path: LISTS,
    summary: "Create a list owned by the caller; an Idempotency-Key header makes retries safe.",
    schemas: { body: createListBody, query: noQuery },
    operation: "createList",
    access: "none",
    async handle(req, store) {
      const { name } = req.body as CreateListBody;
      const { list, created } = await store.createList(
        req.caller,
        { id: req.newId(), name: name.trim(), now: req.now },
        req.idempotencyKey,
      );
      return listReply(201, list, { Location: `${LISTS}/${list.id}`, ...(!created && { "Idempotent-Replayed": "true" }) });
    },
  }),
  defineRoute({
    name: "getList",
    method: "GET",
    path: LIST,
    summary: "Read one list (name, the caller's role, version).",
    schemas: { query: noQuery, params: listIdParams },
    operation: "getList",
    access: "read",
    async handle(req, store) {
      const list = await store.getList(req.params.listId, req.userId);
      if (!list) throw new NotFoundError();
      return listReply(200, list);
    },
  }),
  defineRoute({
    name: "updateList",
    method: "PATCH",
    path: LIST,
    summary: "Rename a list (owner; If-Match guards the name) or move it in the caller's own order (any member).",
    schemas: { body: updateListBody, query: noQuery, params: listIdParams },
    operation: "updateList",
    access: "read",
    async handle(req, store) {
      const body = req.body as UpdateListBody;
      if (body.name !== undefined && !can(roleOf(req), "manage")) throw new ForbiddenError(`Only the list's owner may rename it.`);
      const changes = {
        ...(body.name !== undefined && { name: body.name.trim() }),
        ...(body.position !== undefined && { position: body.position }),
      };
      return listReply(200, await store.updateList(req.params.listId, req.userId, changes, req.now, req.ifMatch));
    },
  }),
  defineRoute({
    name: DELETE_LIST,
    method: "DELETE",
    path: LIST,
    summary: "Delete a list with its to-dos (owner); a nextCursor means work is left: call again with it.",
    schemas: { query: cursorQuery, params: listIdParams },
    operation: "deleteList",
    access: "manage",
    async handle(req, store) {
      const { cursor } = req.query as CursorInput;
      const after = cursor === undefined ? undefined : openCursor(cursorOwner(req), DELETE_LIST, cursor, sortKeyPosition);
      const result = await store.deleteList(req.params.listId, req.userId, req.now, { after, timeLeft: req.timeLeft });
      return bulkReply(DELETE_LIST, cursorOwner(req), "deleted", result);
    },
  }),

  // ---- to-dos of a list --------------------------------------------------------------------
  defineRoute({
    name: "createListTodo",
    method: "POST",
    path: LIST_TODOS,
    summary: "Create a to-do on top of the list; an Idempotency-Key header makes retries safe.",
    schemas: { body: createTodoBody, query: noQuery, params: listIdParams },
    operation: "create",
    access: "write",
    async handle(req, store) {
      const body = req.body as CreateTodoBody;
      const todo: Todo = { ...newTodo(body, req.newId(), req.now), lastEditedBy: req.userId, position: topPosition(Date.parse(req.now)) };
      // The key is scoped to the list by its partition; the caller is part of the request hashed.
      const claim = req.idempotencyKey === undefined ? undefined : idempotencyClaim(`${req.userId}\n${req.idempotencyKey}`, body);
      const result = await store.create(req.params.listId, todo, claim, MAX_TODOS_PER_LIST);
      return todoReply(201, inList(result.todo), {
        Location: `${LISTS}/${req.params.listId}/todos/${result.todo.id}`,
        ...(!result.created && { "Idempotent-Replayed": "true" }),
      });
    },
  }),
  defineRoute({
    name: LIST_LIST_TODOS,
    method: "GET",
    path: LIST_TODOS,
    summary: "The list's to-dos, newest first, one page at a time (each with its position for the manual order).",
    schemas: { query: listTodosQuery, params: listIdParams },
    operation: "list",
    access: "read",
    async handle(req, store) {
      const query = req.query as ListTodosQuery;
      const page = await store.list(req.params.listId, {
        limit: query.limit === undefined ? LIST_LIMIT_DEFAULT : Number(query.limit),
        status: query.status ?? "all",
        afterId: query.cursor === undefined ? undefined : openCursor(cursorOwner(req), LIST_LIST_TODOS, query.cursor, todoIdPosition),
      });
      return {
        status: 200,
        body: {
          items: page.items.map(inList),
          nextCursor: page.lastId ? sealCursor(cursorOwner(req), LIST_LIST_TODOS, page.lastId) : null,
        },
      };
    },
  }),
  defineRoute({
    name: "getListTodo",
    method: "GET",
    path: `${LIST_TODOS}/{todoId}`,
    summary: "Read one to-do of the list.",
    schemas: { query: noQuery, params: listTodoParams },
    operation: "get",
    access: "read",
    async handle(req, store) {
      const todo = await store.get(req.params.listId, req.params.todoId);
      if (!todo) throw new NotFoundError();
      return todoReply(200, inList(todo));
    },
  }),
  defineRoute({
    name: "updateListTodo",
    method: "PATCH",
    path: `${LIST_TODOS}/{todoId}`,
    summary:
      "Change a to-do's title, completion, due date or position, or move it (listId) to another list the caller can write to; If-Match guards against lost updates.",
    schemas: { body: updateListTodoBody, query: noQuery, params: listTodoParams },
    operation: "updateListTodo",
    access: "write",
    async handle(req, store) {
      const body = req.body as UpdateListTodoBody;
      const changes = { ...toChanges(body), ...(body.position !== undefined && { position: body.position }), lastEditedBy: req.userId };
      const moveTo = body.listId === undefined ? undefined : { listId: body.listId, sub: req.userId, todoLimit: MAX_TODOS_PER_LIST };
      const result = await store.updateListTodo(req.params.listId, req.params.todoId, changes, req.now, req.ifMatch, moveTo);
      return todoReply(200, inList(result.todo), {
        ...(result.listId !== req.params.listId && { "Content-Location": `${LISTS}/${result.listId}/todos/${result.todo.id}` }),
      });
    },
  }),
  defineRoute({
    name: "deleteListTodo",
    method: "DELETE",
    path: `${LIST_TODOS}/{todoId}`,
    summary: "Delete a to-do of the list; If-Match guards against deleting a changed one.",
    schemas: { query: noQuery, params: listTodoParams },
    operation: "delete",
    access: "write",
    async handle(req, store) {
      await store.delete(req.params.listId, req.params.todoId, req.now, req.ifMatch, true);
      return { status: 204 };
    },
  }),
  defineRoute({
    name: "listSummary",
    method: "GET",
    path: `${LIST_TODOS}/summary`,
    summary: "Count the list's to-dos: total, active and completed, exact at any size.",
    schemas: { query: noQuery, params: listIdParams },
    operation: "summary",
    access: "read",
    async handle(req, store) {
      return { status: 200, body: await store.summary(req.params.listId) };
    },
  }),
  defineRoute({
    name: LIST_MARK_ALL,
    method: "POST",
    path: `${LIST_TODOS}/mark-all`,
    summary: "Set completed on every to-do of the list; a nextCursor means work is left: call again with it.",
    schemas: { body: markAllBody, query: noQuery, params: listIdParams },
    operation: "markAll",
    access: "write",
    async handle(req, store) {
      const body = req.body as MarkAllBody;
      let after: string | undefined;
      if (body.cursor !== undefined) {
        const position = openCursor(cursorOwner(req), LIST_MARK_ALL, body.cursor, readMarkAllPosition);
        if (position.completed !== body.completed) {
          throw new ValidationError(
            `This cursor continues marking every to-do as ${position.completed ? "completed" : "active"}: send completed: ${position.completed} with it, or start again without a cursor.`,
            [{ field: "body.completed", message: "differs from the cursor's" }],
            "invalid_cursor",
          );
        }
        after = position.after;
      }
      const result = await store.markAll(req.params.listId, body.completed, req.now, {
        after,
        timeLeft: req.timeLeft,
        editedBy: req.userId,
      });
      return bulkReply(LIST_MARK_ALL, cursorOwner(req), "changed", result, (last) => ({ c: body.completed, a: last }));
    },
  }),
  defineRoute({
    name: LIST_CLEAR_COMPLETED,
    method: "POST",
    path: `${LIST_TODOS}/clear-completed`,
    summary: "Delete the list's completed to-dos (those still completed when deleted); a nextCursor means work is left.",
    schemas: { body: clearCompletedBody, query: noQuery, params: listIdParams },
    operation: "clearCompleted",
    access: "write",
    async handle(req, store) {
      const { cursor } = req.body as CursorInput;
      const after = cursor === undefined ? undefined : openCursor(cursorOwner(req), LIST_CLEAR_COMPLETED, cursor, todoIdPosition);
      const result = await store.clearCompleted(req.params.listId, req.now, { after, timeLeft: req.timeLeft, counted: true });
      return bulkReply(LIST_CLEAR_COMPLETED, cursorOwner(req), "deleted", result);
    },
  }),
  defineRoute({
    name: "listExport",
    method: "GET",
    path: `${LIST_TODOS}/export`,
    summary: "Download all of the list's to-dos as JSON (default) or CSV.",
    schemas: { query: exportQuery, params: listIdParams },
    operation: "exportAll",
    access: "read",
    async handle(req, store) {
      const { format = "json" } = req.query as ExportQuery;
      const file = exportFile(await store.exportAll(req.params.listId), format, req.now);
      return { status: 200, text: file.text, headers: file.headers };
    },
  }),

  // ---- members -----------------------------------------------------------------------------
  defineRoute({
    name: "listMembers",
    method: "GET",
    path: `${LIST}/members`,
    summary: "The list's members (id, e-mail, role), oldest first.",
    schemas: { query: noQuery, params: listIdParams },
    operation: "members",
    access: "read",
    async handle(req, store) {
      return { status: 200, body: { items: await store.members(req.params.listId) } };
    },
  }),
  defineRoute({
    name: "inviteMember",
    method: "POST",
    path: `${LIST}/members`,
    summary: "Invite a person by e-mail as editor or viewer (owner); the answer never tells whether the e-mail has an account.",
    schemas: { body: inviteBody, query: noQuery, params: listIdParams },
    operation: "invite",
    access: "manage",
    async handle(req, store) {
      const { email, role } = req.body as InviteBody;
      const address = email.trim().toLowerCase();
      await store.invite(req.params.listId, { email: address, role, invitedBy: req.caller.email ?? "", now: req.now });
      return { status: 202, body: { email: address, role, status: "invited" } };
    },
  }),
  defineRoute({
    name: "updateMember",
    method: "PATCH",
    path: `${LIST}/members/{memberId}`,
    summary: "Change a member's role (owner); the role owner hands the list over, the caller becoming an editor.",
    schemas: { body: updateMemberBody, query: noQuery, params: memberParams },
    operation: "updateMember",
    access: "manage",
    async handle(req, store) {
      const { role } = req.body as UpdateMemberBody;
      const member = await store.updateMember(req.params.listId, req.userId, req.params.memberId, role, req.now, req.ifMatch);
      return { status: 200, body: member, headers: { ETag: `"${member.version}"` } };
    },
  }),
  defineRoute({
    name: "removeMember",
    method: "DELETE",
    path: `${LIST}/members/{memberId}`,
    summary: "Remove a member (owner), or leave (any member, with their own id); the owner must hand over first.",
    schemas: { query: noQuery, params: memberParams },
    operation: "removeMember",
    access: "read",
    async handle(req, store) {
      if (req.params.memberId !== req.userId && !can(roleOf(req), "manage")) {
        throw new ForbiddenError("Only the list's owner may remove other members; you may remove yourself (leave).");
      }
      await store.removeMember(req.params.listId, req.params.memberId, req.now);
      return { status: 204 };
    },
  }),

  // ---- invitations (to the caller, by their verified e-mail) --------------------------------
  defineRoute({
    name: "listInvitations",
    method: "GET",
    path: `${API_BASE}/invitations`,
    summary: "Invitations to the caller's verified e-mail address (none while it is not verified).",
    schemas: { query: noQuery },
    operation: "invitations",
    access: "none",
    async handle(req, store) {
      const email = req.caller.verifiedEmail;
      return { status: 200, body: { items: email === undefined ? [] : await store.invitations(email, req.now) } };
    },
  }),
  defineRoute({
    name: "acceptInvitation",
    method: "POST",
    path: `${API_BASE}/invitations/{invitationId}/accept`,
    summary: "Accept an invitation to the caller's verified e-mail: join the list with the invited role.",
    schemas: { query: noQuery, params: invitationParams },
    operation: "acceptInvitation",
    access: "none",
    async handle(req, store) {
      const email = req.caller.verifiedEmail;
      if (email === undefined) throw new NotFoundError("No invitation with this id exists.");
      const list = await store.acceptInvitation({ ...req.caller, verifiedEmail: email }, req.params.invitationId, req.now);
      return listReply(200, list);
    },
  }),
  defineRoute({
    name: "declineInvitation",
    method: "DELETE",
    path: `${API_BASE}/invitations/{invitationId}`,
    summary: "Decline an invitation to the caller's verified e-mail.",
    schemas: { query: noQuery, params: invitationParams },
    operation: "declineInvitation",
    access: "none",
    async handle(req, store) {
      const email = req.caller.verifiedEmail;
      if (email === undefined) throw new NotFoundError("No invitation with this id exists.");
      await store.declineInvitation(email, req.params.invitationId);
      return { status: 204 };
    },
  }),

  // ---- the feed of everything the caller can see ------------------------------------------
  defineRoute({
    name: ALL_CHANGES,
    method: "GET",
    path: `${API_BASE}/changes`,
    summary:
      "Everything the caller can see changed since a cursor: their lists (joined, changed, removed), each list's to-dos (tombstones too) and members.",
    schemas: { query: changesQuery },
    operation: "allChanges",
    access: "none",
    indexes: [CHANGES_INDEX.name],
    async handle(req, store) {
      const query = req.query as ChangesQuery;
      const position: FeedPosition =
        query.cursor === undefined ? { since: "" } : openCursor(req.userId, ALL_CHANGES, query.cursor, feedPositionFromJson);
      assertFresh({ since: position.pass?.startedAt ?? position.since }, req.now);
      const startedAt = position.pass?.startedAt ?? req.now;
      const page = await store.allChanges(
        req.caller,
        {
          since: position.since,
          stop: position.pass?.stop,
          limit: query.limit === undefined ? CHANGES_LIMIT_DEFAULT : Number(query.limit),
        },
        req.now,
      );
      const next: FeedPosition = page.stop
        ? { since: position.since, pass: { startedAt, stop: page.stop } }
        : { since: caughtUp(position.since, startedAt).since };
      return {
        status: 200,
        body: {
          items: page.items,
          nextCursor: sealCursor(req.userId, ALL_CHANGES, feedPositionToJson(next)),
          hasMore: page.stop !== undefined,
        },
      };
    },
  }),
];
