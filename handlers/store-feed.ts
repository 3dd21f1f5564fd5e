/**
 * The feed of everything a person can see (GET /api/changes, issue 17): one page at a time,
 * Queries only. A pass reads, on its first page, the person's index of lists (`u#<sub>`: joins,
 * role and order changes, removals as tombstones) and verifies every entry against its list-side
 * membership (one BatchGetItem); then, list by list, each list's own feed (the LSI on its
 * partition: to-dos and their tombstones, the list's meta, its memberships). A list joined (or
 * whose entry changed) since the cursor is read from its beginning, so a new member gets all of
 * it. An entry the list side does not back is reported removed on every first page until it is
 * repaired (GET /api/lists repairs it): a removed member's next sync drops the list even when the
 * removal's second step did not run.
 */
import type { FeedItem, FeedStop, FeedStore, Role } from "./lists";
import { adoptFirstList, queryAll } from "./store-lists";
import type { Table } from "./store";
import { toTodo, type Item } from "./store-bulk";
import {
  CHANGES_INDEX,
  itemKey,
  KIND_ATTRIBUTE,
  LIST_META_KEY,
  MEMBER_PREFIX,
  TABLE_KEY,
  TOMBSTONE_ATTRIBUTE,
  USER_LIST_PREFIX,
  userPartition,
} from "./table";

const live = (item: Item | undefined): item is Item => item !== undefined && item[TOMBSTONE_ATTRIBUTE] !== true;

const entriesOf = (table: Table, sub: string): Promise<Item[]> => queryAll(table, userPartition(sub), USER_LIST_PREFIX);

async function batchGet({ doc, name }: Table, keys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      const out = await doc.batchGet({ RequestItems: { [name]: { Keys: pending, ConsistentRead: true } } });
      found.push(...((out.Responses?.[name] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[name]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

function listItem(meta: Item, role: Role, position: unknown): FeedItem {
  return {
    type: "list",
    id: meta[TABLE_KEY.partition] as string,
    name: meta.name as string,
    role,
    ownerId: meta.ownerId as string,
    position: typeof position === "string" ? position : null,
    version: meta.version as number,
    createdAt: meta.createdAt as string,
    updatedAt: meta.updatedAt as string,
  };
}

/** An item of a list's own feed as the feed shows it. */
function toFeedItem(listId: string, item: Item, role: Role, position: unknown): FeedItem {
  const sortKey = item[TABLE_KEY.sort] as string;
  const kind = item[KIND_ATTRIBUTE];
  if (kind === "list" || sortKey === LIST_META_KEY) return listItem(item, role, position);
  if (kind === "member") {
    const id = item.memberId as string;
    if (item[TOMBSTONE_ATTRIBUTE] === true) return { type: "member", listId, id, deleted: true, version: item.version as number };
    return {
      type: "member",
      listId,
      id,
      email: item.email as string,
      role: item.role as Role,
      version: item.version as number,
      joinedAt: item.joinedAt as string,
    };
  }
  if (item[TOMBSTONE_ATTRIBUTE] === true)
    return { type: "todo", listId, id: sortKey, deleted: true, version: item.version as number, updatedAt: item.updatedAt as string };
  return { type: "todo", listId, ...toTodo(item) };
}

export const FEED_OPERATIONS: { readonly [K in keyof FeedStore]: (table: Table) => FeedStore[K] } = {
  allChanges:
    (table) =>
    async (caller, { since, stop, limit }, now) => {
      const { sub } = caller;
      let entries = await entriesOf(table, sub);
      // A client may sync before it ever lists its lists: the first list is adopted here too.
      if (!entries.some((e) => e.listId === sub && live(e))) {
        await adoptFirstList(table, caller, now);
        entries = await entriesOf(table, sub);
      }
      const liveIds = entries.filter(live).map((e) => e.listId as string);
      const found = await batchGet(
        table,
        liveIds.flatMap((id) => [itemKey(id, LIST_META_KEY), itemKey(id, MEMBER_PREFIX + sub)]),
      );
      const at = (id: string, key: string) => found.find((i) => i[TABLE_KEY.partition] === id && i[TABLE_KEY.sort] === key);
      const lists = new Map<string, { role: Role; meta: Item; entry: Item }>();
      for (const entry of entries.filter(live)) {
        const id = entry.listId as string;
        const meta = at(id, LIST_META_KEY);
        const member = at(id, MEMBER_PREFIX + sub);
        if (live(meta) && live(member)) lists.set(id, { role: member.role as Role, meta, entry });
      }
      const changedSince = (item: Item) => since === "" || (item[CHANGES_INDEX.sort] as string) >= since;
      const items: FeedItem[] = [];
      if (stop === undefined) {
        // Lists the person is no longer in. (A list joined or changed since the cursor is read from
        // its start below, its meta item first among its changes: that reports it.)
        for (const entry of entries) {
          if (lists.has(entry.listId as string)) continue;
          if (live(entry) || changedSince(entry)) items.push({ type: "list", id: entry.listId as string, removed: true });
        }
      }
      const order = [...lists.keys()].sort();
      let index = stop === undefined ? 0 : order.findIndex((id) => id >= stop.listId);
      if (index < 0) return { items };
      let after = stop !== undefined && order[index] === stop.listId ? stop.after : undefined;
      for (; index < order.length; index++, after = undefined) {
        const listId = order[index];
        const { role, entry } = lists.get(listId)!;
        // Joined (or its entry changed) since the cursor: everything of the list, from its start.
        const from = changedSince(entry) ? "" : since;
        const room = limit - items.length;
        if (room <= 0) return { items, stop: { listId } };
        const { Items = [], LastEvaluatedKey } = await table.doc.query({
          TableName: table.name,
          IndexName: CHANGES_INDEX.name,
          KeyConditionExpression: from === "" ? "#pk = :pk" : "#pk = :pk AND #ck >= :since",
          ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, ...(from !== "" && { "#ck": CHANGES_INDEX.sort }) },
          ExpressionAttributeValues: { ":pk": listId, ...(from !== "" && { ":since": from }) },
          ConsistentRead: true,
          Limit: room,
          ...(after && { ExclusiveStartKey: { ...itemKey(listId, after.sortKey), [CHANGES_INDEX.sort]: after.changeKey } }),
        });
        items.push(...(Items as Item[]).map((item) => toFeedItem(listId, item, role, entry.position)));
        if (LastEvaluatedKey) {
          return {
            items,
            stop: {
              listId,
              after: { changeKey: LastEvaluatedKey[CHANGES_INDEX.sort] as string, sortKey: LastEvaluatedKey[TABLE_KEY.sort] as string },
            },
          };
        }
      }
      return { items };
    },
};

export type { FeedStop };
