/**
 * The DynamoDB adapter: implements `TodoStore` on one table (layout in table.ts): a user's to-dos,
 * their tombstones and their idempotency records share the user's partition.
 *
 * One round trip per request where DynamoDB allows it: create is a conditional Put, update and
 * delete are conditional Updates (no read-then-write; a read happens only after a failed
 * condition, to tell 404 from 412). No transactions: the local DynamoDB server has none.
 * Idempotency records sort after every to-do id, so Queries bound by `todoId < prefix` never see
 * them. A delete leaves a tombstone in place (same key, `deleted`, version bumped, a TTL) so that
 * other devices learn of it through the change feed; every read treats a tombstone as absent.
 * The whole-list operations live in store-bulk.ts.
 *
 * Each operation is built on its own from the table it works on (STORE_OPERATIONS), so that a
 * route's Lambda function carries that operation's code and nothing of the others
 * (`operationStore`); `dynamoTodoStore` assembles all of them for the local stack and the tests.
 */
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { ConflictError, ForbiddenError, LIST_NOT_FOUND_MESSAGE, NotFoundError, PreconditionFailedError } from "./errors";
import { can, type Role } from "./lists";
import {
  adjustTodoCount,
  BULK_OPERATIONS,
  FILTER_LIVE,
  isConditionFailed,
  keyNames,
  toTodo,
  tombstoneUpdate,
  type Item,
} from "./store-bulk";
import { FEED_OPERATIONS } from "./store-feed";
import { LIST_OPERATIONS } from "./store-lists";
import { ACCOUNT_OPERATIONS } from "./store-account";
import {
  CHANGES_INDEX,
  changeKeyOf,
  IDEMPOTENCY_PREFIX,
  itemKey,
  MEMBER_PREFIX,
  TABLE_KEY,
  TOMBSTONE_ATTRIBUTE,
  TTL_ATTRIBUTE,
} from "./table";
import { stampedDocument } from "./writer";
import type { CreateResult, IdempotencyClaim, ListOptions, Todo, TodoChanges, TodoPage, TodoStore } from "./todos";

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** A filtered page reads at most this many Query pages before it answers with what it found. */
export const LIST_READ_BUDGET = 6;
/** Items a filtered page's later Queries ask for at most. */
const LIST_QUERY_LIMIT_MAX = 1000;

