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
import { applyTx, emptySnapshot, feedTx, type Snapshot, type Tx } from "./replica";

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
