/**
 * Where the device's copy lives: IndexedDB, through this tiny layer (about 1 KB minified, less
 * than `idb` and with the auto-incremented queue `idb-keyval` lacks). One database, six stores:
 * `lists` (by id), `todos` and `members` (by [listId, id]), `queue` (intents; the
 * auto-incremented key is the order every tab shares), `conflicts`, and `meta` (user, cursor,
 * synced). Version 2 (lists, issue 17) drops version 1's copy of the one list and its cursor, so
 * the next pull is a full sync; the queue stays (app.ts gives its intents the first list). Each `commit` is one
 * transaction: a crash or a closed tab leaves the copy before or after it, never half.
 * `memoryStore` is the same contract in memory, for the unit tests.
 */
import type { LocalStore } from "./engine";
import { applyTx, emptySnapshot, keyOf, type Conflict, type Intent, type ListRow, type MemberRow } from "./replica";
import type { Snapshot, Todo, Tx } from "./replica";
import type { State } from "./model";

const NAME = "tasklane";
/** To-dos a full sync writes per transaction (about 100 ms of puts on a phone-speed CPU). */
const PUT_SLICE = 200;
const STORES = ["lists", "todos", "members", "queue", "conflicts", "meta"] as const;
/** Every [listId, id] key of one list (arrays sort after strings). */
const inList = (listId: string) => IDBKeyRange.bound([listId], [listId, []]);

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
const finished = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });

function open(): Promise<IDBDatabase> {
  const request = indexedDB.open(NAME, 2);
  request.onupgradeneeded = (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      db.createObjectStore("queue", { autoIncrement: true });
      db.createObjectStore("meta");
    } else {
      db.deleteObjectStore("todos");
      db.deleteObjectStore("conflicts");
      const meta = request.transaction!.objectStore("meta");
      meta.delete("cursor");
      meta.delete("synced");
    }
    db.createObjectStore("conflicts", { keyPath: "id" });
    db.createObjectStore("lists", { keyPath: "id" });
    db.createObjectStore("todos", { keyPath: ["listId", "id"] });
    db.createObjectStore("members", { keyPath: ["listId", "id"] });
  };
  return done(request);
}

/**
 * The top of the list shown as it was last left (glance.ts): what a reload paints while the whole
 * copy (10,000 to-dos: most of a second on a phone) is still being read. `owner`: whose it is.
 */
export type Glance = State & { readonly owner: string };

/** The device copy's store as the list screen uses it: the engine's, plus a wipe and a cheap look at whose it is. */
export type DeviceStore = LocalStore & {
  wipe(): Promise<void>;
  head(): Promise<Pick<Snapshot, "user" | "queue">>;
  /** The glance, if kept and nothing it shows was written to the copy since (such a write drops it). */
  glance(): Promise<Glance | undefined>;
  /** Keeps `glance`, made from `from`, only if the copy is still `from` (its queue, cursor and conflicts). */
  keepGlance(glance: Glance, from: Snapshot): Promise<void>;
};

/**
 * Whether a transaction may change what a glance shows: anything but the cursor and the synced
 * flag (a pull that brings nothing, at every start, keeps the glance for the next reload). List
 * and member rows are compared with those stored instead (`putRows`): a pull delivers its list's
 * rows again at every start.
 */
const changesShown = (change: Tx): boolean =>
  Object.entries(change).some(
    ([key, value]) =>
      !["cursor", "synced", "renamed", "putLists", "putMembers"].includes(key) &&
      (Array.isArray(value) ? value.length > 0 : value !== undefined),
  );
/** The rows `change` puts, each with the row stored under its key (undefined: none). */
const putRows = (change: Tx, stored: (list: string, id?: string) => unknown): [unknown, unknown][] => [
  ...(change.putLists ?? []).map((l): [unknown, unknown] => [stored(l.id), l]),
  ...(change.putMembers ?? []).map((m): [unknown, unknown] => [stored(m.listId, m.id), m]),
];
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What says that two copies differ in what a glance shows, short of the to-dos themselves (a write of those drops a glance). */
const stamp = (queue: Snapshot["queue"], cursor: string | null, conflicts: readonly IDBValidKey[]) =>
  JSON.stringify([queue, cursor, [...conflicts].sort()]);
const stampOf = (s: Snapshot) =>
  stamp(
    s.queue,
    s.cursor,
    s.conflicts.map((c) => c.id),
  );

