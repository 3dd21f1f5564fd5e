/**
 * The whole-list half of the DynamoDB adapter (store.ts has the single-item half): summary,
 * mark-all, clear-completed, the change feed, export and delete-all.
 *
 * Costs, by rule: every read is a Query on the caller's partition (never a Scan), one call per
 * page; per-item writes go out WRITE_PARALLELISM at a time, each with a condition instead of a
 * read before it. A bulk change stops starting new work when less than TIME_RESERVE_MS of the
 * function's time is left, and reports where it stopped, so the client calls again: never a
 * timeout, never half done without saying so.
 */
import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  CHANGES_INDEX,
  changeKeyOf,
  IDEMPOTENCY_PREFIX,
  itemKey,
  KIND_ATTRIBUTE,
  LIST_META_KEY,
  TABLE_KEY,
  TOMBSTONE_ATTRIBUTE,
  TTL_ATTRIBUTE,
} from "./table";
import { TOMBSTONE_LIFETIME_MS } from "./sync";
import type { BulkOptions, BulkResult, Change, Todo, TodoStore } from "./todos";
import type { Table } from "./store";

export type Item = Record<string, unknown>;

/** Per-item writes in flight at once. */
export const WRITE_PARALLELISM = 16;
/** A bulk change starts no new writes when less time than this is left. */
export const TIME_RESERVE_MS = 1000;
/** Items a bulk change reads per Query: a call stopped by time re-reads at most this many. */
const BULK_QUERY_LIMIT = 500;
const BATCH_WRITE_MAX = 25;

