/**
 * Who wrote an item last, for the poke (issue 18): every item a request writes carries
 * WRITER_ATTRIBUTE = `<sub>/<device>` (the caller and the device id of its `X-Tasklane-Device`
 * header), so the table's stream (NEW_IMAGE) tells the poke function which device made each
 * change, and a device is not poked into pulling what it just wrote (handlers/pokes.ts).
 *
 * It is stamped here, on the document client a request's store works through, not by each
 * operation: every Put (a to-do, a tombstone, a list's meta, a membership, an index entry, a
 * counter) and every Update of the request gets it, the bulk routes' hundreds of updates too, and
 * a write added later cannot forget it. A request without a device (no header, a GET whose side
 * writes adopt a first list or repair an index entry, the account sweep) REMOVEs it instead:
 * an Update keeps the attributes it does not name, so without the REMOVE a write from elsewhere
 * would carry the previous writer's device and that device would skip a change it never saw.
 *
 * What it rests on: an UpdateExpression has at most one SET and one REMOVE clause (DynamoDB
 * developer guide, "Update expressions"), and the clause keywords are reserved words, so they
 * appear in an expression only as keywords (attribute names that collide are written as `#name`).
 * Writes made outside the app (a migration script, the console) do not pass here: an Update of
 * theirs leaves the last writer in place. A device that skips such a change catches up at its
 * next pull (another poke, a look at the tab); the app's own writes all pass here.
 */
import type { BatchWriteCommandInput, DynamoDBDocument, PutCommandInput, UpdateCommandInput } from "@aws-sdk/lib-dynamodb";

/** The attribute that names the last writer: `<sub>/<device>`. Never shown by any route. */
export const WRITER_ATTRIBUTE = "writer";
/** The placeholders a stamped Update uses (the local change tap reads the value by them). */
export const WRITER_NAME = "#tasklaneWriter";
export const WRITER_VALUE = ":tasklaneWriter";

/** The stamp of a request: its caller and device, or undefined when it names no device. */
export const writerOf = (sub: string, device: string | undefined): string | undefined =>
  device === undefined ? undefined : `${sub}/${device}`;

/** The caller and device a stamp names; undefined for anything else. */
export function readWriter(value: unknown): { readonly sub: string; readonly device: string } | undefined {
  if (typeof value !== "string") return undefined;
  const at = value.indexOf("/");
  return at > 0 && at < value.length - 1 ? { sub: value.slice(0, at), device: value.slice(at + 1) } : undefined;
}

/** Puts `clause` (e.g. `#w = :w`) into the expression's `keyword` section, or adds that section. */
function withClause(expression: string, keyword: "SET" | "REMOVE", clause: string): string {
  const section = new RegExp(`(^|\\s)${keyword}\\s+`, "i").exec(expression);
  if (!section) return `${expression} ${keyword} ${clause}`.trim();
  const at = section.index + section[0].length;
  return `${expression.slice(0, at)}${clause}, ${expression.slice(at)}`;
}

function stampItem<T extends Record<string, unknown> | undefined>(item: T, writer: string | undefined): T {
  if (item === undefined) return item;
  const { [WRITER_ATTRIBUTE]: _old, ...rest } = item;
  return (writer === undefined ? rest : { ...rest, [WRITER_ATTRIBUTE]: writer }) as T;
}

function stampUpdate(input: UpdateCommandInput, writer: string | undefined): UpdateCommandInput {
  if (input.UpdateExpression === undefined) return input;
  const names = { ...input.ExpressionAttributeNames, [WRITER_NAME]: WRITER_ATTRIBUTE };
  if (writer === undefined)
    return { ...input, UpdateExpression: withClause(input.UpdateExpression, "REMOVE", WRITER_NAME), ExpressionAttributeNames: names };
  return {
    ...input,
    UpdateExpression: withClause(input.UpdateExpression, "SET", `${WRITER_NAME} = ${WRITER_VALUE}`),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, [WRITER_VALUE]: writer },
  };
}

function stampBatch(input: BatchWriteCommandInput, writer: string | undefined): BatchWriteCommandInput {
  const requestItems = Object.fromEntries(
    Object.entries(input.RequestItems ?? {}).map(([table, requests]) => [
      table,
      requests.map((r) => (r.PutRequest ? { ...r, PutRequest: { ...r.PutRequest, Item: stampItem(r.PutRequest.Item, writer) } } : r)),
    ]),
  );
  return { ...input, RequestItems: requestItems };
}

/**
 * The document client as one request sees it: its Puts, Updates and BatchWrites carry `writer`
 * (or drop the attribute when it is undefined); everything else is the client itself.
 */
export function stampedDocument(doc: DynamoDBDocument, writer: string | undefined): DynamoDBDocument {
  const stamped: Partial<Record<keyof DynamoDBDocument, unknown>> = {
    put: (input: PutCommandInput) => doc.put({ ...input, Item: stampItem(input.Item, writer) }),
    update: (input: UpdateCommandInput) => doc.update(stampUpdate(input, writer)),
    batchWrite: (input: BatchWriteCommandInput) => doc.batchWrite(stampBatch(input, writer)),
  };
  return new Proxy(doc, {
    get(target, property, receiver) {
      if (typeof property === "string" && property in stamped) return stamped[property as keyof DynamoDBDocument];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
