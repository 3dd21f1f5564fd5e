/**
 * The device's copy of everything one person can see (their lists, each list's to-dos and
 * members), as plain data and pure functions (no DOM, no network, no IndexedDB: test/site runs
 * them under Node). The shape follows Replicache's model:
 *
 * - `lists`, `todos`, `members`: the server's copy, as last confirmed (a response or the feed);
 *   to-dos and members are keyed by list and id (`keyOf`): a to-do moved between lists is a
 *   tombstone in one and a new item in the other, with the same id and version;
 * - `queue`: the person's intents not yet confirmed, in order, each with a sequence number;
 * - what the screen shows is `project(...)`/`projectLists(...)`: the server's copy with every
 *   queued intent applied on top, so a change from elsewhere and one not yet sent both show.
 *
 * Every change to the copy is a `Tx`, applied the same way to the in-memory snapshot and to
 * IndexedDB (db.ts), so the two never drift.
 */
import type { FeedItem, Member, Role, TodoList } from "../../handlers/lists";
import { topPosition } from "../../handlers/positions";
import type { Todo as ServerTodo, Tombstone } from "../../handlers/todos";

export type { FeedItem, Role, Tombstone };
/** A to-do of a list as the device keeps it: the server's fields and the list it is in. */
export type Todo = ServerTodo & { readonly listId: string };
export type ListRow = TodoList & { readonly pending?: boolean; readonly createdAs?: string };
export type MemberRow = Member & { readonly listId: string };
export type Change = Todo | (Tombstone & { readonly listId: string });

/** What a PATCH may change (`listId`: move to that list; `position`: the manual order). */
export type Changes = { title?: string; completed?: boolean; dueDate?: string | null; position?: string; listId?: string };
/** A to-do's own fields, as a person sees them. */
export type Fields = { readonly title: string; readonly completed: boolean; readonly dueDate: string | null };
export const fieldsOf = ({ title, completed, dueDate }: Fields): Fields => ({ title, completed, dueDate });
export type InviteRole = Exclude<Role, "owner">;

export type Intent =
  /** `id` is local (`local-…`) until the server answers; `key` is the Idempotency-Key. */
  | {
      kind: "create";
      listId: string;
      id: string;
      key: string;
      title: string;
      dueDate: string | null;
      completed: boolean;
      createdAt: string;
    }
  /** `base`: the version the change was made on (If-Match); `was`: the to-do as shown then. */
  | { kind: "update"; listId: string; id: string; base: number; changes: Changes; was: Fields }
  /** `holdUntil` (undoable intents): not sent before this time (ms) while nothing is queued behind it. */
  | { kind: "delete"; listId: string; id: string; base: number; was: Fields; holdUntil?: number }
  | { kind: "markAll"; listId: string; completed: boolean; cursor?: string | null; holdUntil?: number }
  | { kind: "clearCompleted"; listId: string; cursor?: string | null; holdUntil?: number }
  | { kind: "createList"; id: string; key: string; name: string; createdAt: string }
  | { kind: "updateList"; listId: string; base: number; name?: string; position?: string }
  | { kind: "deleteList"; listId: string; name: string; cursor?: string | null }
  | { kind: "invite"; listId: string; email: string; role: InviteRole }
  | { kind: "setRole"; listId: string; memberId: string; role: InviteRole }
  /** Removes a member; `leave`: the member is the person (the list leaves their device). */
  | { kind: "removeMember"; listId: string; memberId: string; leave?: boolean };

/**
 * Undo (issue 19): delete, clear completed and mark all wait UNDO_MS (+ a margin, HOLD_MARGIN_MS,
 * so a tab that offers Undo never races the tab that sends) before they are sent, unless another
 * change is queued behind them (a new action ends the chance to undo, as in mail apps' "Undo
 * send"). Undo then takes the intent off the queue: the screen is the server's copy with the
 * queue applied, so what was there shows again exactly, and no other device ever saw it change.
 */
export const UNDO_MS = 10_000;
export const HOLD_MARGIN_MS = 2_000;

/** How long a queue's head must still wait (ms), or 0: send it. */
export function heldFor(queue: readonly Queued[], now: number): number {
  const head = queue[0]?.intent;
  if (!head || queue.length > 1 || !("holdUntil" in head) || !head.holdUntil) return 0;
  return Math.max(0, head.holdUntil - now);
}

/** The intents Undo can take back. */
export type UndoableIntent = Extract<Intent, { kind: "delete" | "markAll" | "clearCompleted" }>;

/** Intents about one to-do. */
export type TodoIntent = Extract<Intent, { kind: "create" | "update" | "delete" }>;