/** Key and tombstone names, for expressions that use all three. */
export const keyNames = () => ({ "#pk": TABLE_KEY.partition, "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE });
/** Filter that drops tombstones. */
export const FILTER_LIVE = "attribute_not_exists(#deleted)";

export const isConditionFailed = (err: unknown): boolean => (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";

export function toTodo(item: Item): Todo {
  const listFields = {
    ...(typeof item.lastEditedBy === "string" && { lastEditedBy: item.lastEditedBy }),
    ...(typeof item.position === "string" && { position: item.position }),
  };
  return {
    id: item[TABLE_KEY.sort] as string,
    title: item.title as string,
    completed: item.completed as boolean,
    dueDate: (item.dueDate as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
    ...listFields,
  };
}

/**
 * Adds `delta` to a list's count of to-dos (on its meta item); with `limit`, only while the
 * count stays below it. False when refused. Only list routes call it (the old routes do not count).
 */
export async function adjustTodoCount({ doc, name }: Table, listId: string, delta: number, limit?: number): Promise<boolean> {
  try {
    await doc.update({
      TableName: name,
      Key: itemKey(listId, LIST_META_KEY),
      UpdateExpression: "SET todoCount = if_not_exists(todoCount, :zero) + :delta",
      ConditionExpression: `attribute_exists(#sk)${limit === undefined ? "" : " AND (attribute_not_exists(todoCount) OR todoCount < :limit)"}`,
      ExpressionAttributeNames: { "#sk": TABLE_KEY.sort },
      ExpressionAttributeValues: { ":zero": 0, ":delta": delta, ...(limit !== undefined && { ":limit": limit }) },
    });
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

function toChange(item: Item): Change {
  if (item[TOMBSTONE_ATTRIBUTE] !== true) return toTodo(item);
  return { id: item[TABLE_KEY.sort] as string, deleted: true, version: item.version as number, updatedAt: item.updatedAt as string };
}

/** When DynamoDB's TTL may remove a tombstone written at `deletedAt` (epoch seconds). */
export function tombstoneExpiry(deletedAt: string): number {
  return Math.floor((Date.parse(deletedAt) + TOMBSTONE_LIFETIME_MS) / 1000);
}

/** The user's to-dos and tombstones (idempotency records sort after them). */
const ownTodos = (userId: string): Pick<QueryCommandInput, "KeyConditionExpression" | "ExpressionAttributeValues"> => ({
  KeyConditionExpression: "#pk = :userId AND #sk < :idempotencyPrefix",
  ExpressionAttributeValues: { ":userId": userId, ":idempotencyPrefix": IDEMPOTENCY_PREFIX },
});

/** Every page of a Query, read to the end. */
async function readAll({ doc, name }: Table, input: Omit<QueryCommandInput, "TableName">): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await doc.query({
      TableName: name,
      ConsistentRead: true,
      ...input,
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Walks the Query's pages in key order and hands `act` chunks of `chunkSize` items; `act`
 * answers how many it changed. Between chunks it checks the time left; it stops after a chunk
 * (always doing at least one, so every call makes progress) and returns the last key done.
 * A chunk that fails after earlier chunks succeeded ends the call there, with its cursor.
 */
export async function sweep(
  { doc, name }: Table,
  userId: string,
  options: BulkOptions,
  query: Omit<QueryCommandInput, "TableName" | "Limit" | "ExclusiveStartKey" | "ConsistentRead">,
  chunkSize: number,
  act: (items: Item[]) => Promise<number>,
): Promise<BulkResult> {
  let startKey: Item | undefined = options.after === undefined ? undefined : itemKey(userId, options.after);
  let count = 0;
  let last = options.after;
  let progressed = false;
  for (;;) {
    const page = await doc.query({
      TableName: name,
      ...query,
      ConsistentRead: true,
      Limit: BULK_QUERY_LIMIT,
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += chunkSize) {
      const chunk = items.slice(i, i + chunkSize);
      try {
        count += await act(chunk);
      } catch (err) {
        if (!progressed) throw err;
        return { count, ...(last !== undefined && { last }) };
      }
      progressed = true;
      last = chunk[chunk.length - 1][TABLE_KEY.sort] as string;
      const more = i + chunkSize < items.length || page.LastEvaluatedKey !== undefined;
      if (more && options.timeLeft() < TIME_RESERVE_MS) return { count, last };
    }
    if (!page.LastEvaluatedKey) return { count };
    startKey = page.LastEvaluatedKey;
    last = startKey[TABLE_KEY.sort] as string;
    progressed = true;
    if (options.timeLeft() < TIME_RESERVE_MS) return { count, last };
  }
}

/** Runs one conditional write per item, all at once (a chunk is WRITE_PARALLELISM items); counts those whose condition held. */
function eachConditional(write: (item: Item) => Promise<unknown>): (items: Item[]) => Promise<number> {
  return async (items) => {
    const results = await Promise.allSettled(items.map(write));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !isConditionFailed(r.reason));
    if (failed) throw failed.reason;
    return results.filter((r) => r.status === "fulfilled").length;
  };
}

/**
 * Mark-all and clear-completed: one conditional write (`write`, given the to-do's id) per live
 * to-do that matches `filter`, read in key order and written WRITE_PARALLELISM at a time (sweep).
 */
function sweepLiveTodos(
  table: Table,
  userId: string,
  options: BulkOptions,
  filter: { readonly expression: string; readonly values: Item },
  write: (id: string) => Promise<unknown>,
): Promise<BulkResult> {
  const { ExpressionAttributeValues: own, ...keyCondition } = ownTodos(userId);
  return sweep(
    table,
    userId,
    options,
    {
      ...keyCondition,
      FilterExpression: `${FILTER_LIVE} AND ${filter.expression}`,
      ProjectionExpression: "#sk",
      ExpressionAttributeNames: keyNames(),
      ExpressionAttributeValues: { ...own, ...filter.values },
    },
    WRITE_PARALLELISM,
    eachConditional((item) => write(item[TABLE_KEY.sort] as string)),
  );
}

export async function batchDelete({ doc, name }: Table, userId: string, items: Item[]): Promise<void> {
  let requests = items.map((item) => ({ DeleteRequest: { Key: itemKey(userId, item[TABLE_KEY.sort] as string) } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt === 5) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed after 5 attempts`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const { UnprocessedItems } = await doc.batchWrite({ RequestItems: { [name]: requests } });
    requests = (UnprocessedItems?.[name] ?? []) as typeof requests;
  }
}

/**
 * The update that turns a to-do into its tombstone (same key, `deleted`, version bumped, a TTL, the
 * fields removed), so that other devices learn of the delete. The caller adds its condition.
 */
export function tombstoneUpdate(id: string, deletedAt: string) {
  return {
    UpdateExpression:
      "SET #deleted = :true, version = version + :one, updatedAt = :now, #ck = :ck, #ttl = :expires REMOVE title, completed, dueDate, createdAt",
    ExpressionAttributeNames: { "#deleted": TOMBSTONE_ATTRIBUTE, "#ttl": TTL_ATTRIBUTE, "#ck": CHANGES_INDEX.sort } as Record<
      string,
      string
    >,
    ExpressionAttributeValues: {
      ":true": true,
      ":one": 1,
      ":now": deletedAt,
      ":ck": changeKeyOf(deletedAt, id),
      ":expires": tombstoneExpiry(deletedAt),
    } as Item,
  };
}

/** Everything in a partition (to-dos, tombstones, idempotency records, and any list items), a chunk a call. Counts the to-dos. */
export async function deletePartition(table: Table, userId: string, options: BulkOptions): Promise<BulkResult> {
  return sweep(
    table,
    userId,
    options,
    {
      KeyConditionExpression: "#pk = :userId",
      ProjectionExpression: "#sk, #deleted",
      ExpressionAttributeNames: keyNames(),
      ExpressionAttributeValues: { ":userId": userId },
    },
    BATCH_WRITE_MAX * 4,
    async (items) => {
      const batches: Item[][] = [];
      for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) batches.push(items.slice(i, i + BATCH_WRITE_MAX));
      await Promise.all(batches.map((batch) => batchDelete(table, userId, batch)));
      // To-dos only: idempotency records, a list's meta and memberships sort from `~idem#` on.
      return items.filter((item) => item[TOMBSTONE_ATTRIBUTE] !== true && (item[TABLE_KEY.sort] as string) < IDEMPOTENCY_PREFIX).length;
    },
  );
}

type BulkOperation = "summary" | "markAll" | "clearCompleted" | "changes" | "exportAll" | "deleteAll";

/** The whole-list operations, each built for one table (store.ts's STORE_OPERATIONS takes them in). */
export const BULK_OPERATIONS: { readonly [K in BulkOperation]: (table: Table) => TodoStore[K] } = {
  summary: (table) => async (userId) => {
    // One Query per 1 MB page: reads are billed by item size whatever the projection, and the
    // projection keeps the Lambda's memory and transfer small.
    const items = await readAll(table, {
      ...ownTodos(userId),
      ProjectionExpression: "completed, #deleted",
      ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE },
    });
    const live = items.filter((item) => item[TOMBSTONE_ATTRIBUTE] !== true);
    const completed = live.filter((item) => item.completed === true).length;
    return { total: live.length, active: live.length - completed, completed };
  },

  markAll: (table) => async (userId, completed, updatedAt, options) =>
    sweepLiveTodos(table, userId, options, { expression: "completed <> :target", values: { ":target": completed } }, (id) =>
      // Sets completed only: a title changed meanwhile is kept, and the condition never
      // brings back a to-do deleted since the Query (its tombstone fails it).
      table.doc.update({
        TableName: table.name,
        Key: itemKey(userId, id),
        UpdateExpression: `SET completed = :target, version = version + :one, updatedAt = :now, #ck = :ck${options.editedBy === undefined ? "" : ", lastEditedBy = :by"}`,
        ConditionExpression: `attribute_exists(#sk) AND ${FILTER_LIVE} AND completed <> :target`,
        ExpressionAttributeNames: { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE, "#ck": CHANGES_INDEX.sort },
        ExpressionAttributeValues: {
          ":target": completed,
          ":one": 1,
          ":now": updatedAt,
          ":ck": changeKeyOf(updatedAt, id),
          ...(options.editedBy !== undefined && { ":by": options.editedBy }),
        },
      }),
    ),

  clearCompleted: (table) => async (userId, deletedAt, options) => {
    const result = await sweepLiveTodos(table, userId, options, { expression: "completed = :true", values: { ":true": true } }, (id) =>
      // Deletes only what is still completed: a to-do reopened since the Query is kept.
      table.doc.update({
        TableName: table.name,
        Key: itemKey(userId, id),
        ...tombstoneUpdate(id, deletedAt),
        ConditionExpression: `completed = :true AND ${FILTER_LIVE}`,
      }),
    );
    if (options.counted && result.count > 0) await adjustTodoCount(table, userId, -result.count);
    return result;
  },

  changes:
    ({ doc, name }) =>
    async (userId, { since, after, limit }) => {
      const { Items = [], LastEvaluatedKey } = await doc.query({
        TableName: name,
        IndexName: CHANGES_INDEX.name,
        // `changeKey >= since`: every change stamped at or after `since` (changeKeyOf puts updatedAt first).
        KeyConditionExpression: since === "" ? "#pk = :userId" : "#pk = :userId AND #ck >= :since",
        // A list's meta and memberships share the partition (and the index): this is the to-do feed.
        FilterExpression: "attribute_not_exists(#kind)",
        ExpressionAttributeNames: {
          "#pk": TABLE_KEY.partition,
          "#kind": KIND_ATTRIBUTE,
          ...(since !== "" && { "#ck": CHANGES_INDEX.sort }),
        },
        ExpressionAttributeValues: { ":userId": userId, ...(since !== "" && { ":since": since }) },
        // Strongly consistent: a change committed before this Query is in its answer.
        ConsistentRead: true,
        Limit: limit + 1,
        ...(after && { ExclusiveStartKey: { ...itemKey(userId, after.id), [CHANGES_INDEX.sort]: changeKeyOf(after.updatedAt, after.id) } }),
      });
      const items = Items.slice(0, limit).map(toChange);
      const lastItem = Items.length > limit ? Items[limit - 1] : LastEvaluatedKey;
      if (!lastItem) return { items };
      const id = lastItem[TABLE_KEY.sort] as string;
      const changeKey = lastItem[CHANGES_INDEX.sort] as string;
      return { items, last: { updatedAt: changeKey.slice(0, changeKey.length - id.length - 1), id } };
    },

  exportAll: (table) => async (userId) => {
    const { ExpressionAttributeValues, KeyConditionExpression } = ownTodos(userId);
    const items = await readAll(table, {
      KeyConditionExpression,
      ExpressionAttributeValues,
      FilterExpression: FILTER_LIVE,
      ExpressionAttributeNames: keyNames(),
      ScanIndexForward: false,
    });
    return items.map(toTodo);
  },

  deleteAll: (table) => (userId, options) => deletePartition(table, userId, options),
};
