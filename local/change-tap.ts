/**
 * The local stack's change stream: dynalite has no DynamoDB Streams (FIELD-NOTES 2026-12-06), so
 * the local DynamoDB server itself reports each write it accepted, as stream records with the keys
 * and, of the new image, the writer alone (handlers/writer.ts): a Put's from its item, an Update's
 * from the value a stamped Update sets (WRITER_VALUE; an Update that sets none gets none, where
 * DynamoDB's image would keep the last writer: locally a hand-made Update pokes everyone plainly),
 * a delete none (a REMOVE has no new image).
 * Tapping the server (not the local stack's DocumentClient, not a poll of the change feed) keeps
 * "every change, however made" true: the API's routes, the bulk routes, dev/seed-table.ts, a
 * migration script or the AWS CLI pointed at the local endpoint all write through it; a poll of
 * the feed index would need a Scan of every partition and would miss idempotency-free writes
 * that carry no `changeKey`.
 *
 * A write counts when dynalite answered 200 (a failed condition is a 400 and changed nothing).
 * Every key it names is reported, whether or not the item's values changed, as DynamoDB Streams
 * would not: a harmless extra poke. dynalite has no transactions, so TransactWriteItems never succeeds.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { ChangeRecord } from "../handlers/pokes";
import { TABLE_KEY } from "../handlers/table";
import { WRITER_ATTRIBUTE, WRITER_VALUE } from "../handlers/writer";

type Key = Record<string, { S?: string }>;
interface WriteBody {
  TableName?: string;
  Item?: Key;
  Key?: Key;
  ExpressionAttributeValues?: Key;
  RequestItems?: Record<string, { PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } }[]>;
}

const keyOf = (item: Key | undefined, writer?: { S?: string }, eventName = "MODIFY"): ChangeRecord | undefined =>
  item?.[TABLE_KEY.partition] && item[TABLE_KEY.sort]
    ? {
        eventName,
        dynamodb: {
          Keys: { [TABLE_KEY.partition]: item[TABLE_KEY.partition], [TABLE_KEY.sort]: item[TABLE_KEY.sort] },
          ...(eventName !== "REMOVE" && { NewImage: writer?.S === undefined ? {} : { [WRITER_ATTRIBUTE]: { S: writer.S } } }),
        },
      }
    : undefined;

/** The records one accepted request wrote to `tableName`. */
export function writtenRecords(target: string, body: WriteBody, tableName: string): ChangeRecord[] {
  const operation = target.split(".").pop();
  const records: (ChangeRecord | undefined)[] = [];
  if (body.TableName === tableName) {
    if (operation === "PutItem") records.push(keyOf(body.Item, body.Item?.[WRITER_ATTRIBUTE]));
    if (operation === "UpdateItem") records.push(keyOf(body.Key, body.ExpressionAttributeValues?.[WRITER_VALUE]));
    if (operation === "DeleteItem") records.push(keyOf(body.Key, undefined, "REMOVE"));
  }
  if (operation === "BatchWriteItem")
    for (const request of body.RequestItems?.[tableName] ?? [])
      records.push(
        request.PutRequest
          ? keyOf(request.PutRequest.Item, request.PutRequest.Item?.[WRITER_ATTRIBUTE])
          : keyOf(request.DeleteRequest?.Key, undefined, "REMOVE"),
      );
  return records.filter((r): r is ChangeRecord => r !== undefined);
}

/** Reports to `onChange` the records of every write `server` (dynalite) accepts on `tableName`. */
export function tapWrites(server: Server, tableName: string, onChange: (records: ChangeRecord[]) => void): void {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (!/\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(target)) return;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("finish", () => {
      if (res.statusCode !== 200) return;
      try {
        const records = writtenRecords(target, JSON.parse(Buffer.concat(chunks).toString("utf8")) as WriteBody, tableName);
        if (records.length > 0) onChange(records);
      } catch {
        // not JSON: dynalite refused it anyway
      }
    });
  });
}
