/**
 * The whole-list routes for one user with 100, 1,000 and 10,000 to-dos (every third completed):
 * requests, DynamoDB calls, capacity and wall time in-process (handlers on dynalite), and the
 * cost of one operation at list prices.
 *
 * Requests are what a client sends until the operation is done (it follows nextCursor / hasMore;
 * the time budget is the default 5 s timeout's). DynamoDB calls and read/write units are measured
 * on the wire (bench/lib/dynamo-meter.ts). dynalite bills a write by the item alone; DynamoDB also
 * bills the local secondary index: a write that moves an item's change key costs 2 more units
 * (delete the old index entry, put the new), one that only adds or removes an entry 1 more
 * (INDEX_WRITES_PER_TABLE_WRITE in cost-model.ts). Those index units are added from what the
 * operation reported, and priced.
 *
 * `npx ts-node --transpile-only bench/whole-list.ts` runs this section alone.
 */
import { randomUUID } from "node:crypto";
import { ulidFactory } from "../handlers/ids";
import { seedItems, todoItem } from "../dev/seed-table";
import { createHandler, type ProxyEvent, type ProxyHandler } from "../handlers/http";
import { routes } from "../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../handlers/store";
import type { Todo } from "../handlers/todos";
import { WRITE_PARALLELISM } from "../handlers/store-bulk";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite } from "../local/dynamo";
import { startMeteringProxy } from "./lib/dynamo-meter";
import { markdownTable, round } from "./lib/stats";
import { indexWriteUnits } from "./cost-model";
import { ASSUMPTIONS, PRICES } from "./prices";

export interface WholeListFigure {
  readonly size: number;
  readonly operation: string;
  readonly requests: number;
  readonly dynamoCalls: number;
  readonly callsByOperation: Readonly<Record<string, number>>;
  readonly readUnits: number;
  /** Measured on the wire: the table's write units. */
  readonly writeUnits: number;
  /** The local secondary index's write units DynamoDB adds (see the file comment). */
  readonly indexWriteUnits: number;
  readonly responseBytes: number;
  readonly wallMs: number;
  /** Lambda time modelled as DynamoDB round trips × ASSUMPTIONS.dynamoDbRoundTripMs (writes WRITE_PARALLELISM at a time). */
  readonly modelledLambdaMs: number;
  readonly costUsd: number;
}

const DEFAULT_MEMORY_MB = 256;
const JSON_HEADERS = { "content-type": "application/json" };

/** The bill of one operation: API Gateway, CloudFront, Lambda, DynamoDB, logs. */
function costOf(f: Omit<WholeListFigure, "costUsd">, memoryMb: number): number {
  const gbSeconds = (memoryMb / 1024) * (Math.max(f.requests, f.modelledLambdaMs) / 1000);
  const logBytes = f.requests * (ASSUMPTIONS.lambdaPlatformLogBytes + 600); // platform lines, our line, the access log
  return (
    f.requests * (PRICES.apiGatewayRestPerRequest + PRICES.lambdaPerRequest + PRICES.cloudFrontHttpsPerRequest) +
    (f.responseBytes / 1e9) * PRICES.cloudFrontPerGbOut +
    gbSeconds * PRICES.lambdaArm64PerGbSecond +
    f.readUnits * PRICES.dynamoDbPerRead +
    (f.writeUnits + f.indexWriteUnits) * PRICES.dynamoDbPerWrite +
    (logBytes / 1e9) * PRICES.cloudWatchLogsPerGb
  );
}

