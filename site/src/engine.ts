/**
 * The sync engine: sends the queue of intents, one at a time and in order, and pulls the changes
 * feed; no DOM (test/site drives it with a fake API and the in-memory store).
 *
 * - What sending one intent does (exactly once, conflicts, refusals): send.ts.
 * - Transient failures (offline, 5xx, 429) keep the intent and retry with exponential backoff
 *   (with jitter); `kick()` (a new intent, reconnect, focus) retries at once.
 * - Pull (pull.ts): changes since the cursor, de-duplicated by version; 410 -> full resync.
 * - Only the leader (one tab, see tabs.ts) sends and pulls; every tab can enqueue.
 */
import { applyTx, emptySnapshot, heldFor, HOLD_MARGIN_MS } from "./replica";
import type { Intent, Queued, Renamed, Snapshot, Tx } from "./replica";
import { accountDeleted, sessionOver, transient } from "./api";
import type { SendContext, SyncApi } from "./send";

export type { SyncApi } from "./send";

/** A chunk fetched once, on first use or ahead of it, and fetched again after a failure (offline before the worker had it). */
function chunk<T>(load: () => Promise<T>): () => Promise<T> {
  let module: Promise<T> | undefined;
  return () =>
    (module ??= load().catch((err: unknown) => {
      module = undefined;
      throw err;
    }));
}

/**
 * What sends a change (send.ts) and what pulls the feed (pull.ts) are chunks of their own: the
 * first paint needs neither. app.ts asks for both as it starts, so the first pull seldom waits.
 */
export const sendCode = chunk(() => import("./send"));
export const pullCode = chunk(() => import("./pull"));

export interface LocalStore {
  load(): Promise<Snapshot>;
  /** Appends to the queue; returns the sequence numbers given (shared by every tab). */
  enqueue(intents: readonly Intent[]): Promise<number[]>;
  commit(tx: Tx): Promise<void>;
}

export interface EngineHooks {
  /** The copy changed (render it). `local`: this tab changed it (tell the other tabs). */
  changed(snapshot: Snapshot, local: boolean, renamed?: Renamed): void;
  /** The server refused an intent for good (a 4xx that retrying cannot fix). */
  refused(intent: Intent, err: unknown): void;
  /** Sending or pulling failed for now (offline, server error): retrying. Null once it works again. */
  trouble(err: unknown): void;
  /** The session is over: only signing in again helps. `accountDeleted`: because the account is gone (410 account_deleted). */
  signedOut(accountDeleted: boolean): void;
}

export const BACKOFF = { firstMs: 1000, maxMs: 30_000 };

/** `me`: the person's id (the token's `sub`): their first list's id, and their member id. */
export function createEngine(api: SyncApi, store: LocalStore, hooks: EngineHooks, me: string, backoff = BACKOFF) {
  let snap: Snapshot = emptySnapshot;
  let leader = false;
  let running = false;
  let stopped = false;
  let pullWanted = false;
  let failures = 0;
  let kicked = false;
  /** The intent this tab is sending now (it can no longer be withdrawn). */
  let sending: number | null = null;
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
  const changed = (local: boolean, renamed?: Renamed) => !stopped && hooks.changed(shown(), local, renamed);

  async function commit(tx: Tx, local = true): Promise<void> {
    // A full sync (the server's whole copy: 10,000 to-dos take seconds to write on a phone) shows
    // before it is written: it is the server's, a pull fetches it again if the write is cut short
    // (db.ts writes it last-synced-last). Everything else shows once written.
    let early: Snapshot | undefined;
    if (tx.clearAll && !stopped) {
      snap = early = applyTx(snap, tx);
      hooks.changed(shown(), false);
    }
    // Stopped (signed out, the copy wiped): an answer arriving late writes nothing of the person.
    await serial(() => (stopped ? Promise.resolve() : store.commit(tx)));
    // Applying a transaction twice changes nothing: again, in case a reload read the store meanwhile.
    if (snap !== early) snap = applyTx(snap, tx);
    changed(local, tx.renamed);
  }

  const sender: SendContext = {
    api,
    me,
    snapshot: () => snap,
    commit,
    wantPull: () => void (pullWanted = true),
    refused: (intent, err) => hooks.refused(intent, err),
  };

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
        const held = heldFor(snap.queue, Date.now()); // an undoable intent, alone in the queue: wait
        // A device that has never synced pulls first: its full sync (GET /api/lists) is what makes
        // a new person's first list exist on the server, so a to-do typed at once waits for it.
        if (head && snap.synced && !held) {
          sending = head.seq;
          await (await sendCode()).sendOne(sender, head);
        } else if (pullWanted || !snap.synced) {
          pullWanted = false;
          await (await pullCode()).pullChanges(api, () => snap, commit, me);
        } else {
          if (held) timer = setTimeout(() => void run(), held);
          break;
        }
        if (failures) hooks.trouble(null);
        failures = 0;
      }
    } catch (err) {
      if (sessionOver(err)) {
        hooks.signedOut(accountDeleted(err));
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
      sending = null;
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
    /**
     * Reads the device's copy (at start, and when another tab changed it). `prepare` runs first, in
     * the same turn of the store: at start it wipes another person's copy, and a to-do typed while
     * it does so is written after it, never wiped with it (a CI run lost one that way).
     */
    async reload(prepare?: () => Promise<void>): Promise<Snapshot> {
      snap = await serial(async () => {
        await prepare?.();
        return store.load();
      });
      changed(false);
      kick(); // another tab may have queued something for this one to send
      return snap;
    },
    /** Queues intents made on screen: shown at once (before IndexedDB has them), sent once written. Their sequence numbers. */
    async enqueue(...intents: Intent[]): Promise<number[]> {
      const early = intents.map((intent) => ({ seq: nextProvisional++, intent }));
      provisional = [...provisional, ...early];
      changed(false);
      let seqs: number[];
      try {
        seqs = await serial(() => store.enqueue(intents));
        snap = applyTx(snap, { enqueue: intents.map((intent, n) => ({ seq: seqs[n], intent })) });
      } finally {
        provisional = provisional.filter((q) => !early.includes(q));
      }
      changed(true);
      kick();
      return seqs;
    },
    /**
     * Undo: takes held intents off the queue (replica.ts UNDO_MS). False when any of them is gone,
     * being sent, or past its hold (less HOLD_MARGIN_MS): it may be saved already, so nothing is withdrawn.
     */
    async withdraw(seqs: readonly number[]): Promise<boolean> {
      const now = Date.now();
      const held = (seq: number) => {
        const q = snap.queue.find((x) => x.seq === seq);
        return q !== undefined && seq !== sending && "holdUntil" in q.intent && (q.intent.holdUntil ?? 0) - HOLD_MARGIN_MS > now;
      };
      if (!seqs.length || !seqs.every(held)) return false;
      await commit({ dequeue: [...seqs] });
      return true;
    },
    /** Ends the hold of these intents (the person dismissed the offer to undo, or left): sent now. */
    async release(seqs: readonly number[]): Promise<void> {
      const requeue = snap.queue.flatMap((q) =>
        seqs.includes(q.seq) && "holdUntil" in q.intent ? [{ seq: q.seq, intent: { ...q.intent, holdUntil: undefined } }] : [],
      );
      if (requeue.length) await commit({ requeue });
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

export type Engine = ReturnType<typeof createEngine>;
