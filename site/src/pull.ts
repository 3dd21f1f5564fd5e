/**
 * One pull of the changes feed into the device copy: from the cursor, page by page, each page
 * merged (higher version wins, tombstones remove) and committed with its cursor, so a pull cut
 * short resumes where it stopped. No cursor (or a 410 sync_expired: the cursor outlived the
 * tombstones) means a full sync: the pages are gathered, then replace the copy in one commit
 * (the screen never flashes empty). The queue is left alone either way.
 */
import { ApiError } from "./api";
import type { SyncApi } from "./engine";
import { mergeChanges, type Snapshot, type Todo, type Tx } from "./replica";

export async function pullChanges(
  api: Pick<SyncApi, "changes">,
  current: () => Snapshot,
  commit: (tx: Tx, local: boolean) => Promise<void>,
): Promise<void> {
  const snap = current();
  let cursor = snap.cursor;
  let full = cursor === null;
  let fresh = new Map<string, Todo>();
  const restart = (): [null, true, Map<string, Todo>] => [null, true, new Map<string, Todo>()];
  for (;;) {
    let page;
    try {
      page = await api.changes(cursor);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 410) || full) throw err;
      // The cursor outlived the tombstones: start again from nothing (the queue stays).
      [cursor, full, fresh] = restart();
      continue;
    }
    if (full) {
      for (const c of page.items) {
        const have = fresh.get(c.id);
        if (have && have.version >= c.version) continue;
        if ("deleted" in c) fresh.delete(c.id);
        else fresh.set(c.id, c);
      }
    } else {
      const { put, del } = mergeChanges(current().todos, page.items);
      if (put.length || del.length || page.nextCursor !== current().cursor)
        await commit({ put, del, cursor: page.nextCursor }, put.length + del.length > 0);
    }
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  if (full) {
    const { put } = mergeChanges(new Map(), [...fresh.values()]);
    await commit({ clearTodos: true, put, cursor, synced: true }, true);
  }
}
