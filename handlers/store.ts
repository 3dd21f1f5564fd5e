/**
 * The DynamoDB adapter: implements `TodoStore` on one table keyed by `userId` + `todoId`.
 *
 * One round trip per request where DynamoDB allows it: create is a conditional Put, update and
 * delete are conditional Update/Delete (no read-then-write; a read happens only after a failed
 * condition, to tell 404 from 412), list is one Query. No transactions: the local DynamoDB
 * server has none. Idempotency records live in the user's own partition under a sort-key prefix
 * that sorts after every to-do id, so Queries bound by `todoId < prefix` never see them.
 */
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { ConflictError, NotFoundError, PreconditionFailedError } from "./errors";
import type { CreateResult, IdempotencyClaim, ListOptions, Todo, TodoChanges, TodoPage, TodoStore } from "./todos";

/** The table's key schema: TodoTable, the local stack and this adapter all read it from here. */
export const TABLE_KEY = { partition: "userId", sort: "todoId" } as const;
/** Attribute DynamoDB's TTL reads to expire idempotency records. */
export const TTL_ATTRIBUTE = "expiresAt";
/** Sorts after every ULID (Crockford base32 is 0-9A-Z). */
const IDEMPOTENCY_PREFIX = "~idem#";
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const BATCH_WRITE_MAX = 25;

