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
/**
 * A to-do of a list as the device keeps it: the server's fields and the list it is in, and, for one
 * made on this device, the local id it was made under (`createdAs`: another tab with an editor
 * open on it follows it to its real id).
 */
export type Todo = ServerTodo & { readonly listId: string; readonly createdAs?: string };
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
  /**
   * Not stored (applyTx and db.ts ignore it): a to-do made here got its real id from the server,
   * so the screen keeps its row, its open editor and what is typed in it under the new id.
   */
  readonly renamed?: Renamed;
}

/** A to-do made on this device (`from`: its local id) as the server named it (`to`). */
export interface Renamed {
  readonly listId: string;
  readonly from: string;
  readonly to: string;
}

const without = <T extends { listId: string }>(map: Map<string, T>, gone: Set<string>) => {
  if (gone.size) for (const [k, v] of map) if (gone.has(v.listId)) map.delete(k);
};

export function applyTx(s: Snapshot, tx: Tx): Snapshot {
  const goneLists = new Set(tx.delLists);
  // Only what the transaction touches is copied: a queue change (every change typed) keeps the
  // same maps, so what is derived from them (the order, below) is not derived again.
  const touches = (items?: readonly unknown[]) => Boolean(tx.clearAll || goneLists.size || items?.length);
  let lists = s.lists;
  if (touches(tx.putLists)) {
    const next = new Map(tx.clearAll ? [] : s.lists);
    for (const id of goneLists) next.delete(id);
    for (const l of tx.putLists ?? []) next.set(l.id, l);
    lists = next;
  }
  let todos = s.todos;
  if (touches(tx.put) || tx.del?.length) {
    const next = new Map(tx.clearAll ? [] : s.todos);
    without(next, goneLists);
    for (const k of tx.del ?? []) next.delete(k);
    for (const t of tx.put ?? []) next.set(keyOf(t.listId, t.id), t);
    if (!tx.clearAll) carryOrder(s.todos, next, tx, goneLists);
    const keys = [...(tx.del ?? []), ...(tx.put ?? []).map((t) => keyOf(t.listId, t.id))];
    if (!tx.clearAll && !goneLists.size && keys.length <= CARRY_MAX) lineage.set(next, { from: s.todos, keys: new Set(keys) });
    todos = next;
  }
  let members = s.members;
  if (touches(tx.putMembers) || tx.delMembers?.length) {
    const next = new Map(tx.clearAll ? [] : s.members);
    without(next, goneLists);
    for (const k of tx.delMembers ?? []) next.delete(k);
    for (const mb of tx.putMembers ?? []) next.set(keyOf(mb.listId, mb.id), mb);
    members = next;
  }
  let queue = s.queue;
  if (tx.dequeue?.length || tx.requeue?.length || tx.enqueue?.length) {
    const gone = new Set(tx.dequeue);
    const rewritten = new Map((tx.requeue ?? []).map((q) => [q.seq, q]));
    queue = [...s.queue.filter((q) => !gone.has(q.seq)).map((q) => rewritten.get(q.seq) ?? q), ...(tx.enqueue ?? [])].sort(
      (a, b) => a.seq - b.seq,
    );
  }
  let conflicts = s.conflicts;
  if (goneLists.size || tx.dropConflicts?.length || tx.addConflicts?.length) {
    const dropped = new Set(tx.dropConflicts);
    conflicts = [...s.conflicts.filter((c) => !dropped.has(c.id) && !goneLists.has(c.listId)), ...(tx.addConflicts ?? [])];
  }
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

/** A to-do on screen: `pending` until its creation is confirmed, `unsaved` while a change waits. */
export interface Item extends Todo {
  readonly pending?: boolean;
  readonly unsaved?: boolean;
}

/** Where a to-do stands in its list's manual order (one never moved: where it was created). */
export const positionOf = (t: { position?: string; createdAt: string }): string => t.position ?? topPosition(Date.parse(t.createdAt));

/**
 * The server's to-dos in order (every list's, by `byPosition`), derived once per map of the copy
 * and kept beside it. A transaction changing a few to-dos derives the next map's order from the
 * last one (`carryOrder`: the changed ones taken out and put back by binary search), not by
 * sorting 10,000 to-dos again for every change typed (issue 19: each change showed in 200 ms on a
 * slowed phone, most of it this sort).
 */
const orders = new WeakMap<ReadonlyMap<string, Todo>, readonly Todo[]>();

/** A map of to-dos made from another by a few changes (applyTx): which, by key. What is shown is derived from the last by them. */
const lineage = new WeakMap<ReadonlyMap<string, Todo>, { readonly from: ReadonlyMap<string, Todo>; readonly keys: ReadonlySet<string> }>();

export function ordered(todos: ReadonlyMap<string, Todo>): readonly Todo[] {
  let order = orders.get(todos);
  if (!order) orders.set(todos, (order = sortByPosition([...todos.values()])));
  return order;
}

/** Past this many changed to-dos, sorting afresh is as cheap as moving each one. */
export const CARRY_MAX = 64;

function carryOrder(before: ReadonlyMap<string, Todo>, after: ReadonlyMap<string, Todo>, tx: Tx, goneLists: ReadonlySet<string>): void {
  const old = orders.get(before);
  const put = tx.put ?? [];
  if (!old || put.length + (tx.del?.length ?? 0) > CARRY_MAX) return;
  const changed = new Set([...(tx.del ?? []), ...put.map((t) => keyOf(t.listId, t.id))]);
  const ids = new Set([...changed].map((k) => k.slice(k.indexOf("/") + 1)));
  const order = old.filter((t) => !(ids.has(t.id) && changed.has(keyOf(t.listId, t.id))) && !goneLists.has(t.listId));
  for (const t of put) if (after.get(keyOf(t.listId, t.id)) === t) insertOrdered(order, t);
  orders.set(after, order);
}

/** Sorts by `byPosition`, each position worked out once (not once per comparison). */
function sortByPosition<T extends Todo>(items: readonly T[]): T[] {
  const keyed = items.map((t) => ({ t, p: positionOf(t) }));
  keyed.sort((a, b) => cmp(a.p, b.p) || newestFirst(a.t, b.t) || cmp(a.t.listId, b.t.listId));
  return keyed.map((k) => k.t);
}

/** Where `t` belongs in `order` (sorted by `byPosition`): the first place not before it. */
export function placeOf(order: readonly Todo[], t: Todo): number {
  const p = positionOf(t);
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cmp(positionOf(order[mid]), p) || newestFirst(order[mid], t) || cmp(order[mid].listId, t.listId)) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts `t` into `order` (sorted by `byPosition`) where it belongs. */
export function insertOrdered<T extends Todo>(order: T[], t: T): void {
  order.splice(placeOf(order, t), 0, t);
}

/**
 * What the screen shows: the server's copy with the queue applied, in each list's order. Once the
 * code fetched after the first paint is there (stepwise.ts), each result is derived from the last
 * when it can be (a few to-dos changed: a tick, an edit, an add, their answers); otherwise, and
 * until then, whole (`projectWhole`). Either way the same (test/site/projection.test.ts).
 */
export function project(todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]): readonly Item[] {
  const items = (last && steps.project?.(last, todos, queue)) ?? projectWhole(todos, queue);
  last = { todos, queue, items };
  return items;
}

