/**
 * TodoTable's layout, defined once: the key schema, the change-feed index, the TTL attribute and
 * the sort-key prefix of idempotency records. The TodoTable component (components/todo-table.ts),
 * the local stack (local/dynamo.ts `ensureTodoTable`), the adapter (store.ts, store-bulk.ts), the
 * tests and the bench all read it from here.
 */
/** The table's key schema. */
export const TABLE_KEY = { partition: "userId", sort: "todoId" } as const;

/** The key of one item of a user's partition (a to-do, a tombstone or an idempotency record). */
export const itemKey = (userId: string, sortKey: string): Record<string, string> => ({
  [TABLE_KEY.partition]: userId,
  [TABLE_KEY.sort]: sortKey,
});

/**
 * The change feed: a local secondary index on (userId, changeKey), every attribute projected.
 * Every change sets `updatedAt` and `changeKey` (changeKeyOf), so one strongly consistent Query
 * returns a user's changes oldest first. Items without it (idempotency records) are not in the
 * index. A local secondary index can only be created with its table: adding it replaces an
 * existing table (see README, "Deploy").
 */
export const CHANGES_INDEX = { name: "byChange", sort: "changeKey", projection: "ALL" } as const;

/**
 * The index's sort key: `updatedAt#id`. Unique, so the feed's order is total and a page boundary
 * is exact: many to-dos share one `updatedAt` (mark-all stamps them alike), and the order of
 * equal index keys is not something to rely on (dynalite lost items paging through 10,000 equal
 * `updatedAt` values). ISO instants have one length, so the order is `updatedAt`'s first.
 */
export const changeKeyOf = (updatedAt: string, id: string): string => `${updatedAt}#${id}`;

/** Every attribute a key or an index uses, with its DynamoDB type (S: string). */
export const KEY_ATTRIBUTES: readonly { readonly name: string; readonly type: "S" }[] = [
  { name: TABLE_KEY.partition, type: "S" },
  { name: TABLE_KEY.sort, type: "S" },
  { name: CHANGES_INDEX.sort, type: "S" },
];

/** Attribute DynamoDB's TTL reads: it expires idempotency records and tombstones. */
export const TTL_ATTRIBUTE = "expiresAt";

/** Sort-key prefix of idempotency records; sorts after every ULID (Crockford base32 is 0-9A-Z). */
export const IDEMPOTENCY_PREFIX = "~idem#";

/** The attribute that marks a tombstone: a deleted to-do kept so that other devices learn of it. */
export const TOMBSTONE_ATTRIBUTE = "deleted";