/** The actions the adapter performs, by method: the route table picks its routes' from these. */
export const DYNAMODB_ACTIONS = {
  create: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
  get: ["dynamodb:GetItem"],
  list: ["dynamodb:Query"],
  update: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
  delete: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
  summary: ["dynamodb:Query"],
  markAll: ["dynamodb:Query", "dynamodb:UpdateItem"],
  clearCompleted: ["dynamodb:Query", "dynamodb:UpdateItem"],
  changes: ["dynamodb:Query"],
  exportAll: ["dynamodb:Query"],
  deleteAll: ["dynamodb:Query", "dynamodb:BatchWriteItem"],
  // Lists and sharing (store-lists.ts).
  membership: ["dynamodb:GetItem"],
  lists: ["dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  createList: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
  getList: ["dynamodb:BatchGetItem"],
  updateList: ["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchGetItem"],
  deleteList: ["dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
  members: ["dynamodb:Query"],
  invite: ["dynamodb:GetItem", "dynamodb:PutItem"],
  updateMember: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
  removeMember: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  invitations: ["dynamodb:Query"],
  acceptInvitation: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchGetItem"],
  declineInvitation: ["dynamodb:DeleteItem"],
  updateListTodo: ["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem"],
  // Query and BatchGetItem; GetItem and PutItem for adopting the first list on a first sync.
  allChanges: ["dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"],
  // Account deletion (store-account.ts): the marker read before every route's work, and the deletion.
  accountDeleted: ["dynamodb:GetItem"],
  deleteAccount: [
    "dynamodb:PutItem",
    "dynamodb:GetItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
  ],
} as const satisfies Record<keyof TodoStore, readonly string[]>;

export interface DocumentClientOptions {
  /** e.g. http://127.0.0.1:8000 for a local server; on Lambda leave unset. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Builds the SDK client. The SDK is required here, not imported at the top, so that a Lambda
 * closure serialized by Pulumi requires it by package name and gets the runtime's copy.
 */
export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocument {
  /* eslint-disable @typescript-eslint/no-require-imports -- required here on purpose: see above */
  const { DynamoDBClient } = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
  const { DynamoDBDocument: Document } = require("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return Document.from(new DynamoDBClient({ ...options }), { marshallOptions: { removeUndefinedValues: true } });
}

/** What every operation works on: the SDK's document client and the table's name. */
export interface Table {
  readonly doc: DynamoDBDocument;
  readonly name: string;
}

function toItem(userId: string, todo: Todo): Item {
  const { id, ...rest } = todo;
  return { ...itemKey(userId, id), ...rest, [CHANGES_INDEX.sort]: changeKeyOf(todo.updatedAt, id) };
}

/** A live to-do exists here (not absent, not a tombstone). */
const EXISTS_LIVE = `attribute_exists(#sk) AND attribute_not_exists(#deleted)`;

async function putNew({ doc, name }: Table, userId: string, todo: Todo): Promise<boolean> {
  try {
    await doc.put({
      TableName: name,
      Item: toItem(userId, todo),
      // A tombstone holds the key too: an idempotent retry never brings a deleted to-do back.
      ConditionExpression: "attribute_not_exists(#sk)",
      ExpressionAttributeNames: { "#sk": TABLE_KEY.sort },
    });
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

async function read({ doc, name }: Table, userId: string, id: string): Promise<Item | undefined> {
  const { Item } = await doc.get({ TableName: name, Key: itemKey(userId, id), ConsistentRead: true });
  return Item && Item[TOMBSTONE_ATTRIBUTE] !== true ? Item : undefined;
}

/** After a failed condition: was the to-do missing (404) or at another version (412)? */
async function explainFailedCondition(table: Table, userId: string, id: string): Promise<never> {
  const item = await read(table, userId, id);
  if (!item) throw new NotFoundError();
  throw new PreconditionFailedError(item.version as number);
}

// An idempotent create writes a "pending" record holding the to-do, then the to-do, then marks
// the record "done". A retry that finds a pending record (the first attempt crashed or is still
// running) finishes the same two steps; both writes are idempotent, so racing is harmless. A
// retry that finds "done" only returns the to-do, so it never resurrects a deleted one.
async function finishIdempotentCreate(table: Table, userId: string, recordKey: Item, todo: Todo): Promise<void> {
  await putNew(table, userId, todo);
  await table.doc.update({
    TableName: table.name,
    Key: recordKey,
    UpdateExpression: "SET #state = :done",
    ExpressionAttributeNames: { "#state": "state" },
    ExpressionAttributeValues: { ":done": "done" },
  });
}

async function createIdempotent(table: Table, userId: string, todo: Todo, claim: IdempotencyClaim): Promise<CreateResult> {
  const { doc, name } = table;
  const recordKey = itemKey(userId, IDEMPOTENCY_PREFIX + claim.keyHash);
  try {
    await doc.put({
      TableName: name,
      Item: {
        ...recordKey,
        requestHash: claim.requestHash,
        todo,
        state: "pending",
        [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      },
      ConditionExpression: "attribute_not_exists(#sk)",
      ExpressionAttributeNames: { "#sk": TABLE_KEY.sort },
    });
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const { Item } = await doc.get({ TableName: name, Key: recordKey, ConsistentRead: true });
    if (!Item) throw new ConflictError("A request with this Idempotency-Key expired while being retried. Send it again.");
    if (Item.requestHash !== claim.requestHash) {
      throw new ConflictError("This Idempotency-Key was already used with a different request. Use a new key for a new to-do.");
    }
    const earlier = Item.todo as Todo;
    if (Item.state !== "done") await finishIdempotentCreate(table, userId, recordKey, earlier);
    return { todo: earlier, created: false };
  }
  await finishIdempotentCreate(table, userId, recordKey, todo);
  return { todo, created: true };
}

/** A conditional Update of a live to-do's fields (404 when absent, 412 when `expectedVersion` is stale). */
export async function updateTodoItem(
  table: Table,
  userId: string,
  id: string,
  changes: TodoChanges,
  updatedAt: string,
  expectedVersion?: number,
): Promise<Todo> {
  const names: Record<string, string> = { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE, "#ck": CHANGES_INDEX.sort };
  const values: Record<string, unknown> = { ":one": 1, ":updatedAt": updatedAt, ":ck": changeKeyOf(updatedAt, id) };
  const sets = ["version = version + :one", "updatedAt = :updatedAt", "#ck = :ck"];
  for (const [field, value] of Object.entries(changes)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  let condition = EXISTS_LIVE;
  if (expectedVersion !== undefined) {
    condition += " AND version = :expectedVersion";
    values[":expectedVersion"] = expectedVersion;
  }
  try {
    const { Attributes } = await table.doc.update({
      TableName: table.name,
      Key: itemKey(userId, id),
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    });
    return toTodo(Attributes as Item);
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    if (expectedVersion === undefined) throw new NotFoundError();
    return explainFailedCondition(table, userId, id);
  }
}

/** The name of one operation of the store. */
export type StoreOperation = keyof TodoStore;

/** Each operation of the store, built for one table. */
export const STORE_OPERATIONS: { readonly [K in StoreOperation]: (table: Table) => TodoStore[K] } = {
  create: (table) => async (userId, todo, idempotency, todoLimit) => {
    // Under a list the to-do is counted first (the limit), and given back if none was made.
    if (todoLimit !== undefined && !(await adjustTodoCount(table, userId, 1, todoLimit))) {
      throw new ConflictError(`This list has ${todoLimit} to-dos, the most a list may hold. Delete or clear some, or use another list.`);
    }
    let result: CreateResult | undefined;
    try {
      if (idempotency) result = await createIdempotent(table, userId, todo, idempotency);
      else if (await putNew(table, userId, todo)) result = { todo, created: true };
      else throw new ConflictError("A to-do with this id already exists. Send the request again.");
      return result;
    } finally {
      if (todoLimit !== undefined && !result?.created) await adjustTodoCount(table, userId, -1);
    }
  },

  get: (table) => async (userId, id) => {
    const item = await read(table, userId, id);
    return item ? toTodo(item) : undefined;
  },

  // Tombstones (and, with a status, the other status) are filtered out after the Query reads
  // them, so one Query may find fewer items than the page needs: it keeps reading, each Query
  // asking for four times more (up to 1,000), until the page is full or LIST_READ_BUDGET
  // Queries were made (at most about 4,000 items read, ≈ 200 read units). The cursor is
  // then the last key read, so the next page continues exactly there.
  list:
    ({ doc, name }) =>
    async (userId, { limit, status, afterId }: ListOptions): Promise<TodoPage> => {
      const byStatus = status !== "all";
      const found: Todo[] = [];
      let startKey: Item | undefined = afterId === undefined ? undefined : itemKey(userId, afterId);
      let ask = limit + 1; // one more than the page tells whether another page exists
      for (let query = 0; query < LIST_READ_BUDGET; query++) {
        const { Items = [], LastEvaluatedKey }: { Items?: Item[]; LastEvaluatedKey?: Item } = await doc.query({
          TableName: name,
          KeyConditionExpression: "#pk = :userId AND #sk < :idempotencyPrefix",
          FilterExpression: byStatus ? `${FILTER_LIVE} AND completed = :completed` : FILTER_LIVE,
          ExpressionAttributeNames: keyNames(),
          ExpressionAttributeValues: {
            ":userId": userId,
            ":idempotencyPrefix": IDEMPOTENCY_PREFIX,
            ...(byStatus && { ":completed": status === "completed" }),
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: ask,
          ...(startKey && { ExclusiveStartKey: startKey }),
        });
        found.push(...Items.map(toTodo));
        if (found.length > limit) return { items: found.slice(0, limit), lastId: found[limit - 1].id };
        if (!LastEvaluatedKey) return { items: found };
        startKey = LastEvaluatedKey;
        // Few matches so far: ask for more at a time (reads are billed by what is read, not returned).
        ask = Math.min(ask * 4, LIST_QUERY_LIMIT_MAX);
      }
      return { items: found, lastId: startKey?.[TABLE_KEY.sort] as string };
    },

  update: (table) => (userId, id, changes, updatedAt, expectedVersion) =>
    updateTodoItem(table, userId, id, changes, updatedAt, expectedVersion),

  updateListTodo: (table) => async (listId, id, changes, updatedAt, expectedVersion, moveTo) => {
    if (moveTo === undefined || moveTo.listId === listId) {
      return { todo: await updateTodoItem(table, listId, id, changes, updatedAt, expectedVersion), listId };
    }
    // The target is authorized here, from the table, as the adapter does for the path's list:
    // a list the caller is not in is the same 404; one they may only read, 403.
    const { Item: member } = await table.doc.get({
      TableName: table.name,
      Key: itemKey(moveTo.listId, MEMBER_PREFIX + moveTo.sub),
      ConsistentRead: true,
    });
    if (!member || member[TOMBSTONE_ATTRIBUTE] === true) throw new NotFoundError(LIST_NOT_FOUND_MESSAGE);
    if (!can(member.role as Role, "write"))
      throw new ForbiddenError(`Your role in the target list (${member.role as string}) does not allow adding to-dos.`);
    // Idempotent under retry: 1. read the source; 2. put the moved to-do in the target (same id;
    // a retry finds it there); 3. tombstone the source, conditioned on the version read, so an
    // edit made in between is not lost (412, and the copy is withdrawn).
    const source = await read(table, listId, id);
    if (!source) {
      const moved = await read(table, moveTo.listId, id);
      if (moved) return { todo: toTodo(moved), listId: moveTo.listId };
      throw new NotFoundError();
    }
    if (expectedVersion !== undefined && source.version !== expectedVersion) throw new PreconditionFailedError(source.version as number);
    const todo: Todo = { ...toTodo(source), ...changes, version: (source.version as number) + 1, updatedAt };
    if (!(await adjustTodoCount(table, moveTo.listId, 1, moveTo.todoLimit))) {
      throw new ConflictError(`The target list has ${moveTo.todoLimit} to-dos, the most a list may hold.`);
    }
    let put = false;
    try {
      await table.doc.put({
        TableName: table.name,
        Item: toItem(moveTo.listId, todo),
        // Over a tombstone too: a to-do moved away and back again.
        ConditionExpression: "attribute_not_exists(#sk) OR #deleted = :true",
        ExpressionAttributeNames: { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE },
        ExpressionAttributeValues: { ":true": true },
      });
      put = true;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    } finally {
      if (!put) await adjustTodoCount(table, moveTo.listId, -1);
    }
    const tombstone = tombstoneUpdate(id, updatedAt);
    try {
      await table.doc.update({
        TableName: table.name,
        Key: itemKey(listId, id),
        ...tombstone,
        ConditionExpression: `${EXISTS_LIVE} AND version = :seen`,
        ExpressionAttributeNames: { ...tombstone.ExpressionAttributeNames, "#sk": TABLE_KEY.sort },
        ExpressionAttributeValues: { ...tombstone.ExpressionAttributeValues, ":seen": source.version },
      });
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      // Changed (or moved by a concurrent retry) since it was read: withdraw this copy if it is ours.
      if (put) {
        await table.doc.update({ TableName: table.name, Key: itemKey(moveTo.listId, id), ...tombstoneUpdate(id, updatedAt) });
        await adjustTodoCount(table, moveTo.listId, -1);
      }
      const now = await read(table, listId, id);
      if (now) throw new PreconditionFailedError(now.version as number);
    }
    await adjustTodoCount(table, listId, -1);
    const moved = await read(table, moveTo.listId, id);
    if (!moved) throw new NotFoundError();
    return { todo: toTodo(moved), listId: moveTo.listId };
  },

  delete: (table) => async (userId, id, deletedAt, expectedVersion, counted) => {
    const tombstone = tombstoneUpdate(id, deletedAt);
    try {
      await table.doc.update({
        TableName: table.name,
        Key: itemKey(userId, id),
        UpdateExpression: tombstone.UpdateExpression,
        ConditionExpression: expectedVersion === undefined ? EXISTS_LIVE : `${EXISTS_LIVE} AND version = :v`,
        ExpressionAttributeNames: { ...tombstone.ExpressionAttributeNames, "#sk": TABLE_KEY.sort },
        ExpressionAttributeValues: {
          ...tombstone.ExpressionAttributeValues,
          ...(expectedVersion !== undefined && { ":v": expectedVersion }),
        },
      });
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      if (expectedVersion === undefined) throw new NotFoundError();
      await explainFailedCondition(table, userId, id);
    }
    if (counted) await adjustTodoCount(table, userId, -1);
  },

  ...BULK_OPERATIONS,
  ...LIST_OPERATIONS,
  ...FEED_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
};

/**
 * A request's store, built for the device its request names (handlers/writer.ts): every item it
 * writes carries `<sub>/<device>`, or no writer when `writer` is undefined. The adapter builds one
 * per request (a handful of closures over the one document client).
 */
export type StoreFor<S = TodoStore> = (writer: string | undefined) => S;

/** The whole store on one table, stamped per request (the local stack, the tests and the bench). */
export function dynamoStoreFor(doc: DynamoDBDocument, tableName: string): StoreFor {
  return (writer) => dynamoTodoStore(stampedDocument(doc, writer), tableName);
}

/** The whole store on one table (the local stack, the tests and the bench). */
export function dynamoTodoStore(doc: DynamoDBDocument, tableName: string): TodoStore {
  const table: Table = { doc, name: tableName };
  const store = {} as Record<StoreOperation, unknown>;
  for (const [operation, build] of Object.entries(STORE_OPERATIONS)) store[operation as StoreOperation] = build(table);
  return store as TodoStore;
}

/**
 * A store with only `operations`, for one route's Lambda function (its own operation, and the
 * membership read when it is a list route): the closure this returns reaches those operations'
 * code alone, so Pulumi's serializer copies nothing of the others.
 */
export function operationStore<K extends StoreOperation>(
  operations: readonly K[],
): (doc: DynamoDBDocument, tableName: string) => Pick<TodoStore, K> {
  const builds = operations.map((operation) => [operation, STORE_OPERATIONS[operation]] as const);
  return (doc, tableName) => {
    const table: Table = { doc, name: tableName };
    const store = {} as Record<string, unknown>;
    for (const [operation, build] of builds) store[operation] = build(table);
    return store as Pick<TodoStore, K>;
  };
}
