/**
 * The Lambda side of the bench, on the archives the Pulumi program really builds (index.ts under
 * the test mocks): archive bytes against CallbackFunction's defaults, cold start in a fresh Node
 * process against two references, and warm CPU time, DynamoDB calls and capacity per request.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { deflateRawSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { recorded, runProgram, ROOT } from "../dev/pulumi-mocks";
import { routes } from "../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../handlers/store";
import type { ProxyEvent } from "../handlers/http";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite } from "../local/dynamo";
import { startMeteringProxy } from "./lib/dynamo-meter";
import { median, round } from "./lib/stats";
import type { RouteMeasure } from "./cost-model";
import { monotonicFactory } from "ulid";

const TMP = join(ROOT, "bench", ".tmp", "lambda");
const CHILD = join(__dirname, "lib", "lambda-child.js");

export interface ArchiveFigure {
  readonly route: string;
  readonly files: number;
  readonly unzippedBytes: number;
  readonly zippedBytes: number;
  readonly serializedCodeBytes: number;
  readonly packages: readonly string[];
}

export interface ColdStartFigure {
  readonly subject: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface HandlerFigure extends RouteMeasure {
  readonly requests: number;
  readonly wallMsPerRequest: number;
  readonly callsByOperation: Readonly<Record<string, number>>;
  readonly statuses: Readonly<Record<string, number>>;
}

export interface LambdaResults {
  readonly archives: readonly ArchiveFigure[];
  /** The same closure packaged with CallbackFunction's defaults (every dependency, AWS SDK included). */
  readonly defaultPackaging: ArchiveFigure;
  readonly coldStart: readonly ColdStartFigure[];
  readonly handlers: readonly HandlerFigure[];
  readonly lambdaMemoryMb: number;
}

// ---- archive bytes -------------------------------------------------------------------------

function walk(path: string, out: string[] = []): string[] {
  const st = statSync(path);
  if (st.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry), out);
  else if (st.isFile()) out.push(path);
  return out;
}

/** Bytes of a zip of these entries: deflate (zlib's default level) plus zip's per-entry headers. */
function sizes(entries: readonly { name: string; content: Buffer }[]): { unzipped: number; zipped: number } {
  let unzipped = 0;
  let zipped = 22; // end of central directory
  for (const { name, content } of entries) {
    unzipped += content.length;
    const nameBytes = Buffer.byteLength(name);
    zipped += Math.min(content.length, deflateRawSync(content).length) + 30 + 46 + 2 * nameBytes;
  }
  return { unzipped, zipped };
}

async function archiveEntries(assets: Record<string, any>): Promise<{ name: string; content: Buffer }[]> {
  const entries: { name: string; content: Buffer }[] = [];
  for (const [name, asset] of Object.entries(assets)) {
    if (asset instanceof pulumi.asset.StringAsset) {
      entries.push({ name, content: Buffer.from(await asset.text) });
    } else {
      const path = await (asset as { path: Promise<string> }).path;
      const abs = join(ROOT, path);
      for (const file of walk(abs)) entries.push({ name: join(name, relative(abs, file)), content: readFileSync(file) });
    }
  }
  return entries;
}

function figure(route: string, entries: { name: string; content: Buffer }[]): ArchiveFigure {
  const s = sizes(entries);
  const packages = [
    ...new Set(entries.map((e) => /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(e.name)?.[1]).filter(Boolean) as string[]),
  ].sort();
  return {
    route,
    files: entries.length,
    unzippedBytes: s.unzipped,
    zippedBytes: s.zipped,
    serializedCodeBytes: entries.find((e) => e.name === "__index.js")?.content.length ?? 0,
    packages,
  };
}

// ---- events --------------------------------------------------------------------------------

function event(method: string, path: string, sub: string, extra: Partial<ProxyEvent> = {}): ProxyEvent {
  return {
    httpMethod: method,
    path,
    headers: { "Content-Type": "application/json" },
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    requestContext: { requestId: "bench", authorizer: { claims: { sub } } },
    ...extra,
  };
}

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; out: any }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CHILD, ...args], { env, stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const out = stdout.trim() ? JSON.parse(stdout.trim().split("\n").pop()!) : {};
      if (code !== 0 || out.error) reject(new Error(`child ${args.join(" ")} failed: ${out.error ?? code}`));
      else resolve({ ms, out });
    });
  });
}

