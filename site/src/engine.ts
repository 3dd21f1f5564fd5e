/**
 * The sync engine: sends the queue of intents, one at a time and in order, and pulls the changes
 * feed; no DOM (test/site drives it with a fake API and the in-memory store).
 *
 * - Exactly once: a create carries its Idempotency-Key, an edit or delete its `If-Match` version,
 *   so a retry after a lost answer repeats nothing. An intent leaves the queue only once answered.
 * - Transient failures (offline, 5xx, 429) keep the intent and retry with exponential backoff
 *   (with jitter); `kick()` (a new intent, reconnect, focus) retries at once.
 * - 412: the rule of replica.ts `rebase` applies (different fields merge), else a Conflict is
 *   kept for the person. 404 on an edit: deleted elsewhere, a Conflict too. Nothing is dropped
 *   unseen: a refused intent is reported through `onRefused`.
 * - Pull (pull.ts): changes since the cursor, de-duplicated by version; 410 -> full resync.
 * - Only the leader (one tab, see tabs.ts) sends and pulls; every tab can enqueue.
 */
import { ApiError, OfflineError, type Api } from "./api";
import { AuthError } from "./auth";
import { pullChanges } from "./pull";
import { applyTx, emptySnapshot, isLocalId, keyOf, rebase, rebased, rebasedList } from "./replica";
import type { Conflict, Fields, Intent, MemberRow, Queued, Snapshot, Todo, Tx } from "./replica";

export type SyncApi = Pick<
  Api,
  | "create"
  | "get"
  | "update"
  | "remove"
  | "markAll"
  | "clearCompleted"
  | "changes"
  | "lists"
  | "createList"
  | "updateList"
  | "deleteList"
  | "invite"
  | "setRole"
  | "removeMember"
>;

export interface LocalStore {
  load(): Promise<Snapshot>;
  /** Appends to the queue; returns the sequence numbers given (shared by every tab). */
  enqueue(intents: readonly Intent[]): Promise<number[]>;
  commit(tx: Tx): Promise<void>;
}

export interface EngineHooks {
  /** The copy changed (render it). `local`: this tab changed it (tell the other tabs). */
  changed(snapshot: Snapshot, local: boolean): void;
  /** The server refused an intent for good (a 4xx that retrying cannot fix). */
  refused(intent: Intent, err: unknown): void;
  /** Sending or pulling failed for now (offline, server error): retrying. Null once it works again. */
  trouble(err: unknown): void;
  /** The session is over: only signing in again helps. */
  signedOut(): void;
}

export const BACKOFF = { firstMs: 1000, maxMs: 30_000 };

const transient = (err: unknown): boolean =>
  err instanceof OfflineError ||
  (err instanceof AuthError && err.code === "Offline") ||
  (err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.status === 408));
const sessionOver = (err: unknown): boolean =>
  err instanceof AuthError && (err.code === "NotAuthorizedException" || err.code === "SignedOut");
const status = (err: unknown): number => (err instanceof ApiError ? err.status : 0);
/** A to-do read after a 412 may be gone by then: null. */
const goneIs404 = (err: unknown): null => {
  if (status(err) === 404) return null;
  throw err;
};

const named = (id: unknown): boolean => typeof id === "string" && id !== "";