export interface Queued {
  readonly seq: number;
  readonly intent: Intent;
}

/**
 * A change that met a newer version and needs the person: `mine` is what they wanted, `theirs`
 * the server's to-do now (null: deleted elsewhere). `deleted`: mine was a deletion.
 */
export interface Conflict {
  readonly id: string;
  readonly listId: string;
  readonly todoId: string;
  /** The title as the person saw it before their change (what the message calls it). */
  readonly title: string;
  readonly mine: Changes;
  readonly deleted: boolean;
  /** The person's version: the to-do as they last saw it, with their change. */
  readonly seen: Fields;
  readonly theirs: Todo | null;
}

export interface Snapshot {
  /** Whose copy this is: another person's copy is wiped, never shown. */
  readonly user: string | null;
  readonly lists: ReadonlyMap<string, ListRow>;
  /** By `keyOf(listId, id)`. */
  readonly todos: ReadonlyMap<string, Todo>;
  /** By `keyOf(listId, memberId)`. */
  readonly members: ReadonlyMap<string, MemberRow>;
  readonly queue: readonly Queued[];
  readonly conflicts: readonly Conflict[];
  /** The feed's cursor; null: the next pull is a full sync. */
  readonly cursor: string | null;
  /** True once a full sync has completed: the copy is everything the person can see. */
  readonly synced: boolean;
}

export const emptySnapshot: Snapshot = {
  user: null,
  lists: new Map(),
  todos: new Map(),
  members: new Map(),
  queue: [],
  conflicts: [],
  cursor: null,
  synced: false,
};

export const keyOf = (listId: string, id: string): string => `${listId}/${id}`;

/** One atomic change of the copy (one IndexedDB transaction). */
export interface Tx {
  /** Forget the server's copy (lists, to-dos, members) before the rest applies: a full sync. */
  readonly clearAll?: boolean;
  readonly put?: readonly Todo[];
  /** Keys (`keyOf`). */
  readonly del?: readonly string[];
  readonly putLists?: readonly ListRow[];
  /** Lists gone from the device, with their to-dos, members and conflicts. */
  readonly delLists?: readonly string[];
  readonly putMembers?: readonly MemberRow[];
  readonly delMembers?: readonly string[];
  readonly cursor?: string | null;
  readonly synced?: boolean;
  readonly user?: string | null;
  readonly dequeue?: readonly number[];
  /** Queued intents rewritten in place (same seq). */
  readonly requeue?: readonly Queued[];
  readonly enqueue?: readonly Queued[];
  readonly addConflicts?: readonly Conflict[];
  readonly dropConflicts?: readonly string[];
}

const without = <T extends { listId: string }>(map: Map<string, T>, gone: Set<string>) => {
  if (gone.size) for (const [k, v] of map) if (gone.has(v.listId)) map.delete(k);
};

export function applyTx(s: Snapshot, tx: Tx): Snapshot {
  const lists = new Map(tx.clearAll ? [] : s.lists);
  const todos = new Map(tx.clearAll ? [] : s.todos);
  const members = new Map(tx.clearAll ? [] : s.members);
  const goneLists = new Set(tx.delLists);
  for (const id of goneLists) lists.delete(id);
  without(todos, goneLists);
  without(members, goneLists);
  for (const l of tx.putLists ?? []) lists.set(l.id, l);
  for (const k of tx.del ?? []) todos.delete(k);
  for (const t of tx.put ?? []) todos.set(keyOf(t.listId, t.id), t);
  for (const k of tx.delMembers ?? []) members.delete(k);
  for (const mb of tx.putMembers ?? []) members.set(keyOf(mb.listId, mb.id), mb);
  const gone = new Set(tx.dequeue);
  const rewritten = new Map((tx.requeue ?? []).map((q) => [q.seq, q]));
  const queue = [...s.queue.filter((q) => !gone.has(q.seq)).map((q) => rewritten.get(q.seq) ?? q), ...(tx.enqueue ?? [])];
  queue.sort((a, b) => a.seq - b.seq);
  const dropped = new Set(tx.dropConflicts);
  const conflicts = [...s.conflicts.filter((c) => !dropped.has(c.id) && !goneLists.has(c.listId)), ...(tx.addConflicts ?? [])];
  return {
    user: tx.user !== undefined ? tx.user : s.user,
    lists,
    todos,
    members,
    queue,
    conflicts,
    cursor: tx.cursor !== undefined ? tx.cursor : s.cursor,
    synced: tx.synced ?? s.synced,
  };
}