export async function benchLambda(options: { coldRuns: number; warmRequests: number }): Promise<LambdaResults> {
  await runProgram();
  const functions = new Map(recorded.filter((r) => r.type === "aws:lambda/function:Function").map((r) => [r.name.replace(/^api-/, ""), r]));
  const tableName = recorded.find((r) => r.type === "aws:dynamodb/table:Table")!.state.name as string;
  const lambdaMemoryMb = functions.get(routes[0].name)!.inputs.memorySize as number;

  rmSync(TMP, { recursive: true, force: true });
  const archives: ArchiveFigure[] = [];
  const moduleDirs = new Map<string, string>();
  let firstIndex: { name: string; content: Buffer } | undefined;
  for (const route of routes) {
    const fn = functions.get(route.name);
    if (!fn) throw new Error(`no function for route ${route.name}`);
    const assets = await fn.inputs.code.assets;
    const entries = await archiveEntries(assets);
    archives.push(figure(route.name, entries));
    // Lay the archive out on disk: __index.js plus its packaged node_modules (links), like Lambda's /var/task.
    const dir = join(TMP, route.name);
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "__index.js"), entries.find((e) => e.name === "__index.js")!.content);
    for (const [name, asset] of Object.entries(assets)) {
      if (!name.startsWith("node_modules/")) continue;
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      symlinkSync(join(ROOT, await (asset as any).path), join(dir, name));
    }
    moduleDirs.set(route.name, dir);
    firstIndex ??= entries.find((e) => e.name === "__index.js");
  }

  // What CallbackFunction would have packaged without our codePathOptions.
  const defaultPaths = await pulumi.runtime.computeCodePaths({ extraExcludePackages: ["aws-sdk"] });
  const defaultEntries = [firstIndex!, ...(await archiveEntries(Object.fromEntries(defaultPaths)))];
  const defaultPackaging = figure("(CallbackFunction defaults)", defaultEntries);

  // References for the cold start: a constant, and the AWS SDK's DynamoDB clients plus a constant.
  const constantDir = join(TMP, "constant");
  const sdkDir = join(TMP, "sdk-only");
  mkdirSync(constantDir, { recursive: true });
  mkdirSync(sdkDir, { recursive: true });
  writeFileSync(join(constantDir, "__index.js"), 'exports.handler = async () => ({ statusCode: 200, body: "{}" });\n');
  writeFileSync(
    join(sdkDir, "__index.js"),
    'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");\n' +
      'const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");\n' +
      "const doc = DynamoDBDocument.from(new DynamoDBClient({}));\n" +
      'exports.handler = async () => ({ statusCode: 200, body: "{}" });\n',
  );

  const db = await startDynalite();
  const proxy = await startMeteringProxy(db.endpoint);
  try {
    await ensureTodoTable(db.endpoint, tableName);
    const store = dynamoTodoStore(
      createDocumentClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      tableName,
    );
    const nextId = monotonicFactory();
    const now = new Date().toISOString();
    const seed = async (userId: string, count: number, completed: (i: number) => boolean): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = nextId();
        ids.push(id);
        await store.create(userId, {
          id,
          title: `Seeded to-do ${i + 1} for the bench`,
          completed: completed(i),
          dueDate: null,
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
      }
      return ids;
    };
    const n = options.warmRequests + 20;
    const count = Math.max(n, options.coldRuns);
    const reader = "bench-reader";
    const [someId] = await seed(reader, 50, (i) => i % 2 === 0);
    const deletable = await seed("bench-deleter", count, () => false);
    // clearCompleted: one user per request, each with 5 completed and 5 active to-dos.
    const clearUsers = Array.from({ length: count }, (_, i) => `bench-clear-${i}`);
    for (const user of clearUsers) await seed(user, 10, (i) => i < 5);

    const body = (value: unknown) => ({ body: JSON.stringify(value) });
    const eventsFor: Record<string, ProxyEvent[]> = {
      createTodo: Array.from({ length: count }, (_, i) =>
        event("POST", "/api/todos", "bench-writer", body({ title: `Write the bench report, part ${i}` })),
      ),
      listTodos: Array.from({ length: count }, () => event("GET", "/api/todos", reader)),
      getTodo: Array.from({ length: count }, () => event("GET", `/api/todos/${someId}`, reader, { pathParameters: { id: someId } })),
      updateTodo: Array.from({ length: count }, (_, i) =>
        event("PATCH", `/api/todos/${someId}`, reader, { pathParameters: { id: someId }, ...body({ completed: i % 2 === 0 }) }),
      ),
      deleteTodo: deletable.map((id) => event("DELETE", `/api/todos/${id}`, "bench-deleter", { pathParameters: { id } })),
      clearCompleted: clearUsers.map((user) => event("POST", "/api/todos/clear-completed", user)),
    };
    const eventsDir = join(TMP, "events");
    mkdirSync(eventsDir, { recursive: true });
    const env = {
      ...process.env,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      // The Lambda runtime provides the AWS SDK v3; here the project's copy stands in for it.
      NODE_PATH: join(ROOT, "node_modules"),
      NODE_NO_WARNINGS: "1",
    };

    // Warm handler cost first (it uses each route's first `n` events), then cold starts. The
    // whole-list routes cost what the list's size makes them cost: whole-list.ts measures them.
    const perRequestRoutes = routes.filter((r) => r.name in eventsFor);
    const handlers: HandlerFigure[] = [];
    for (const route of perRequestRoutes) {
      const file = join(eventsDir, `${route.name}-warm.json`);
      writeFileSync(file, JSON.stringify(eventsFor[route.name].slice(0, n)));
      proxy.reset();
      const { out } = await runChild(["warm", moduleDirs.get(route.name)!, file, "20"], env);
      const m = proxy.meter;
      const calls = Object.values(m.calls).reduce((a, b) => a + b, 0);
      handlers.push({
        route: route.name,
        requests: out.requests,
        cpuMsPerRequest: round(out.cpuMicros / 1000 / out.requests, 3),
        wallMsPerRequest: round(out.wallMs / out.requests, 3),
        dynamoCallsPerRequest: round(calls / n, 2),
        callsByOperation: Object.fromEntries(Object.entries(m.calls).map(([k, v]) => [k, round(v / n, 2)])),
        readUnitsPerRequest: round(m.readUnits / n, 2),
        writeUnitsPerRequest: round(m.writeUnits / n, 2),
        logBytesPerRequest: Math.round(out.logBytes / out.requests),
        responseBytesPerRequest: Math.round(out.responseBytes / out.requests),
        statuses: out.statuses,
      });
      console.error(`  handler ${route.name}: ${handlers.at(-1)!.cpuMsPerRequest} ms CPU, ${handlers.at(-1)!.dynamoCallsPerRequest} calls`);
    }

    // Fresh deletable items and clear-completed users for the cold runs.
    const coldDeletable = await seed("bench-deleter", options.coldRuns, () => false);
    eventsFor.deleteTodo = coldDeletable.map((id) => event("DELETE", `/api/todos/${id}`, "bench-deleter", { pathParameters: { id } }));
    const subjects: { subject: string; dir: string; events: ProxyEvent[] }[] = [
      { subject: "constant answer (reference)", dir: constantDir, events: [event("GET", "/", reader)] },
      { subject: "AWS SDK clients + constant (reference)", dir: sdkDir, events: [event("GET", "/", reader)] },
      ...perRequestRoutes.map((r) => ({ subject: r.name, dir: moduleDirs.get(r.name)!, events: eventsFor[r.name] })),
    ];
    const coldStart: ColdStartFigure[] = [];
    for (const s of subjects) {
      const file = join(eventsDir, `${s.subject.replace(/\W+/g, "-")}-cold.json`);
      writeFileSync(file, JSON.stringify(s.events.slice(0, options.coldRuns)));
      const times: number[] = [];
      for (let i = 0; i < options.coldRuns; i++) {
        const index = s.events.length > 1 ? i : 0;
        times.push((await runChild(["cold", s.dir, file, String(index)], env)).ms);
      }
      coldStart.push({
        subject: s.subject,
        runs: times.length,
        medianMs: round(median(times), 1),
        minMs: round(Math.min(...times), 1),
        maxMs: round(Math.max(...times), 1),
      });
      console.error(`  cold ${s.subject}: median ${coldStart.at(-1)!.medianMs} ms`);
    }
    return { archives, defaultPackaging, coldStart, handlers, lambdaMemoryMb };
  } finally {
    await proxy.close();
    await db.close();
  }
}

if (require.main === module) {
  benchLambda({ coldRuns: Number(process.env.BENCH_COLD_RUNS ?? 3), warmRequests: 50 })
    .then((r) => console.log(JSON.stringify(r, null, 1)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