/** The actions the adapter performs, by method: the route table picks its routes' from these. */
export const DYNAMODB_ACTIONS = {
  create: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
  get: ["dynamodb:GetItem"],
  list: ["dynamodb:Query"],
  update: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
  delete: ["dynamodb:DeleteItem", "dynamodb:GetItem"],
  clearCompleted: ["dynamodb:Query", "dynamodb:BatchWriteItem"],
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
  const { DynamoDBClient } = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
  const { DynamoDBDocument: Document } = require("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
  return Document.from(new DynamoDBClient({ ...options }), { marshallOptions: { removeUndefinedValues: true } });
}

type Item = Record<string, unknown>;

const isConditionFailed = (err: unknown): boolean => (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";

function toTodo(item: Item): Todo {
  return {
    id: item.todoId as string,
    title: item.title as string,
    completed: item.completed as boolean,
    dueDate: (item.dueDate as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
  };
}

function toItem(userId: string, todo: Todo): Item {
  const { id, ...rest } = todo;
  return { userId, todoId: id, ...rest };
}

export function dynamoTodoStore(doc: DynamoDBDocument, tableName: string): TodoStore {
  const key = (userId: string, todoId: string) => ({ userId, todoId });

  async function putNew(userId: string, todo: Todo): Promise<boolean> {
    try {
      await doc.put({
        TableName: tableName,
        Item: toItem(userId, todo),
        ConditionExpression: "attribute_not_exists(todoId)",
      });
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** After a failed condition: was the item missing (404) or at another version (412)? */
  async function explainFailedCondition(userId: string, id: string): Promise<never> {
    const { Item } = await doc.get({ TableName: tableName, Key: key(userId, id), ConsistentRead: true });
    if (!Item) throw new NotFoundError();
    throw new PreconditionFailedError(Item.version as number);
  }

  // An idempotent create writes a "pending" record holding the to-do, then the to-do, then marks
  // the record "done". A retry that finds a pending record (the first attempt crashed or is still
  // running) finishes the same two steps; both writes are idempotent, so racing is harmless. A
  // retry that finds "done" only returns the to-do, so it never resurrects a deleted one.
  async function finishIdempotentCreate(userId: string, recordKey: Item, todo: Todo): Promise<void> {
    await putNew(userId, todo);
    await doc.update({
      TableName: tableName,
      Key: recordKey,
      UpdateExpression: "SET #state = :done",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: { ":done": "done" },
    });
  }

  async function createIdempotent(userId: string, todo: Todo, claim: IdempotencyClaim): Promise<CreateResult> {
    const recordKey = key(userId, IDEMPOTENCY_PREFIX + claim.keyHash);
    try {
      await doc.put({
        TableName: tableName,
        Item: {
          ...recordKey,
          requestHash: claim.requestHash,
          todo,
          state: "pending",
          [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: "attribute_not_exists(todoId)",
      });
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const { Item } = await doc.get({ TableName: tableName, Key: recordKey, ConsistentRead: true });
      if (!Item) throw new ConflictError("A request with this Idempotency-Key expired while being retried. Send it again.");
      if (Item.requestHash !== claim.requestHash) {
        throw new ConflictError("This Idempotency-Key was already used with a different request. Use a new key for a new to-do.");
      }
      const earlier = Item.todo as Todo;
      if (Item.state !== "done") await finishIdempotentCreate(userId, recordKey, earlier);
      return { todo: earlier, created: false };
    }
    await finishIdempotentCreate(userId, recordKey, todo);
    return { todo, created: true };
  }

  return {
    async create(userId, todo, idempotency) {
      if (idempotency) return createIdempotent(userId, todo, idempotency);
      if (!(await putNew(userId, todo))) throw new ConflictError("A to-do with this id already exists. Send the request again.");
      return { todo, created: true };
    },

    async get(userId, id) {
      const { Item } = await doc.get({ TableName: tableName, Key: key(userId, id), ConsistentRead: true });
      return Item ? toTodo(Item) : undefined;
    },

    async list(userId, { limit, status, afterId }: ListOptions): Promise<TodoPage> {
      const filtered = status !== "all";
      // One Query; asking for one item more than the page tells whether another page exists.
      const { Items = [], LastEvaluatedKey } = await doc.query({
        TableName: tableName,
        KeyConditionExpression: "userId = :userId AND todoId < :idempotencyPrefix",
        ...(filtered && { FilterExpression: "completed = :completed" }),
        ExpressionAttributeValues: {
          ":userId": userId,
          ":idempotencyPrefix": IDEMPOTENCY_PREFIX,
          ...(filtered && { ":completed": status === "completed" }),
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit + 1,
        ...(afterId && { ExclusiveStartKey: key(userId, afterId) }),
      });
      const items = Items.map(toTodo);
      if (items.length > limit) return { items: items.slice(0, limit), lastId: items[limit - 1].id };
      return { items, ...(LastEvaluatedKey && { lastId: LastEvaluatedKey.todoId as string }) };
    },

    async update(userId, id, changes: TodoChanges, updatedAt, expectedVersion) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ":one": 1, ":updatedAt": updatedAt };
      const sets = ["version = version + :one", "updatedAt = :updatedAt"];
      for (const [field, value] of Object.entries(changes)) {
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      let condition = "attribute_exists(todoId)";
      if (expectedVersion !== undefined) {
        condition += " AND version = :expectedVersion";
        values[":expectedVersion"] = expectedVersion;
      }
      try {
        const { Attributes } = await doc.update({
          TableName: tableName,
          Key: key(userId, id),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: condition,
          ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        });
        return toTodo(Attributes as Item);
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        if (expectedVersion === undefined) throw new NotFoundError();
        return explainFailedCondition(userId, id);
      }
    },

    async delete(userId, id, expectedVersion) {
      try {
        await doc.delete({
          TableName: tableName,
          Key: key(userId, id),
          ConditionExpression: expectedVersion === undefined ? "attribute_exists(todoId)" : "attribute_exists(todoId) AND version = :v",
          ...(expectedVersion !== undefined && { ExpressionAttributeValues: { ":v": expectedVersion } }),
        });
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        if (expectedVersion === undefined) throw new NotFoundError();
        await explainFailedCondition(userId, id);
      }
    },

    async clearCompleted(userId) {
      const ids: string[] = [];
      let startKey: Item | undefined;
      do {
        const page = await doc.query({
          TableName: tableName,
          KeyConditionExpression: "userId = :userId AND todoId < :idempotencyPrefix",
          FilterExpression: "completed = :true",
          ProjectionExpression: "todoId",
          ExpressionAttributeValues: { ":userId": userId, ":idempotencyPrefix": IDEMPOTENCY_PREFIX, ":true": true },
          // A to-do completed just before "clear completed" must be seen (Queries are eventually
          // consistent by default).
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        });
        for (const item of page.Items ?? []) ids.push(item.todoId as string);
        startKey = page.LastEvaluatedKey;
      } while (startKey);

      for (let i = 0; i < ids.length; i += BATCH_WRITE_MAX) {
        let requests = ids.slice(i, i + BATCH_WRITE_MAX).map((id) => ({ DeleteRequest: { Key: key(userId, id) } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt === 5) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed after 5 attempts`);
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          const { UnprocessedItems } = await doc.batchWrite({ RequestItems: { [tableName]: requests } });
          requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
      return ids.length;
    },
  };
}
