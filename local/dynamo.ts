/**
 * A DynamoDB-compatible server for laptops and tests: dynalite, in-process, on 127.0.0.1.
 * In memory by default; on disk when `path` is given (a folder only its owner can read). The
 * table gets TodoTable's definition. Local tools only: no web page reaches it (local-guard.ts).
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { CHANGES_INDEX, changeKeyOf, KEY_ATTRIBUTES, TABLE_KEY } from "../handlers/table";
import { closeServer, listen, type PortName } from "./listen";
import { guardServer, privateDir } from "./local-guard";

export const LOCAL_REGION = "us-east-1";
/** dynalite accepts any credentials; the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Keep the tables in this folder (created, or made, owner-only). @default in memory */
  readonly path?: string;
  /** Names the port in the error when it is taken. */
  readonly name?: PortName;
  /** Where refused requests and a tightened folder are told. @default nowhere */
  readonly log?: (line: string) => void;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalDynamo> {
  const log = options.log ?? (() => undefined);
  if (options.path) privateDir(options.path, log);
  // Loaded on first use: files that only need LOCAL_REGION do not pay for dynalite's LevelDB.
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path && { path: options.path }) });
  guardServer(server, { name: "DynamoDB (dynalite)", log });
  const port = await listen(server, options.port ?? 0, options.name);
  return { endpoint: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

/** TodoTable's definition (handlers/table.ts) as CreateTable input: keys, the change-feed index. */
export function todoTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: KEY_ATTRIBUTES.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: [
      { AttributeName: TABLE_KEY.partition, KeyType: "HASH" },
      { AttributeName: TABLE_KEY.sort, KeyType: "RANGE" },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: CHANGES_INDEX.name,
        KeySchema: [
          { AttributeName: TABLE_KEY.partition, KeyType: "HASH" },
          { AttributeName: CHANGES_INDEX.sort, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: CHANGES_INDEX.projection },
      },
    ],
  };
}

/**
 * Creates the to-do table (TodoTable's definition) unless it exists. A table from before the
 * change-feed index (kept in the local data folder) is rebuilt with it, its items kept: they are
 * copied to a backup table first, so an interrupted rebuild loses nothing (the backup stays).
 */
export async function ensureTodoTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const copy = async (
    from: string,
    to: string,
    change: (item: Record<string, AttributeValue>) => Record<string, AttributeValue> = (i) => i,
  ) => {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: startKey, ConsistentRead: true }));
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        const requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item: change(Item) } }));
        await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: requests } }));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  };
  try {
    try {
      await client.send(new CreateTableCommand(todoTableDefinition(tableName)));
      return;
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.LocalSecondaryIndexes?.some((index) => index.IndexName === CHANGES_INDEX.name)) return;
    const backup = `${tableName}-backup-${Date.now()}`;
    const plain = todoTableDefinition(backup);
    const keyNames = new Set(plain.KeySchema?.map((k) => k.AttributeName));
    await client.send(
      new CreateTableCommand({
        ...plain,
        LocalSecondaryIndexes: undefined,
        AttributeDefinitions: plain.AttributeDefinitions?.filter((a) => keyNames.has(a.AttributeName)),
      }),
    );
    await copy(tableName, backup);
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await client.send(new CreateTableCommand(todoTableDefinition(tableName)));
    // To-dos and tombstones from before the feed get their place in it.
    await copy(backup, tableName, (item) => {
      const updatedAt = item.updatedAt?.S;
      const id = item[TABLE_KEY.sort]?.S;
      return updatedAt && id && !item[CHANGES_INDEX.sort] ? { ...item, [CHANGES_INDEX.sort]: { S: changeKeyOf(updatedAt, id) } } : item;
    });
    await client.send(new DeleteTableCommand({ TableName: backup }));
  } finally {
    client.destroy();
  }
}
