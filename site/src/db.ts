/**
 * Where the device's copy lives: IndexedDB, through this tiny layer (about 1 KB minified, less
 * than `idb` and with the auto-incremented queue `idb-keyval` lacks). One database, four stores:
 * `todos` (the server's copy, by id), `queue` (intents; the auto-incremented key is the order
 * every tab shares), `conflicts`, and `meta` (user, cursor, synced). Each `commit` is one
 * transaction: a crash or a closed tab leaves the copy before or after it, never half.
 * `memoryStore` is the same contract in memory, for the unit tests.
 */
import type { LocalStore } from "./engine";
import { applyTx, emptySnapshot, type Conflict, type Intent, type Snapshot, type Todo, type Tx } from "./replica";

const NAME = "tasklane";
const STORES = ["todos", "queue", "conflicts", "meta"] as const;

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
  const request = indexedDB.open(NAME, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore("todos", { keyPath: "id" });
    db.createObjectStore("queue", { autoIncrement: true });
    db.createObjectStore("conflicts", { keyPath: "id" });
    db.createObjectStore("meta");
  };
  return done(request);
}

export function idbStore(): LocalStore & { wipe(): Promise<void> } {
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
      const [todos, seqs, intents, conflicts, user, cursor, synced] = await Promise.all([
        done(s.todos.getAll() as IDBRequest<Todo[]>),
        done(s.queue.getAllKeys()),
        done(s.queue.getAll() as IDBRequest<Intent[]>),
        done(s.conflicts.getAll() as IDBRequest<Conflict[]>),
        done(s.meta.get("user") as IDBRequest<string | undefined>),
        done(s.meta.get("cursor") as IDBRequest<string | undefined>),
        done(s.meta.get("synced") as IDBRequest<boolean | undefined>),
      ]);
      return {
        user: user ?? null,
        todos: new Map(todos.map((t) => [t.id, t])),
        queue: seqs.map((seq, n) => ({ seq: seq as number, intent: intents[n] })),
        conflicts,
        cursor: cursor ?? null,
        synced: synced === true,
      };
    },

    async enqueue(intents: readonly Intent[]): Promise<number[]> {
      const { t, s } = await tx("readwrite");
      const seqs = Promise.all(intents.map((i) => done(s.queue.add(i)) as Promise<number>));
      await finished(t);
      return seqs;
    },

    async commit(change: Tx): Promise<void> {
      const { t, s } = await tx("readwrite");
      if (change.clearTodos) s.todos.clear();
      for (const id of change.del ?? []) s.todos.delete(id);
      for (const todo of change.put ?? []) s.todos.put(todo);
      for (const key of ["cursor", "synced", "user"] as const) if (change[key] !== undefined) s.meta.put(change[key], key);
      for (const seq of change.dequeue ?? []) s.queue.delete(seq);
      // Rewrite only what is still queued: another tab may have sent and removed it meanwhile.
      for (const q of change.requeue ?? []) {
        const key = IDBKeyRange.only(q.seq);
        const cursor = s.queue.openCursor(key);
        cursor.onsuccess = () => cursor.result?.update(q.intent);
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
  };
}

/** The same contract in memory (unit tests; a browser without IndexedDB keeps the tab's copy only). */
export function memoryStore(initial: Snapshot = emptySnapshot): LocalStore & { wipe(): Promise<void>; readonly data: Snapshot } {
  let data = initial;
  let next = 1 + Math.max(0, ...initial.queue.map((q) => q.seq));
  return {
    get data() {
      return data;
    },
    load: () => Promise.resolve(data),
    enqueue(intents) {
      const queued = intents.map((intent) => ({ seq: next++, intent }));
      data = applyTx(data, { enqueue: queued });
      return Promise.resolve(queued.map((q) => q.seq));
    },
    commit(tx) {
      // As in IndexedDB: a rewrite of an intent no longer queued does nothing.
      const present = new Set(data.queue.map((q) => q.seq));
      data = applyTx(data, { ...tx, requeue: tx.requeue?.filter((q) => present.has(q.seq)) });
      return Promise.resolve();
    },
    wipe() {
      data = emptySnapshot;
      return Promise.resolve();
    },
  };
}
