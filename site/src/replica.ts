/**
 * The device's copy of one person's list, as plain data and pure functions (no DOM, no network,
 * no IndexedDB: test/site runs them under Node). The shape follows Replicache's model:
 *
 * - `todos`: the server's copy, as last confirmed (a response or the changes feed);
 * - `queue`: the person's intents not yet confirmed, in order, each with a sequence number;
 * - what the screen shows is `project(todos, queue)`: the server's copy with every queued intent
 *   applied on top, so a change from elsewhere and a change not yet sent are both visible.
 *
 * Every change to the copy is a `Tx`, applied the same way to the in-memory snapshot and to
 * IndexedDB (db.ts), so the two never drift.
 */
import type { Change, Todo, Tombstone } from "../../handlers/todos";

export type { Change, Todo, Tombstone };

/** What a PATCH may change. */
export type Changes = { title?: string; completed?: boolean; dueDate?: string | null };
/** A to-do's own fields, as a person sees them. */
export type Fields = { readonly title: string; readonly completed: boolean; readonly dueDate: string | null };
export const fieldsOf = ({ title, completed, dueDate }: Fields): Fields => ({ title, completed, dueDate });

export type Intent =
  /** `id` is local (`local-…`) until the server answers; `key` is the Idempotency-Key. */
  | { kind: "create"; id: string; key: string; title: string; dueDate: string | null; completed: boolean; createdAt: string }
  /** `base`: the version the change was made on (If-Match); `was`: the to-do as shown then. */
  | { kind: "update"; id: string; base: number; changes: Changes; was: Fields }
  | { kind: "delete"; id: string; base: number; was: Fields }
  | { kind: "markAll"; completed: boolean; cursor?: string | null }
  | { kind: "clearCompleted"; cursor?: string | null };

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
  /** Whose copy this is (the token's `sub`): another person's copy is wiped, never shown. */
  readonly user: string | null;
  readonly todos: ReadonlyMap<string, Todo>;
  readonly queue: readonly Queued[];
  readonly conflicts: readonly Conflict[];
  /** The changes feed's cursor; null: the next pull is a full sync. */
  readonly cursor: string | null;
  /** True once a full sync has completed: the copy is the whole list. */
  readonly synced: boolean;
}

export const emptySnapshot: Snapshot = { user: null, todos: new Map(), queue: [], conflicts: [], cursor: null, synced: false };

/** One atomic change of the copy (one IndexedDB transaction). */
export interface Tx {
  readonly clearTodos?: boolean;
  readonly put?: readonly Todo[];
  readonly del?: readonly string[];
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

export function applyTx(s: Snapshot, tx: Tx): Snapshot {
  const todos = new Map(tx.clearTodos ? [] : s.todos);
  for (const id of tx.del ?? []) todos.delete(id);
  for (const t of tx.put ?? []) todos.set(t.id, t);
  const gone = new Set(tx.dequeue);
  const rewritten = new Map((tx.requeue ?? []).map((q) => [q.seq, q]));
  const queue = [...s.queue.filter((q) => !gone.has(q.seq)).map((q) => rewritten.get(q.seq) ?? q), ...(tx.enqueue ?? [])];
  queue.sort((a, b) => a.seq - b.seq);
  const dropped = new Set(tx.dropConflicts);
  const conflicts = [...s.conflicts.filter((c) => !dropped.has(c.id)), ...(tx.addConflicts ?? [])];
  return {
    user: tx.user !== undefined ? tx.user : s.user,
    todos,
    queue,
    conflicts,
    cursor: tx.cursor !== undefined ? tx.cursor : s.cursor,
    synced: tx.synced ?? s.synced,
  };
}

/** Server changes into the copy: the higher version of an id wins; a tombstone removes it. */
export function mergeChanges(todos: ReadonlyMap<string, Todo>, changes: readonly Change[]): { put: Todo[]; del: string[] } {
  const latest = new Map<string, Change>();
  for (const c of changes) {
    const seen = latest.get(c.id) ?? todos.get(c.id);
    if (!seen || c.version > seen.version) latest.set(c.id, c);
  }
  const put: Todo[] = [];
  const del: string[] = [];
  for (const c of latest.values()) {
    if ("deleted" in c && c.deleted) {
      if (todos.has(c.id)) del.push(c.id);
    } else put.push(c as Todo);
  }
  return { put, del };
}

/** A to-do on screen: `pending` until its creation is confirmed, `unsaved` while a change waits. */
export interface Item extends Todo {
  readonly pending?: boolean;
  readonly unsaved?: boolean;
}

/** What the screen shows: the server's copy with the queue applied, newest first. */
export function project(todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]): Item[] {
  const items = new Map<string, Item>(todos);
  for (const { intent: i } of queue) {
    if (i.kind === "create") {
      const { id, title, dueDate, completed, createdAt } = i;
      items.set(id, { id, title, dueDate, completed, createdAt, updatedAt: createdAt, version: 0, pending: true, unsaved: true });
    } else if (i.kind === "update") {
      const t = items.get(i.id);
      if (t) items.set(i.id, { ...t, ...i.changes, unsaved: true });
    } else if (i.kind === "delete") items.delete(i.id);
    else if (i.kind === "markAll") {
      for (const t of items.values()) if (t.completed !== i.completed) items.set(t.id, { ...t, completed: i.completed, unsaved: true });
    } else for (const t of [...items.values()]) if (t.completed) items.delete(t.id);
  }
  return [...items.values()].sort(newestFirst);
}

/** Newest first: by creation time, then by id (ULIDs sort by time; local ids of one moment by key). */
export const newestFirst = (a: Todo, b: Todo): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

export const isLocalId = (id: string): boolean => id.startsWith("local-");

/**
 * The conflict rule for a change refused with 412 (the to-do changed elsewhere), given the
 * server's to-do now. Field by field: theirs already equals mine -> nothing to send; theirs still
 * equals what I saw (`was`) -> they did not touch it, mine applies on their version; anything
 * else -> both changed the same field: the person decides.
 */
export function rebase(mine: Changes, was: Fields, theirs: Todo): { send: Changes; clash: boolean } {
  const send: Changes = {};
  let clash = false;
  for (const k of Object.keys(mine) as (keyof Changes)[]) {
    if (theirs[k] === mine[k]) continue;
    if (theirs[k] === was[k]) (send as Record<string, unknown>)[k] = mine[k];
    else clash = true;
  }
  return { send, clash };
}

/**
 * After an intent on `id` is confirmed as `now` (its new version), later intents made on `oldBase`
 * move to that version, but only an edit made on what `now` holds (its `was` equals `now` in the
 * fields it changes): an edit made on the older text (another tab's editor, opened before this
 * change) stays on its base, meets a 412 and the conflict rule, and overwrites nothing.
 */
export function rebased(queue: readonly Queued[], oldId: string, newId: string, oldBase: number, now: Todo): Queued[] {
  const out: Queued[] = [];
  for (const q of queue) {
    const i = q.intent;
    if (i.kind !== "update" && i.kind !== "delete") continue;
    const fields = i.kind === "delete" ? (["title", "completed", "dueDate"] as const) : (Object.keys(i.changes) as (keyof Changes)[]);
    const madeOnNow = fields.every((k) => i.was[k] === now[k]);
    if (i.id === oldId && i.base === oldBase && madeOnNow) {
      out.push({ seq: q.seq, intent: { ...i, id: newId, base: now.version } });
    } else if (i.id === oldId && oldId !== newId) {
      out.push({ seq: q.seq, intent: { ...i, id: newId } });
    }
  }
  return out;
}
