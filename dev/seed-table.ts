/**
 * Seeding TodoTable straight through DynamoDB (tests and bench): big lists in seconds instead of
 * thousands of API requests. Items get the layout the adapter writes (handlers/table.ts).
 */
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { ulidFactory } from "../handlers/ids";
import { topPosition } from "../handlers/positions";
import { createDocumentClient } from "../handlers/store";
import { CHANGES_INDEX, changeKeyOf, TABLE_KEY } from "../handlers/table";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/dynamo";
import type { Todo } from "../handlers/todos";

/** A to-do as the table holds it (without its partition key), with its place in the change feed. */
export function todoItem({ id, ...rest }: Todo): Record<string, unknown> {
  return { [TABLE_KEY.sort]: id, ...rest, [CHANGES_INDEX.sort]: changeKeyOf(rest.updatedAt, id) };
}

/** Puts items into one user's partition: 25 per BatchWrite, 8 BatchWrites at once. */
export async function seedItems(
  doc: DynamoDBDocument,
  tableName: string,
  userId: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) {
    batches.push(items.slice(i, i + 25).map((item) => ({ ...item, [TABLE_KEY.partition]: userId })));
  }
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt === 5) throw new Error("BatchWrite left items unprocessed");
          const { UnprocessedItems } = await doc.batchWrite({ RequestItems: { [tableName]: requests } });
          requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }),
    );
  }
}

/**
 * `n` to-dos made a millisecond apart up to `now`, each put on top when made as the list routes
 * do (so the newest is on top and "Seeded to-do 1" at the bottom), every third one done: a big
 * list for the browser tests and bench.
 */
export function manyTodos(n: number, now = Date.now()): Todo[] {
  const nextId = ulidFactory(() => now);
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(now - n + i).toISOString();
    const position = topPosition(now - n + i);
    return {
      id: nextId(),
      title: `Seeded to-do ${i + 1}`,
      completed: i % 3 === 2,
      dueDate: null,
      createdAt: at,
      updatedAt: at,
      version: 1,
      position,
    };
  });
}

/**
 * Puts `todos` into a person's first list (its id is their sub) on a local stack, after their
 * first sign-in has made that list: they reach devices through the change feed like any change.
 */
export async function seedFirstList(
  stack: { dynamoEndpoint: string; tableName: string },
  sub: string,
  todos: readonly Todo[],
): Promise<void> {
  const doc = createDocumentClient({ endpoint: stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await seedItems(doc, stack.tableName, sub, todos.map(todoItem));
  } finally {
    doc.destroy();
  }
}
