/**
 * TodoTable's layout, defined once: the key schema, the change-feed index, the TTL attribute and
 * the sort-key prefix of idempotency records. The TodoTable component (components/todo-table.ts),
 * the local stack (local/dynamo.ts `ensureTodoTable`), the adapter (store.ts, store-bulk.ts), the
 * tests and the bench all read it from here.
 */
import type { Todo } from "./todos";

/** The table's key schema. */
export const TABLE_KEY = { partition: "userId", sort: "todoId" } as const;

/**
 * The change feed: a local secondary index on (userId, updatedAt). Every change sets `updatedAt`,
 * so one strongly consistent Query on it returns a user's changes in commit-time order. Items
 * without `updatedAt` (idempotency records) are not in it. A local secondary index can only be
 * created with its table: adding it replaces an existing table (see README, "Deploy").
 */
export const CHANGES_INDEX = {
  name: "byUpdatedAt",
  sort: "updatedAt" satisfies keyof Todo,
  projection: "ALL",
} as const;

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