/** Whose the copy is, and its queue in order (one read of a transaction's stores). */
async function readHead(s: Record<(typeof STORES)[number], IDBObjectStore>): Promise<Pick<Snapshot, "user" | "queue">> {
  const [seqs, intents, user] = await Promise.all([
    done(s.queue.getAllKeys()),
    done(s.queue.getAll() as IDBRequest<Intent[]>),
    done(s.meta.get("user") as IDBRequest<string | undefined>),
  ]);
  return { user: user ?? null, queue: seqs.map((seq, n) => ({ seq: seq as number, intent: intents[n] })) };
}

export function idbStore(): DeviceStore {
  let db: Promise<IDBDatabase> | undefined;
  const tx = async (mode: IDBTransactionMode) => {
    db ??= open();
    const t = (await db).transaction(STORES, mode);
    const s = Object.fromEntries(STORES.map((n) => [n, t.objectStore(n)])) as Record<(typeof STORES)[number], IDBObjectStore>;
    return { t, s };
  };

  return {
    async load(): Promise<Snapshot> {
      const { s } = await tx("readonly");
      const [head, lists, todos, members, conflicts, cursor, synced] = await Promise.all([
        readHead(s),
        done(s.lists.getAll() as IDBRequest<ListRow[]>),
        done(s.todos.getAll() as IDBRequest<Todo[]>),
        done(s.members.getAll() as IDBRequest<MemberRow[]>),
        done(s.conflicts.getAll() as IDBRequest<Conflict[]>),
        done(s.meta.get("cursor") as IDBRequest<string | undefined>),
        done(s.meta.get("synced") as IDBRequest<boolean | undefined>),
      ]);
      return {
        ...head,
        lists: new Map(lists.map((l) => [l.id, l])),
        todos: new Map(todos.map((t) => [keyOf(t.listId, t.id), t])),
        members: new Map(members.map((m) => [keyOf(m.listId, m.id), m])),
        conflicts,
        cursor: cursor ?? null,
        synced: synced === true,
      };
    },

    /** Whose the copy is and its queue, without reading the to-dos (app.ts, at start). */
    async head(): Promise<Pick<Snapshot, "user" | "queue">> {
      return readHead((await tx("readonly")).s);
    },

    async enqueue(intents: readonly Intent[]): Promise<number[]> {
      const { t, s } = await tx("readwrite");
      s.meta.delete("glance");
      const seqs = Promise.all(intents.map((i) => done(s.queue.add(i)) as Promise<number>));
      await finished(t);
      return seqs;
    },

    async commit(change: Tx): Promise<void> {
      // A full sync's to-dos (10,000: seconds of IndexedDB puts on a phone) go in slices, each a
      // transaction of its own, so the page answers input between them. The copy says it is
      // synced, with its cursor, only in the last one: cut short, it is not synced and has no
      // cursor, and the next pull is a full sync again.
      const put = change.put ?? [];
      if (change.clearAll && put.length > PUT_SLICE) {
        const { cursor, synced, ...rest } = change;
        await this.commit({ ...rest, put: put.slice(0, PUT_SLICE), cursor: null, synced: false });
        for (let at = PUT_SLICE; at < put.length; at += PUT_SLICE) await this.commit({ put: put.slice(at, at + PUT_SLICE) });
        return this.commit({ cursor, synced });
      }
      const { t, s } = await tx("readwrite");
      if (changesShown(change)) s.meta.delete("glance");
      // Read before the puts below (a transaction's requests run in order): a row that differs drops it.
      else
        for (const [get, row] of putRows(change, (list, id) => (id === undefined ? s.lists.get(list) : s.members.get([list, id]))))
          (get as IDBRequest).onsuccess = function (this: IDBRequest) {
            if (!same(this.result, row)) s.meta.delete("glance");
          };
      if (change.clearAll) for (const name of ["lists", "todos", "members"] as const) s[name].clear();
      for (const id of change.delLists ?? []) {
        s.lists.delete(id);
        s.todos.delete(inList(id));
        s.members.delete(inList(id));
      }
      const pair = (k: string) => [k.slice(0, k.indexOf("/")), k.slice(k.indexOf("/") + 1)];
      for (const list of change.putLists ?? []) s.lists.put(list);
      for (const k of change.del ?? []) s.todos.delete(pair(k));
      for (const todo of change.put ?? []) s.todos.put(todo);
      for (const k of change.delMembers ?? []) s.members.delete(pair(k));
      for (const member of change.putMembers ?? []) s.members.put(member);
      for (const key of ["cursor", "synced", "user"] as const) if (change[key] !== undefined) s.meta.put(change[key], key);
      for (const seq of change.dequeue ?? []) s.queue.delete(seq);
      // Rewrite only what is still queued: another tab may have sent and removed it meanwhile.
      for (const q of change.requeue ?? []) {
        const key = IDBKeyRange.only(q.seq);
        const cursor = s.queue.openCursor(key);
        cursor.onsuccess = () => cursor.result?.update(q.intent);
      }
      // Conflicts of a list gone from the device go with it (as in applyTx).
      if (change.delLists?.length) {
        const gone = new Set(change.delLists);
        const all = s.conflicts.getAll() as IDBRequest<Conflict[]>;
        all.onsuccess = () => all.result.filter((c) => gone.has(c.listId)).forEach((c) => s.conflicts.delete(c.id));
      }
      for (const c of change.addConflicts ?? []) s.conflicts.put(c);
      for (const id of change.dropConflicts ?? []) s.conflicts.delete(id);
      await finished(t);
    },

    /** Forgets everything of the person (sign-out, another person signing in). */
    async wipe(): Promise<void> {
      const { t, s } = await tx("readwrite");
      for (const name of STORES) s[name].clear();
      await finished(t);
    },

    async glance(): Promise<Glance | undefined> {
      return done((await tx("readonly")).s.meta.get("glance") as IDBRequest<Glance | undefined>);
    },

    async keepGlance(glance: Glance, from: Snapshot): Promise<void> {
      const { t, s } = await tx("readwrite");
      // One transaction: no other tab's write comes between this look and the put.
      const [head, cursor, conflicts] = await Promise.all([
        readHead(s),
        done(s.meta.get("cursor") as IDBRequest<string | undefined>),
        done(s.conflicts.getAllKeys()),
      ]);
      if (stamp(head.queue, cursor ?? null, conflicts) === stampOf(from)) s.meta.put(glance, "glance");
      await finished(t);
    },
  };
}

