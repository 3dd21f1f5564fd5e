/**
 * Local API throughput: authenticated GET /api/todos (50 items) and POST /api/todos through the
 * local stack under autocannon, against the same DynamoDB operations sent straight to the local
 * DynamoDB server, and a bare Node HTTP server answering a constant JSON (this host's ceiling).
 * Servers run in a child process; autocannon runs here, so the two never share an event loop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { registerUser } from "../dev/cognito-client";
import { CHANGES_INDEX, changeKeyOf, IDEMPOTENCY_PREFIX, TABLE_KEY } from "../handlers/table";
import { round } from "./lib/stats";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (opts: object) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}

export interface LoadFigure {
  readonly target: string;
  readonly operation: string;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly failed: number;
}

async function startChild(command: string, args: string[]): Promise<{ child: ChildProcess; info: any }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" } });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(() => {
      throw new Error(`${args.join(" ")} exited before it was ready`);
    }),
  ])) as [string];
  return { child, info: JSON.parse(line) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** Fresh sort keys across every load of the run (a reused key fails the conditional Put). */
let sortKeyCounter = 0;

async function load(
  target: string,
  operation: string,
  connections: number,
  durationSeconds: number,
  spec: object & { unique?: boolean },
): Promise<LoadFigure> {
  const { unique, ...opts } = spec as { unique?: boolean; body?: string };
  const result = await autocannon({
    connections,
    duration: durationSeconds,
    ...opts,
    ...(unique && {
      requests: [
        {
          setupRequest: (req: object) => ({ ...req, body: opts.body!.replaceAll("BENCH-ID", `BENCH-${process.pid}-${sortKeyCounter++}`) }),
        },
      ],
    }),
  });
  return {
    target,
    operation,
    connections,
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** DynamoDB's JSON protocol; dynalite checks that a signature is present, not what it says. */
function dynamoRequest(endpoint: string, operation: string, body: object): object {
  return {
    url: endpoint,
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": `DynamoDB_20120810.${operation}`,
      Authorization:
        "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
      "X-Amz-Date": "20260101T000000Z",
    },
    body: JSON.stringify(body),
  };
}

export async function benchLocalApi(options: { durationSeconds: number; connections: readonly number[] }): Promise<LoadFigure[]> {
  const figures: LoadFigure[] = [];
  const tsNode = [join(__dirname, "..", "node_modules", "ts-node", "dist", "bin.js")];
  const stack = await startChild(process.execPath, [...tsNode, join(__dirname, "lib", "serve-stack.ts")]);
  const bare = await startChild(process.execPath, [join(__dirname, "lib", "bare-server.js")]);
  try {
    const s = stack.info;
    const password = "correct horse battery staple";
    const reader = await registerUser(s.cognitoEndpoint, s.userPoolClientId, "reader@example.com", password, "123456");
    const writer = await registerUser(s.cognitoEndpoint, s.userPoolClientId, "writer@example.com", password, "123456");
    const readerSub = JSON.parse(Buffer.from(reader.idToken.split(".")[1], "base64url").toString()).sub as string;
    const writerSub = JSON.parse(Buffer.from(writer.idToken.split(".")[1], "base64url").toString()).sub as string;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${s.url}/api/todos`, {
        method: "POST",
        headers: { Authorization: reader.idToken, "Content-Type": "application/json" },
        body: JSON.stringify({ title: `Seeded to-do number ${i + 1}` }),
      });
      if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    }
    const list = await (await fetch(`${s.url}/api/todos`, { headers: { Authorization: reader.idToken } })).json();
    if (list.items.length !== 50) throw new Error(`expected 50 seeded items, got ${list.items.length}`);

    const newTodo = JSON.stringify({ title: "Buy oat milk and bread" });
    const now = new Date().toISOString();
    const targets: { target: string; operation: string; opts: object }[] = [
      {
        target: "local API",
        operation: "GET /api/todos (50 items)",
        opts: { url: `${s.url}/api/todos`, headers: { Authorization: reader.idToken } },
      },
      {
        target: "local API",
        operation: "POST /api/todos",
        opts: {
          url: `${s.url}/api/todos`,
          method: "POST",
          headers: { Authorization: writer.idToken, "Content-Type": "application/json" },
          body: newTodo,
        },
      },
      {
        target: "DynamoDB direct",
        operation: "Query (51 items, consistent)",
        opts: dynamoRequest(s.dynamoEndpoint, "Query", {
          TableName: s.tableName,
          KeyConditionExpression: "#pk = :u AND #sk < :p",
          ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, "#sk": TABLE_KEY.sort },
          ExpressionAttributeValues: { ":u": { S: readerSub }, ":p": { S: IDEMPOTENCY_PREFIX } },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 51,
        }),
      },
      {
        target: "DynamoDB direct",
        operation: "PutItem (conditional)",
        opts: {
          ...dynamoRequest(s.dynamoEndpoint, "PutItem", {
            TableName: s.tableName,
            Item: {
              [TABLE_KEY.partition]: { S: writerSub },
              [TABLE_KEY.sort]: { S: "BENCH-ID" },
              title: { S: "Buy oat milk and bread" },
              completed: { BOOL: false },
              dueDate: { NULL: true },
              createdAt: { S: now },
              updatedAt: { S: now },
              version: { N: "1" },
              // What the API writes: the to-do's place in the change feed (index writes included).
              [CHANGES_INDEX.sort]: { S: changeKeyOf(now, "BENCH-ID") },
            },
            ConditionExpression: "attribute_not_exists(#sk)",
            ExpressionAttributeNames: { "#sk": TABLE_KEY.sort },
          }),
          // A fresh sort key per request, as the API's ULIDs are.
          unique: true,
        },
      },
      { target: "bare Node", operation: "GET constant JSON", opts: { url: bare.info.url } },
    ];
    for (const connections of options.connections) {
      for (const t of targets) {
        const figure = await load(t.target, t.operation, connections, options.durationSeconds, t.opts);
        figures.push(figure);
        console.error(
          `  ${t.target} ${t.operation} c=${connections}: ${figure.requestsPerSecond} req/s, p99 ${figure.p99Ms} ms, failed ${figure.failed}`,
        );
      }
    }
  } finally {
    await stopChild(stack.child);
    await stopChild(bare.child);
  }
  return figures;
}

if (require.main === module) {
  benchLocalApi({ durationSeconds: Number(process.env.BENCH_SECONDS ?? 3), connections: [10] }).then((f) => console.log(f));
}