/** A result of `project` with what it was derived from. */
export interface Projected {
  readonly todos: ReadonlyMap<string, Todo>;
  readonly queue: readonly Queued[];
  readonly items: readonly Item[];
}
/** What `project` showed last: the next one may start from it. */
let last: Projected | null = null;

/** How `project` derives a result from the last (null: it cannot; work it out whole), once stepwise.ts has said. */
export const steps: { project?: (last: Projected, todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]) => readonly Item[] | null } =
  {};

/** What `todos` was made from by applyTx, and by which keys, when only a few changed (stepwise.ts starts from it). */
export const lineageOf = (todos: ReadonlyMap<string, Todo>) => lineage.get(todos);

/** How the queue applies, intent after intent, whether to the whole copy or to one to-do (stepwise.ts). */
export interface Overlay {
  /** The to-do of `listId` and `id` as it shows so far (undefined: none). */
  current(listId: string, id: string): Item | undefined;
  set(listId: string, id: string, item: Item | null): void;
  /** The to-dos of a list as they show so far (a new array: `set` may follow for each). */
  inList(listId: string): readonly Item[];
}

export function applyQueue(queue: readonly Queued[], o: Overlay): void {
  for (const { intent: i } of queue) {
    if (i.kind === "create") {
      const { listId, id, title, dueDate, completed, createdAt } = i;
      o.set(listId, id, {
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
      const t = o.current(i.listId, i.id);
      if (!t) continue;
      const moved = { ...t, ...i.changes, listId: i.changes.listId ?? t.listId, unsaved: true };
      o.set(i.listId, i.id, null);
      o.set(moved.listId, i.id, moved);
    } else if (i.kind === "delete") o.set(i.listId, i.id, null);
    else if (i.kind === "markAll") {
      for (const t of o.inList(i.listId))
        if (t.completed !== i.completed) o.set(t.listId, t.id, { ...t, completed: i.completed, unsaved: true });
    } else if (i.kind === "clearCompleted") {
      for (const t of o.inList(i.listId)) if (t.completed) o.set(t.listId, t.id, null);
    } else if (i.kind === "deleteList" || (i.kind === "removeMember" && i.leave)) {
      for (const t of o.inList(i.listId)) o.set(t.listId, t.id, null);
    }
  }
}

/**
 * The whole projection. The queue's effect is worked out first (to-dos it changes, adds or
 * removes); only those move within the server's order (`ordered`), unless they are so many that
 * sorting afresh is cheaper.
 */
function projectWhole(todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]): readonly Item[] {
  const base = ordered(todos);
  if (!queue.length) return base;
  /** The queue's effect by key: the to-do as it shows now, or null (gone). */
  const over = new Map<string, Item | null>();
  /** The ids of the keys in `over` (a to-do's id is in its key): most of the order is passed by on its id alone. */
  const ids = new Set<string>();
  const current = (k: string): Item | undefined => (over.has(k) ? (over.get(k) ?? undefined) : todos.get(k));
  applyQueue(queue, {
    current: (listId, id) => current(keyOf(listId, id)),
    set(listId, id, item) {
      over.set(keyOf(listId, id), item);
      ids.add(id);
    },
    /** The to-dos of a list as they show so far (the server's, as the queue has changed them until now). */
    inList(listId) {
      const out: Item[] = [];
      for (const t of base) if (t.listId === listId && !(ids.has(t.id) && over.has(keyOf(t.listId, t.id)))) out.push(t);
      for (const t of over.values()) if (t?.listId === listId) out.push(t);
      return out;
    },
  });
  if (!over.size) return base;
  // One pass over the server's order: a to-do the queue changed in place (same position: a
  // tick, a rename, "Mark all") stays where it is; one it removed goes; the rest is put in.
  const shown: Item[] = [];
  const placed = new Set<string>();
  const toPlace: Item[] = [];
  for (const t of base) {
    if (!ids.has(t.id)) {
      shown.push(t);
      continue;
    }
    const k = keyOf(t.listId, t.id);
    if (!over.has(k)) shown.push(t);
    else {
      placed.add(k);
      const now = over.get(k);
      if (now && positionOf(now) === positionOf(t)) shown.push(now);
      else if (now) toPlace.push(now);
    }
  }
  for (const [k, t] of over) if (t && !placed.has(k)) toPlace.push(t);
  if (toPlace.length > CARRY_MAX) return sortByPosition([...shown, ...toPlace]);
  for (const t of toPlace) insertOrdered(shown, t);
  return shown;
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
export const byPosition = (a: Todo, b: Todo): number => cmp(positionOf(a), positionOf(b)) || newestFirst(a, b) || cmp(a.listId, b.listId);

/** Newest first: by creation time, then by id. */
export const newestFirst = (a: Todo, b: Todo): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

export const isLocalId = (id: string): boolean => id.startsWith("local-");