/**
 * `store`, whose first `load` is `read`, a read begun earlier (the list screen's first paint), not a
 * second read of 10,000 to-dos (the app starts while the first is still running; twice was 0.5 s
 * of a reload on a slowed phone). Read anew instead once anything is written through it first
 * (another person's copy wiped, old intents moved to the first list), or when the queue is no
 * longer what was read (another tab queued a change meanwhile: this tab does not hear the others
 * yet).
 */
export function withFirstRead(store: DeviceStore, read: Promise<Snapshot> | null): DeviceStore {
  const wrote =
    <A extends unknown[], R>(write: (...args: A) => R) =>
    (...args: A): R => {
      read = null;
      return write(...args);
    };
  const current = async (copy: Snapshot): Promise<Snapshot> => {
    const { queue } = await store.head();
    return queue.length === copy.queue.length && queue.every((q, n) => q.seq === copy.queue[n].seq) ? copy : store.load();
  };
  return {
    load() {
      const first = read;
      read = null;
      return first ? first.then(current, () => store.load()) : store.load();
    },
    head: () => store.head(),
    glance: () => store.glance(),
    keepGlance: (glance, from) => store.keepGlance(glance, from),
    enqueue: wrote((intents) => store.enqueue(intents)),
    commit: wrote((tx) => store.commit(tx)),
    wipe: wrote(() => store.wipe()),
  };
}

/** The same contract in memory (unit tests; a browser without IndexedDB keeps the tab's copy only). */
export function memoryStore(initial: Snapshot = emptySnapshot): DeviceStore & { readonly data: Snapshot } {
  let data = initial;
  let next = 1 + Math.max(0, ...initial.queue.map((q) => q.seq));
  let kept: Glance | undefined;
  return {
    get data() {
      return data;
    },
    load: () => Promise.resolve(data),
    head: () => Promise.resolve({ user: data.user, queue: data.queue }),
    enqueue(intents) {
      kept = undefined;
      const queued = intents.map((intent) => ({ seq: next++, intent }));
      data = applyTx(data, { enqueue: queued });
      return Promise.resolve(queued.map((q) => q.seq));
    },
    commit(tx) {
      // As in IndexedDB: a rewrite of an intent no longer queued does nothing.
      const stored = (list: string, id?: string) => (id === undefined ? data.lists.get(list) : data.members.get(keyOf(list, id)));
      if (changesShown(tx) || putRows(tx, stored).some(([was, row]) => !same(was, row))) kept = undefined;
      const present = new Set(data.queue.map((q) => q.seq));
      data = applyTx(data, { ...tx, requeue: tx.requeue?.filter((q) => present.has(q.seq)) });
      return Promise.resolve();
    },
    wipe() {
      data = emptySnapshot;
      kept = undefined;
      return Promise.resolve();
    },
    glance: () => Promise.resolve(kept),
    keepGlance(glance, from) {
      if (stampOf(data) === stampOf(from)) kept = glance;
      return Promise.resolve();
    },
  };
}