/** `me`: the person's id (the token's `sub`): their first list's id, and their member id. */
export function createEngine(api: SyncApi, store: LocalStore, hooks: EngineHooks, me: string, backoff = BACKOFF) {
  let snap: Snapshot = emptySnapshot;
  let leader = false;
  let running = false;
  let stopped = false;
  let pullWanted = false;
  let failures = 0;
  let kicked = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Store reads and writes of this tab, in order (a reload never lands between a commit's parts). */
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  };

  /**
   * Intents shown at once, while IndexedDB writes them (their sequence numbers are provisional,
   * after every real one). Only written intents are ever sent.
   */
  let provisional: Queued[] = [];
  let nextProvisional = Number.MAX_SAFE_INTEGER / 2;
  const shown = (): Snapshot => (provisional.length ? applyTx(snap, { enqueue: provisional }) : snap);
  const changed = (local: boolean) => !stopped && hooks.changed(shown(), local);

  async function commit(tx: Tx, local = true): Promise<void> {
    // Stopped (signed out, the copy wiped): an answer arriving late writes nothing of the person.
    await serial(() => (stopped ? Promise.resolve() : store.commit(tx)));
    snap = applyTx(snap, tx);
    changed(local);
  }

  async function sendOne(q: Queued): Promise<void> {
    const i = q.intent;
    const done = (tx: Tx = {}) => commit({ ...tx, dequeue: [q.seq, ...(tx.dequeue ?? [])] });
    const rest = () => snap.queue.filter((o) => o.seq !== q.seq);
    // An intent naming no list (or no to-do) cannot be sent: dropped here, not retried on a timer.
    if ((i.kind !== "createList" && !named(i.listId)) || ((i.kind === "update" || i.kind === "delete") && !named(i.id))) return done();
    // Its list's creation (or the to-do's) was refused: nothing to send.
    if ("listId" in i && isLocalId(i.listId)) return done();
    if ((i.kind === "update" || i.kind === "delete") && (isLocalId(i.id) || (i.kind === "update" && isLocalId(i.changes.listId ?? ""))))
      return done();
    try {
      if (i.kind === "create") {
        const t = await api.create(i.listId, { title: i.title, dueDate: i.dueDate, completed: i.completed }, i.key);
        return done({ put: [t], requeue: rebased(rest(), i, t, 0) });
      }
      if (i.kind === "update") {
        const t = await api.update(i.listId, i.id, i.base, i.changes);
        const del = t.listId !== i.listId ? [keyOf(i.listId, i.id)] : [];
        return done({ put: [t], del, requeue: rebased(rest(), i, t, i.base) });
      }
      if (i.kind === "delete") {
        await api.remove(i.listId, i.id, i.base);
        return done({ del: [keyOf(i.listId, i.id)] });
      }
      if (i.kind === "markAll" || i.kind === "clearCompleted" || i.kind === "deleteList") {
        let cursor = i.cursor ?? null;
        do {
          const r =
            i.kind === "markAll"
              ? await api.markAll(i.listId, i.completed, cursor)
              : i.kind === "clearCompleted"
                ? await api.clearCompleted(i.listId, cursor)
                : await api.deleteList(i.listId, cursor);
          cursor = r.nextCursor;
          // Work left (the server's time budget): keep the cursor, so a reload resumes, not restarts.
          if (cursor) await commit({ requeue: [{ seq: q.seq, intent: { ...i, cursor } }] });
        } while (cursor);
        if (i.kind === "deleteList") return done({ delLists: [i.listId] });
        pullWanted = true; // the server bumped versions we have not seen: the feed brings them
        const all = [...snap.todos.values()].filter((t) => t.listId === i.listId);
        return i.kind === "markAll"
          ? done({ put: all.filter((t) => t.completed !== i.completed).map((t) => ({ ...t, completed: i.completed })) })
          : done({ del: all.filter((t) => t.completed).map((t) => keyOf(t.listId, t.id)) });
      }
      return done(await sendListIntent(api, i, rest(), me));
    } catch (err) {
      if (transient(err) || sessionOver(err)) throw err;
      return settleRefusal(q, err);
    }
  }

  /** A 4xx for an intent: apply the conflict rules, or report it and let it go. */
  async function settleRefusal(q: Queued, err: unknown): Promise<void> {
    const i = q.intent;
    if (i.kind === "delete" && status(err) === 404) return commit({ dequeue: [q.seq], del: [keyOf(i.listId, i.id)] });
    if ((i.kind === "update" || i.kind === "delete") && (status(err) === 412 || status(err) === 404)) {
      // A 404 may also mean the list is gone (deleted, or the person removed): the pull says so.
      pullWanted = true;
      const theirs = status(err) === 404 ? null : await api.get(i.listId, i.id).catch(goneIs404);
      const put = theirs ? [theirs] : [];
      const del = theirs ? [] : [keyOf(i.listId, i.id)];
      if (theirs && i.kind === "update") {
        const { send, clash } = rebase(i.changes, i.was, theirs);
        if (!clash) {
          const next = Object.keys(send).length ? [{ seq: q.seq, intent: { ...i, base: theirs.version, changes: send } }] : [];
          return commit({ put, requeue: next, dequeue: next.length ? [] : [q.seq] });
        }
      }
      if (theirs && i.kind === "delete" && sameFields(i.was, theirs)) {
        // Only the version moved (our own bulk change): delete what we saw.
        return commit({ put, requeue: [{ seq: q.seq, intent: { ...i, base: theirs.version } }] });
      }
      if (!theirs && i.kind === "delete") return commit({ dequeue: [q.seq], del });
      const conflict: Conflict = {
        id: `c${q.seq}`,
        listId: i.listId,
        todoId: i.id,
        title: i.was.title,
        mine: i.kind === "update" ? i.changes : {},
        deleted: i.kind === "delete",
        seen: { ...i.was, ...(i.kind === "update" ? i.changes : {}) },
        theirs,
      };
      return commit({ dequeue: [q.seq], put, del, addConflicts: [conflict] });
    }
    // 403 (a viewer now) or 404 (the list is gone): the pull brings the list as it is.
    if (status(err) === 403 || status(err) === 404) pullWanted = true;
    await commit({ dequeue: [q.seq] });
    hooks.refused(i, err);
  }

  /** The work loop: the queue first, then a pull when one is wanted. One at a time. */
  async function run(): Promise<void> {
    if (running || stopped || !leader) return;
    running = true;
    kicked = false;
    clearTimeout(timer);
    try {
      for (;;) {
        if (stopped || !leader) break;
        const head = snap.queue[0];
        // A device that has never synced pulls first: its full sync (GET /api/lists) is what makes
        // a new person's first list exist on the server, so a to-do typed at once waits for it.
        if (head && snap.synced) await sendOne(head);
        else if (pullWanted || !snap.synced) {
          pullWanted = false;
          await pullChanges(api, () => snap, commit, me);
        } else break;
        if (failures) hooks.trouble(null);
        failures = 0;
      }
    } catch (err) {
      if (sessionOver(err)) {
        hooks.signedOut();
        return;
      }
      if (!transient(err)) console.error(err);
      failures += 1;
      hooks.trouble(err);
      // Asked to retry while this attempt was out (reconnect, focus, a new intent): retry now.
      const wait = kicked ? 0 : Math.min(backoff.maxMs, backoff.firstMs * 2 ** (failures - 1));
      timer = setTimeout(() => void run(), wait / 2 + (Math.random() * wait) / 2);
    } finally {
      running = false;
    }
  }

  return {
    get snapshot(): Snapshot {
      return snap;
    },
    /** What the screen shows: the copy with intents not yet written to IndexedDB too. */
    get shown(): Snapshot {
      return shown();
    },
    /** Reads the device's copy (at start, and when another tab changed it). */
    async reload(): Promise<Snapshot> {
      snap = await serial(() => store.load());
      changed(false);
      kick(); // another tab may have queued something for this one to send
      return snap;
    },
    /** Queues intents made on screen: shown at once (before IndexedDB has them), sent once written. */
    async enqueue(...intents: Intent[]): Promise<void> {
      const early = intents.map((intent) => ({ seq: nextProvisional++, intent }));
      provisional = [...provisional, ...early];
      changed(false);
      try {
        const seqs = await serial(() => store.enqueue(intents));
        snap = applyTx(snap, { enqueue: intents.map((intent, n) => ({ seq: seqs[n], intent })) });
      } finally {
        provisional = provisional.filter((q) => !early.includes(q));
      }
      changed(true);
      kick();
    },
    /** A conflict settled by the person: drop it, and queue what they chose (if anything). */
    async resolve(conflictId: string, ...intents: Intent[]): Promise<void> {
      await commit({ dropConflicts: [conflictId] });
      if (intents.length) await this.enqueue(...intents);
    },
    /** This tab sends and pulls (it holds the lock), or stops doing so. */
    lead(on: boolean): void {
      leader = on;
      kick();
    },
    /** Pull soon (focus, visibility, reconnect, a timer). */
    pull(): void {
      pullWanted = true;
      kick();
    },
    get failing(): boolean {
      return failures > 0;
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };

  /** Retry now: a new intent or a reconnect should not wait out a backoff. */
  function kick(): void {
    if (running) kicked = true;
    else void run();
  }
}

/** Sends an intent about a list or its members; the Tx records the answer. */
async function sendListIntent(api: SyncApi, i: Intent, rest: Queued[], me: string): Promise<Tx> {
  if (i.kind === "createList") {
    const list = await api.createList(i.name, i.key);
    return { putLists: [{ ...list, createdAs: i.id }], requeue: rebasedList(rest, i.id, list.id) };
  }
  if (i.kind === "updateList") {
    const changes = { ...(i.name !== undefined && { name: i.name }), ...(i.position !== undefined && { position: i.position }) };
    const list = await api.updateList(i.listId, i.name === undefined ? null : i.base, changes);
    const later = rest.flatMap((q) =>
      q.intent.kind === "updateList" && q.intent.listId === i.listId ? [{ seq: q.seq, intent: { ...q.intent, base: list.version } }] : [],
    );
    return { putLists: [list], requeue: later };
  }
  if (i.kind === "invite") {
    await api.invite(i.listId, i.email, i.role);
    return {};
  }
  if (i.kind === "setRole") {
    const member = (await api.setRole(i.listId, i.memberId, i.role)) as MemberRow;
    return { putMembers: [{ ...member, listId: i.listId }] };
  }
  if (i.kind === "removeMember") {
    await api.removeMember(i.listId, i.memberId);
    return i.memberId === me ? { delLists: [i.listId] } : { delMembers: [keyOf(i.listId, i.memberId)] };
  }
  throw new Error(`Not a list intent: ${i.kind}`);
}

/** The to-do's fields are still what the person saw (only its version moved). */
const sameFields = (was: Fields, t: Todo): boolean => t.title === was.title && t.completed === was.completed && t.dueDate === was.dueDate;

export type Engine = ReturnType<typeof createEngine>;
