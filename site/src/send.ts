/**
 * Sending one queued intent and settling the server's answer (the engine's loop, engine.ts,
 * decides when; this file decides what a send does):
 * - Exactly once: a create carries its Idempotency-Key, an edit or delete its `If-Match` version,
 *   so a retry after a lost answer repeats nothing. An intent leaves the queue only once answered.
 * - 412: the rule of replica.ts `rebase` applies (different fields merge), else a Conflict is
 *   kept for the person. 404 on an edit: deleted elsewhere, a Conflict too. Nothing is dropped
 *   unseen: a refused intent is reported through `refused`.
 * - Transient failures and a session that is over are thrown for the loop to handle (`transient`,
 *   `sessionOver`).
 */
import { ApiError, sessionOver, transient, type Api } from "./api";
import { isLocalId, keyOf } from "./replica";
import type { Changes, Conflict, Fields, Intent, MemberRow, Queued, Snapshot, Todo, Tx } from "./replica";

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

/** What a send needs of the engine. */
export interface SendContext {
  readonly api: SyncApi;
  /** The person's id (the token's `sub`). */
  readonly me: string;
  /** The copy as it is now (read again after each commit). */
  readonly snapshot: () => Snapshot;
  readonly commit: (tx: Tx) => Promise<void>;
  /** The server changed more than the answer says: pull the feed after the queue. */
  readonly wantPull: () => void;
  /** The server refused an intent for good (a 4xx that retrying cannot fix). */
  readonly refused: (intent: Intent, err: unknown) => void;
}

const status = (err: unknown): number => (err instanceof ApiError ? err.status : 0);
/** A to-do read after a 412 may be gone by then: null. */
const goneIs404 = (err: unknown): null => {
  if (status(err) === 404) return null;
  throw err;
};

const named = (id: unknown): boolean => typeof id === "string" && id !== "";

export async function sendOne(ctx: SendContext, q: Queued): Promise<void> {
  const { api, me, commit } = ctx;
  const i = q.intent;
  const done = (tx: Tx = {}) => commit({ ...tx, dequeue: [q.seq, ...(tx.dequeue ?? [])] });
  const rest = () => ctx.snapshot().queue.filter((o) => o.seq !== q.seq);
  // An intent naming no list (or no to-do) cannot be sent: dropped here, not retried on a timer.
  if ((i.kind !== "createList" && !named(i.listId)) || ((i.kind === "update" || i.kind === "delete") && !named(i.id))) return done();
  // Its list's creation (or the to-do's) was refused: nothing to send.
  if ("listId" in i && isLocalId(i.listId)) return done();
  if ((i.kind === "update" || i.kind === "delete") && (isLocalId(i.id) || (i.kind === "update" && isLocalId(i.changes.listId ?? ""))))
    return done();
  try {
    if (i.kind === "create") {
      const t = await api.create(i.listId, { title: i.title, dueDate: i.dueDate, completed: i.completed }, i.key);
      return done({
        put: [{ ...t, createdAs: i.id }],
        requeue: rebased(rest(), i, t, 0),
        renamed: { listId: t.listId, from: i.id, to: t.id },
      });
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
      ctx.wantPull(); // the server bumped versions we have not seen: the feed brings them
      const all = [...ctx.snapshot().todos.values()].filter((t) => t.listId === i.listId);
      return i.kind === "markAll"
        ? done({ put: all.filter((t) => t.completed !== i.completed).map((t) => ({ ...t, completed: i.completed })) })
        : done({ del: all.filter((t) => t.completed).map((t) => keyOf(t.listId, t.id)) });
    }
    const tx = await sendListIntent(api, i, rest(), me);
    // The answer is not the whole story: a new list's owner membership, an invitation's pending
    // entry, the old owner demoted by a hand-over. The poke of our own write pulls nothing
    // (live.ts), so the feed is asked for here, as the bulk routes do.
    if (i.kind === "createList" || i.kind === "invite" || i.kind === "setRole") ctx.wantPull();
    return done(tx);
  } catch (err) {
    if (transient(err) || sessionOver(err)) throw err;
    return settleRefusal(ctx, q, err);
  }
}

/** A 4xx for an intent: apply the conflict rules, or report it and let it go. */
async function settleRefusal(ctx: SendContext, q: Queued, err: unknown): Promise<void> {
  const { api, commit } = ctx;
  const i = q.intent;
  if (i.kind === "delete" && status(err) === 404) return commit({ dequeue: [q.seq], del: [keyOf(i.listId, i.id)] });
  if ((i.kind === "update" || i.kind === "delete") && (status(err) === 412 || status(err) === 404)) {
    // A 404 may also mean the list is gone (deleted, or the person removed): the pull says so.
    ctx.wantPull();
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
  if (status(err) === 403 || status(err) === 404) ctx.wantPull();
  await commit({ dequeue: [q.seq] });
  ctx.refused(i, err);
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