/** Server changes into the copy: the higher version of a (list, id) wins; a tombstone removes it. */
export function mergeChanges(todos: ReadonlyMap<string, Todo>, changes: readonly Change[]): { put: Todo[]; del: string[] } {
  const latest = new Map<string, Change>();
  for (const c of changes) {
    const k = keyOf(c.listId, c.id);
    const seen = latest.get(k) ?? todos.get(k);
    if (!seen || c.version > seen.version) latest.set(k, c);
  }
  const put: Todo[] = [];
  const del: string[] = [];
  for (const [k, c] of latest) {
    if ("deleted" in c && c.deleted) {
      if (todos.has(k)) del.push(k);
    } else put.push(c as Todo);
  }
  return { put, del };
}

/**
 * A page of GET /api/changes as a Tx on `s`: lists joined or changed, lists left (with all they
 * held), members, and to-dos by version. `me`: the person's id (a change of their own role).
 */
export function feedTx(s: Snapshot, items: readonly FeedItem[], me: string): Tx {
  const putLists = new Map<string, ListRow>();
  const delLists: string[] = [];
  const putMembers: MemberRow[] = [];
  const delMembers: string[] = [];
  const changes: Change[] = [];
  for (const item of items) {
    if (item.type === "list") {
      if ("removed" in item) delLists.push(item.id);
      else {
        const { type: _type, ...list } = item;
        putLists.set(list.id, list);
      }
    } else if (item.type === "member") {
      const { type: _type, ...member } = item;
      if ("deleted" in member) delMembers.push(keyOf(member.listId, member.id));
      else {
        putMembers.push(member);
        const list = putLists.get(member.listId) ?? s.lists.get(member.listId);
        if (member.id === me && list && list.role !== member.role) putLists.set(list.id, { ...list, role: member.role });
      }
    } else {
      const { type: _type, ...change } = item;
      changes.push(change);
    }
  }
  const { put, del } = mergeChanges(s.todos, changes);
  return { put, del, putLists: [...putLists.values()].filter((l) => !delLists.includes(l.id)), delLists, putMembers, delMembers };
}

/** A to-do on screen: `pending` until its creation is confirmed, `unsaved` while a change waits. */
export interface Item extends Todo {
  readonly pending?: boolean;
  readonly unsaved?: boolean;
}

/** Where a to-do stands in its list's manual order (one never moved: where it was created). */
export const positionOf = (t: { position?: string; createdAt: string }): string => t.position ?? topPosition(Date.parse(t.createdAt));

/** What the screen shows: the server's copy with the queue applied, in each list's order. */
export function project(todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]): Item[] {
  const items = new Map<string, Item>(todos);
  const inList = (listId: string) => [...items.entries()].filter(([, t]) => t.listId === listId);
  for (const { intent: i } of queue) {
    if (i.kind === "create") {
      const { listId, id, title, dueDate, completed, createdAt } = i;
      items.set(keyOf(listId, id), {
        listId,
        id,
        title,
        dueDate,
        completed,
        createdAt,
        updatedAt: createdAt,
        version: 0,
        pending: true,
        unsaved: true,
      });
    } else if (i.kind === "update") {
      const k = keyOf(i.listId, i.id);
      const t = items.get(k);
      if (!t) continue;
      const moved = { ...t, ...i.changes, listId: i.changes.listId ?? t.listId, unsaved: true };
      items.delete(k);
      items.set(keyOf(moved.listId, i.id), moved);
    } else if (i.kind === "delete") items.delete(keyOf(i.listId, i.id));
    else if (i.kind === "markAll") {
      for (const [k, t] of inList(i.listId)) if (t.completed !== i.completed) items.set(k, { ...t, completed: i.completed, unsaved: true });
    } else if (i.kind === "clearCompleted") {
      for (const [k, t] of inList(i.listId)) if (t.completed) items.delete(k);
    } else if (i.kind === "deleteList" || (i.kind === "removeMember" && i.leave)) {
      for (const [k] of inList(i.listId)) items.delete(k);
    }
  }
  return [...items.values()].sort(byPosition);
}

/** The lists as the screen shows them: the server's copy with list intents applied, in the person's order. */
export function projectLists(lists: ReadonlyMap<string, ListRow>, queue: readonly Queued[], me: string): ListRow[] {
  const out = new Map(lists);
  for (const { intent: i } of queue) {
    if (i.kind === "createList") {
      const { id, name, createdAt } = i;
      out.set(id, { id, name, role: "owner", ownerId: me, position: null, version: 0, createdAt, updatedAt: createdAt, pending: true });
    } else if (i.kind === "updateList") {
      const l = out.get(i.listId);
      if (l)
        out.set(l.id, { ...l, ...(i.name !== undefined && { name: i.name }), ...(i.position !== undefined && { position: i.position }) });
    } else if (i.kind === "deleteList" || (i.kind === "removeMember" && i.leave)) out.delete(i.listId);
  }
  const rank = (l: ListRow) => `${l.id === me ? "0" : "1"}${l.createdAt}`;
  return [...out.values()].sort((a, b) => {
    if (a.position !== null || b.position !== null) {
      if (a.position === null) return 1;
      if (b.position === null) return -1;
      return cmp(a.position, b.position);
    }
    return cmp(rank(a), rank(b));
  });
}

