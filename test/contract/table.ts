/** Table access both contract drivers need: every item (to prove nothing changed), and emptying it. */
import { ScanCommand, type DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { TABLE_KEY } from "../../handlers/table";

export async function scanTable(doc: DynamoDBDocument, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 1000; page++) {
    const out = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (!startKey) return items;
  }
  throw new Error("scan did not finish in 1000 pages");
}

export async function emptyTable(doc: DynamoDBDocument, tableName: string): Promise<void> {
  const items = await scanTable(doc, tableName);
  for (let i = 0; i < items.length; i += 25) {
    await doc.batchWrite({
      RequestItems: {
        [tableName]: items.slice(i, i + 25).map((item) => ({
          DeleteRequest: { Key: { [TABLE_KEY.partition]: item[TABLE_KEY.partition], [TABLE_KEY.sort]: item[TABLE_KEY.sort] } },
        })),
      },
    });
  }
}