export async function benchWholeList(options: { sizes: readonly number[]; lambdaMemoryMb?: number }): Promise<WholeListFigure[]> {
  const memoryMb = options.lambdaMemoryMb ?? DEFAULT_MEMORY_MB;
  const db = await startDynalite();
  const proxy = await startMeteringProxy(db.endpoint);
  const tableName = "bench-whole-list";
  const direct = createDocumentClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const metered = createDocumentClient({ endpoint: proxy.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const figures: WholeListFigure[] = [];
  try {
    await ensureTodoTable(db.endpoint, tableName);
    const store = dynamoTodoStore(metered, tableName);
    const handlers = new Map<string, ProxyHandler>(routes.map((r) => [r.name, createHandler(r, store, { log: () => undefined })]));

    for (const size of options.sizes) {
      const user = `bench-${size}-${randomUUID()}`;
      const at = Date.now() - 10 * 60_000;
      const nextId = ulidFactory(() => at);
      const todos: Todo[] = Array.from({ length: size }, (_, i) => ({
        id: nextId(),
        title: `Seeded to-do ${i + 1} for the whole-list bench`,
        completed: i % 3 === 0,
        dueDate: null,
        createdAt: new Date(at).toISOString(),
        updatedAt: new Date(at).toISOString(),
        version: 1,
      }));
      const seed = () => seedItems(direct, tableName, user, todos.map(todoItem));

      const send = async (route: string, method: string, path: string, extra: Partial<ProxyEvent> = {}) => {
        const handler = handlers.get(route);
        if (!handler) throw new Error(`no route ${route}`);
        const result = await handler({
          httpMethod: method,
          path,
          headers: JSON_HEADERS,
          queryStringParameters: null,
          pathParameters: null,
          body: null,
          requestContext: { requestId: randomUUID(), authorizer: { claims: { sub: user } } },
          ...extra,
        });
        if (result.statusCode !== 200) throw new Error(`${route} answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
        return result.body;
      };

      /** Runs an operation (a function that sends requests and counts them) with the meter on. */
      const measure = async (operation: string, run: () => Promise<{ requests: number; bytes: number; indexWriteUnits: number }>) => {
        proxy.reset();
        const started = process.hrtime.bigint();
        const { requests, bytes, indexWriteUnits } = await run();
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        const m = proxy.meter;
        const calls = Object.values(m.calls).reduce((a, b) => a + b, 0);
        const c = m.calls;
        const roundTrips =
          (c.Query ?? 0) + (c.GetItem ?? 0) + Math.ceil((c.UpdateItem ?? 0) / WRITE_PARALLELISM) + Math.ceil((c.BatchWriteItem ?? 0) / 4);
        const figure = {
          size,
          operation,
          requests,
          dynamoCalls: calls,
          callsByOperation: { ...m.calls },
          readUnits: round(m.readUnits, 1),
          writeUnits: round(m.writeUnits, 1),
          indexWriteUnits,
          responseBytes: bytes,
          wallMs: round(wallMs, 1),
          modelledLambdaMs: roundTrips * ASSUMPTIONS.dynamoDbRoundTripMs,
        };
        figures.push({ ...figure, costUsd: costOf(figure, memoryMb) });
        console.error(`  ${size} to-dos, ${operation}: ${requests} requests, ${calls} DynamoDB calls, ${round(wallMs, 1)} ms`);
      };

      /** Calls a bulk route until nextCursor is null; `count` is the field that says how many it changed. */
      const untilDone = async (route: string, method: string, path: string, count: string, body?: Record<string, unknown>) => {
        let requests = 0;
        let bytes = 0;
        let total = 0;
        let cursor: string | null = null;
        do {
          const inBody = body ?? (method === "POST" ? {} : undefined);
          const text = await send(route, method, path, {
            body: inBody === undefined ? null : JSON.stringify({ ...inBody, ...(cursor && { cursor }) }),
            queryStringParameters: method === "DELETE" && cursor ? { cursor } : null,
          });
          requests++;
          bytes += text.length;
          const answer = JSON.parse(text) as Record<string, unknown> & { nextCursor: string | null };
          total += answer[count] as number;
          cursor = answer.nextCursor;
        } while (cursor !== null);
        return { requests, bytes, total };
      };

      const sync = async (cursor: string | null, limit: number) => {
        let requests = 0;
        let bytes = 0;
        let items = 0;
        for (;;) {
          const query: Record<string, string> = { limit: String(limit), ...(cursor !== null && { cursor }) };
          const text = await send("listChanges", "GET", "/api/todos/changes", { queryStringParameters: query });
          requests++;
          bytes += text.length;
          const page = JSON.parse(text) as { items: unknown[]; nextCursor: string; hasMore: boolean };
          items += page.items.length;
          cursor = page.nextCursor;
          if (!page.hasMore) return { requests, bytes, items, cursor };
        }
      };

      await seed();
      await measure("summary", async () => {
        const text = await send("getSummary", "GET", "/api/todos/summary");
        return { requests: 1, bytes: text.length, indexWriteUnits: 0 };
      });
      let cursor = "";
      await measure("full sync (limit 500)", async () => {
        const full = await sync(null, 500);
        if (full.items !== size) throw new Error(`full sync returned ${full.items} of ${size}`);
        cursor = full.cursor;
        return { ...full, indexWriteUnits: 0 };
      });
      for (const todo of todos.slice(0, Math.min(10, size))) {
        await send("updateTodo", "PATCH", `/api/todos/${todo.id}`, {
          pathParameters: { id: todo.id },
          body: JSON.stringify({ title: `${todo.title} (edited)` }),
        });
      }
      await measure("delta sync (10 changes)", async () => {
        const delta = await sync(cursor, 200);
        if (delta.items !== Math.min(10, size)) throw new Error(`delta sync returned ${delta.items} changes`);
        return { ...delta, indexWriteUnits: 0 };
      });
      await measure("export (JSON)", async () => {
        const text = await send("exportTodos", "GET", "/api/todos/export");
        return { requests: 1, bytes: text.length, indexWriteUnits: 0 };
      });
      await seed();
      await measure("mark-all (complete all)", async () => {
        const r = await untilDone("markAllTodos", "POST", "/api/todos/mark-all", "changed", { completed: true });
        return { ...r, indexWriteUnits: indexWriteUnits("markAllTodos", r.total) };
      });
      await seed();
      await measure("clear-completed", async () => {
        const r = await untilDone("clearCompleted", "POST", "/api/todos/clear-completed", "deleted");
        return { ...r, indexWriteUnits: indexWriteUnits("clearCompleted", r.total) };
      });
      await measure("delete all data", async () => {
        // Every item left is in the index (to-dos and tombstones): one index entry removed each.
        const r = await untilDone("deleteAllTodos", "DELETE", "/api/todos", "deleted");
        return { ...r, indexWriteUnits: indexWriteUnits("deleteAllTodos", size) };
      });
    }
    return figures;
  } finally {
    direct.destroy();
    metered.destroy();
    await proxy.close();
    await db.close();
  }
}

export function wholeListTable(figures: readonly WholeListFigure[]): string {
  return markdownTable(
    figures.map((f) => ({
      "to-dos": f.size,
      operation: f.operation,
      requests: f.requests,
      "DynamoDB calls": `${f.dynamoCalls} (${Object.entries(f.callsByOperation)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`,
      RRU: f.readUnits,
      "WRU (+ index)": `${f.writeUnits} (+ ${f.indexWriteUnits})`,
      "wall ms (dynalite)": f.wallMs,
      "$ per 1,000 operations": `$${(f.costUsd * 1000).toFixed(4)}`,
    })),
  );
}

if (require.main === module) {
  const sizes = (process.env.BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);
  benchWholeList({ sizes })
    .then((figures) => console.log(wholeListTable(figures)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