/** A list's members as the screen shows them, with role changes and removals not yet sent applied. */
export function projectMembers(members: ReadonlyMap<string, MemberRow>, queue: readonly Queued[], listId: string): MemberRow[] {
  const out = new Map([...members.values()].filter((m) => m.listId === listId).map((m) => [m.id, m]));
  for (const { intent: i } of queue) {
    if (i.kind === "setRole" && i.listId === listId) {
      const m = out.get(i.memberId);
      if (m) out.set(m.id, { ...m, role: i.role });
    } else if (i.kind === "removeMember" && i.listId === listId) out.delete(i.memberId);
  }
  return [...out.values()].sort((a, b) => cmp(a.joinedAt, b.joinedAt));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The manual order (positions), then newest first (ULIDs sort by time; local ids of one moment by key). */
export const byPosition = (a: Todo, b: Todo): number => cmp(positionOf(a), positionOf(b)) || newestFirst(a, b);

/** Newest first: by creation time, then by id. */
export const newestFirst = (a: Todo, b: Todo): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

export const isLocalId = (id: string): boolean => id.startsWith("local-");

/**
 * The conflict rule for a change refused with 412 (the to-do changed elsewhere), given the
 * server's to-do now. Field by field: theirs already equals mine -> nothing to send; theirs still
 * equals what I saw (`was`) -> they did not touch it, mine applies on their version; anything
 * else -> both changed the same field: the person decides. (A position or a move always applies.)
 */
export function rebase(mine: Changes, was: Fields, theirs: Todo): { send: Changes; clash: boolean } {
  const send: Changes = {};
  let clash = false;
  for (const k of Object.keys(mine) as (keyof Changes)[]) {
    if (theirs[k] === mine[k]) continue;
    if (k === "position" || k === "listId" || theirs[k] === was[k]) (send as Record<string, unknown>)[k] = mine[k];
    else clash = true;
  }
  return { send, clash };
}

const FIELDS = ["title", "completed", "dueDate"] as const;

/**
 * After an intent on a to-do (`from`: its list and id when made) is confirmed as `now` (its new
 * version, in its list and with its id now), later intents made on `oldBase` move to that
 * version, but only an edit made on what `now` holds (its `was` equals `now` in the fields of the
 * to-do it changes): an edit made on the older text (another tab's editor, opened before this
 * change) stays on its base, meets a 412 and the conflict rule, and overwrites nothing. Every
 * later intent on the to-do follows it to its new list or id (a move, a create's real id).
 */
export function rebased(queue: readonly Queued[], from: { listId: string; id: string }, now: Todo, oldBase: number): Queued[] {
  const out: Queued[] = [];
  const to = { listId: now.listId, id: now.id };
  const moved = from.listId !== to.listId || from.id !== to.id;
  for (const q of queue) {
    const i = q.intent;
    if ((i.kind !== "update" && i.kind !== "delete") || i.id !== from.id || i.listId !== from.listId) continue;
    const fields = i.kind === "delete" ? FIELDS : FIELDS.filter((k) => k in i.changes);
    const madeOnNow = fields.every((k) => i.was[k] === now[k]);
    if (i.base === oldBase && madeOnNow) out.push({ seq: q.seq, intent: { ...i, ...to, base: now.version } });
    else if (moved) out.push({ seq: q.seq, intent: { ...i, ...to } });
  }
  return out;
}

/** After a list made here is created on the server, later intents in it name its real id. */
export function rebasedList(queue: readonly Queued[], localId: string, id: string): Queued[] {
  const out: Queued[] = [];
  for (const q of queue) {
    const i = q.intent;
    const moveTo = i.kind === "update" && i.changes.listId === localId;
    if (("listId" in i && i.listId === localId) || moveTo) {
      const next = { ...i, ...("listId" in i && i.listId === localId && { listId: id }) } as Intent;
      out.push({ seq: q.seq, intent: moveTo && next.kind === "update" ? { ...next, changes: { ...next.changes, listId: id } } : next });
    }
  }
  return out;
}
