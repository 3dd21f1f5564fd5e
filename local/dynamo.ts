/**
 * A DynamoDB-compatible server for laptops and tests: dynalite, in-process, on 127.0.0.1.
 * In memory by default; on disk when `path` is given. The table gets TodoTable's key schema.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { TABLE_KEY } from "../handlers/store";
import { closeServer, listen, type PortName } from "./listen";

export const LOCAL_REGION = "us-east-1";
/** dynalite accepts any credentials; the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDynalite(options: { port?: number; path?: string; name?: PortName } = {}): Promise<LocalDynamo> {
  // Loaded on first use: files that only need LOCAL_REGION do not pay for dynalite's LevelDB.
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path && { path: options.path }) });
  const port = await listen(server, options.port ?? 0, options.name);
  return { endpoint: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

/** Creates the to-do table (same keys as TodoTable) unless it exists. */
export async function ensureTodoTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: TABLE_KEY.partition, AttributeType: "S" },
          { AttributeName: TABLE_KEY.sort, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEY.partition, KeyType: "HASH" },
          { AttributeName: TABLE_KEY.sort, KeyType: "RANGE" },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  } finally {
    client.destroy();
  }
}
