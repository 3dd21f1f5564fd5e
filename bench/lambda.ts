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
import { matchRoute, routes } from "../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../handlers/store";
import type { ProxyEvent } from "../handlers/http";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite } from "../local/dynamo";
import { proxyEvent } from "../local/proxy-event";
import { startMeteringProxy } from "./lib/dynamo-meter";
import { median, round } from "./lib/stats";
import type { RouteMeasure } from "./cost-model";
import { ulidFactory } from "../handlers/ids";
import { sealCursor } from "../handlers/cursor";
import { caughtUp, syncPositionToJson } from "../handlers/sync";

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

/** The cold-start references, by role (their names are the subjects in the results). */
export const COLD_REFERENCES = {
  constant: "constant answer (reference)",
  sdkOnly: "AWS SDK clients + constant (reference)",
  sdkGet: "AWS SDK clients + one GetItem (reference)",
  sdkHttp: "AWS SDK clients + one plain HTTP request (reference)",
} as const;

export interface ColdStartFigure {
  readonly subject: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * Median CPU time of the whole process (user + system). Less disturbed than wall time when other
   * work shares the machine; it leaves out waiting for DynamoDB.
   */
  readonly cpuMedianMs?: number;
  /**
   * CPU time against each reference, run by run: the median over rounds of this subject's CPU time
   * divided by the reference's in the same round. A round runs every subject back to back, so
   * the machine's drift between rounds cancels out.
   */
  readonly cpuPaired: { readonly sdkOnly: number; readonly sdkGet: number };
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

/** The event API Gateway sends for this request (local/proxy-event.ts), as the local host builds it. */
function event(
  method: string,
  path: string,
  sub: string,
  extra: { body?: string; pathParameters?: Record<string, string> } = {},
): ProxyEvent {
  return proxyEvent({
    method,
    url: path,
    resource: matchRoute(method, path.split("?")[0])?.route.path ?? path,
    pathParameters: extra.pathParameters,
    headers: { "Content-Type": "application/json" },
    body: extra.body,
    claims: { sub },
    requestId: "bench",
  });
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

  // References for the cold start: a constant; the AWS SDK's DynamoDB clients plus a constant (the
  // issue's yardstick); and those clients answering with one GetItem, which is the least any
  // function that reads DynamoDB pays on its first event (the SDK's first request is not free).
  const constantDir = join(TMP, "constant");
  const sdkDir = join(TMP, "sdk-only");
  const sdkGetDir = join(TMP, "sdk-get");
  const sdkHttpDir = join(TMP, "sdk-http");
  for (const dir of [constantDir, sdkDir, sdkGetDir, sdkHttpDir]) mkdirSync(dir, { recursive: true });
  const sdkClients =
    'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");\n' +
    'const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");\n' +
    "const doc = DynamoDBDocument.from(new DynamoDBClient({}));\n";
  writeFileSync(join(constantDir, "__index.js"), 'exports.handler = async () => ({ statusCode: 200, body: "{}" });\n');
  writeFileSync(join(sdkDir, "__index.js"), `${sdkClients}exports.handler = async () => ({ statusCode: 200, body: "{}" });\n`);
  writeFileSync(
    join(sdkGetDir, "__index.js"),
    `${sdkClients}exports.handler = async (event) => {\n` +
      `  const { Item } = await doc.get({ TableName: ${JSON.stringify(tableName)}, Key: { userId: event.requestContext.authorizer.claims.sub, todoId: event.pathParameters.id }, ConsistentRead: true });\n` +
      "  return { statusCode: Item ? 200 : 404, body: JSON.stringify(Item ?? {}) };\n};\n",
  );
  // The same request sent with Node's own HTTP client, unsigned (DynamoDB refuses it; what counts
  // is what one HTTP exchange costs): the part of the SDK's first request that is Node's, not the SDK's.
  writeFileSync(
    join(sdkHttpDir, "__index.js"),
    `${sdkClients}const http = require("node:http");\n` +
      "exports.handler = (event) => new Promise((resolve, reject) => {\n" +
      "  const body = JSON.stringify({ TableName: " +
      JSON.stringify(tableName) +
      ", Key: { userId: { S: event.requestContext.authorizer.claims.sub }, todoId: { S: event.pathParameters.id } }, ConsistentRead: true });\n" +
      '  const req = http.request(process.env.AWS_ENDPOINT_URL_DYNAMODB, { method: "POST", headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem" } }, (res) => {\n' +
      '    let text = "";\n    res.on("data", (c) => (text += c));\n    res.on("end", () => resolve({ statusCode: res.statusCode, body: text }));\n  });\n' +
      '  req.on("error", reject);\n  req.end(body);\n});\n',
  );

  const db = await startDynalite();
  const proxy = await startMeteringProxy(db.endpoint);
  try {
    await ensureTodoTable(db.endpoint, tableName);
    const store = dynamoTodoStore(
      createDocumentClient({ endpoint: db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      tableName,
    );
    const nextId = ulidFactory();
    const now = new Date().toISOString();
    const seed = async (userId: string, count: number, completed: (i: number) => boolean, at = now): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = nextId();
        ids.push(id);
        await store.create(userId, {
          id,
          title: `Seeded to-do ${i + 1} for the bench`,
          completed: completed(i),
          dueDate: null,
          createdAt: at,
          updatedAt: at,
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

    // The web app's background pull: a delta sync that finds nothing new. The syncer's to-dos
    // changed an hour ago; its cursor is the one a finished pull hands back now.
    const syncer = "bench-syncer";
    await seed(syncer, 50, (i) => i % 2 === 0, new Date(Date.now() - 3600_000).toISOString());
    const caughtUpCursor = sealCursor(syncer, "listChanges", syncPositionToJson(caughtUp("", now)));
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
      listChanges: Array.from({ length: count }, () => event("GET", `/api/todos/changes?cursor=${caughtUpCursor}`, syncer)),
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
    // The whole-list routes' first event, on small lists (what they cost at size: whole-list.ts):
    // mark-all and delete-all get a user of their own per run, 5 active to-dos each.
    const runUsers = (prefix: string) => Array.from({ length: options.coldRuns }, (_, i) => `bench-${prefix}-${i}`);
    const markUsers = runUsers("mark");
    const wipeUsers = runUsers("wipe");
    for (const user of [...markUsers, ...wipeUsers]) await seed(user, 5, () => false);
    const coldOnly: Record<string, ProxyEvent[]> = {
      getSummary: [event("GET", "/api/todos/summary", reader)],
      markAllTodos: markUsers.map((user) => event("POST", "/api/todos/mark-all", user, body({ completed: true }))),
      exportTodos: [event("GET", "/api/todos/export", reader)],
      deleteAllTodos: wipeUsers.map((user) => event("DELETE", "/api/todos", user)),
    };
    const unmeasured = routes.filter((r) => !(r.name in eventsFor) && !(r.name in coldOnly)).map((r) => r.name);
    if (unmeasured.length > 0) throw new Error(`no cold-start event for ${unmeasured.join(", ")}`);
    const getEvent = eventsFor.getTodo[0];
    const subjects: { subject: string; dir: string; events: ProxyEvent[] }[] = [
      { subject: COLD_REFERENCES.constant, dir: constantDir, events: [event("GET", "/", reader)] },
      { subject: COLD_REFERENCES.sdkOnly, dir: sdkDir, events: [event("GET", "/", reader)] },
      { subject: COLD_REFERENCES.sdkGet, dir: sdkGetDir, events: [getEvent] },
      { subject: COLD_REFERENCES.sdkHttp, dir: sdkHttpDir, events: [getEvent] },
      ...routes.map((r) => ({ subject: r.name, dir: moduleDirs.get(r.name)!, events: eventsFor[r.name] ?? coldOnly[r.name] })),
    ];
    // Round-robin (one run of each subject, then the next round), so that a burst of load on this
    // shared machine slows every subject alike instead of one of them.
    const routeNames = new Set(routes.map((r) => r.name));
    const times = new Map<string, number[]>(subjects.map((s) => [s.subject, []]));
    const cpuTimes = new Map<string, number[]>(subjects.map((s) => [s.subject, []]));
    const files = new Map<string, string>();
    for (const s of subjects) {
      const file = join(eventsDir, `${s.subject.replace(/\W+/g, "-")}-cold.json`);
      writeFileSync(file, JSON.stringify(s.events.slice(0, options.coldRuns)));
      files.set(s.subject, file);
    }
    for (let i = 0; i < options.coldRuns; i++) {
      for (const s of subjects) {
        const index = s.events.length > 1 ? i : 0;
        const run = await runChild(["cold", s.dir, files.get(s.subject)!, String(index)], env);
        // A route measured on an error path would measure the wrong thing.
        const status = (run.out as { status: number }).status;
        if (routeNames.has(s.subject) && !(status >= 200 && status < 300)) throw new Error(`cold ${s.subject} answered ${status}`);
        times.get(s.subject)!.push(run.ms);
        cpuTimes.get(s.subject)!.push((run.out as { cpuMs: number }).cpuMs);
      }
    }
    const pairedRatio = (subject: string, reference: string): number => {
      const mine = cpuTimes.get(subject)!;
      const theirs = cpuTimes.get(reference)!;
      return round(median(mine.map((ms, i) => ms / theirs[i])), 3);
    };
    const coldStart: ColdStartFigure[] = subjects.map((s) => {
      const runs = times.get(s.subject)!;
      return {
        subject: s.subject,
        runs: runs.length,
        medianMs: round(median(runs), 1),
        minMs: round(Math.min(...runs), 1),
        maxMs: round(Math.max(...runs), 1),
        cpuMedianMs: round(median(cpuTimes.get(s.subject)!), 1),
        cpuPaired: { sdkOnly: pairedRatio(s.subject, COLD_REFERENCES.sdkOnly), sdkGet: pairedRatio(s.subject, COLD_REFERENCES.sdkGet) },
      };
    });
    for (const c of coldStart) console.error(`  cold ${c.subject}: median ${c.medianMs} ms, CPU ${c.cpuMedianMs} ms`);
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
