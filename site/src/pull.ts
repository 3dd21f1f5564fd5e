/**
 * One pull of the feed of everything the person can see (GET /api/changes) into the device
 * copy: from the cursor, page by page, each page merged (`feedTx`: lists joined, changed and left,
 * members, to-dos by version, tombstones) and committed with its cursor, so a pull cut short
 * resumes where it stopped. No cursor (or a 410 sync_expired: the cursor outlived the
 * tombstones) means a full sync: the person's lists are read first (GET /api/lists makes their
 * first list on first use), then the pages are gathered and replace the copy in one commit (the
 * screen never flashes empty). The queue is left alone either way.
 */
import { ApiError, type Api } from "./api";
import { applyTx, emptySnapshot, keyOf, type Snapshot, type Tx } from "./replica";
import type { Change, FeedItem, ListRow, MemberRow, Todo } from "./replica";

export async function pullChanges(
  api: Pick<Api, "changes" | "lists">,
  current: () => Snapshot,
  commit: (tx: Tx, local: boolean) => Promise<void>,
  me: string,
): Promise<void> {
  let cursor = current().cursor;
  let full = cursor === null;
  let fresh = emptySnapshot;
  const restart = async () => {
    [cursor, full] = [null, true];
    fresh = applyTx(emptySnapshot, { putLists: (await api.lists()).items });
  };
  if (full) await restart();
  for (;;) {
    let page;
    try {
      page = await api.changes(cursor);
    } catch (err) {
      // Only an expired cursor restarts; any other 410 (account_deleted) ends the session.
      if (!(err instanceof ApiError && err.status === 410 && err.code === "sync_expired") || full) throw err;
      // The cursor outlived the tombstones: start again from nothing (the queue stays).
      await restart();
      continue;
    }
    if (full) fresh = applyTx(fresh, feedTx(fresh, page.items, me));
    else {
      const tx = feedTx(current(), page.items, me);
      const changes = [tx.put, tx.del, tx.putLists, tx.delLists, tx.putMembers, tx.delMembers].some((x) => x?.length);
      if (changes || page.nextCursor !== current().cursor) await commit({ ...tx, cursor: page.nextCursor }, changes);
    }
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  if (full) {
    const { lists, todos, members } = fresh;
    await commit(
      { clearAll: true, putLists: [...lists.values()], put: [...todos.values()], putMembers: [...members.values()], cursor, synced: true },
      true,
    );
  }
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
