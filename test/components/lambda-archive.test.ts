/**
 * Each function's deployment package, as CallbackFunction serializes it: no AWS SDK inside,
 * small, and working. The archives are rebuilt in a temporary folder (outside the project, so
 * nothing resolves from its node_modules) and loaded in a fresh Node process whose only other
 * modules are the AWS SDK v3, as on the Lambda runtime. That process and this one answer the
 * same proxy events against one in-process DynamoDB (dynalite); the answers must match.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { expect } from "chai";
import { createHandler, type ProxyEvent, type ProxyResult } from "../../handlers/http";
import { routeNamed, routes, type Route } from "../../handlers/routes";
import { createDocumentClient, dynamoTodoStore, STORE_OPERATIONS, type StoreOperation } from "../../handlers/store";
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTodoTable, startDynalite, type LocalDynamo } from "../../local/dynamo";
import { proxyEvent, type ProxyRequest } from "../../local/proxy-event";
import { ROOT, ofType, runProgram } from "../../dev/pulumi-mocks";
import { buildSync } from "esbuild";

/** Budget of each archive, deflated (issue 13: at most 32 KB zipped). Measured: 6.6 to 9.2 KB, each with its own store operation only. */
export const ZIPPED_BUDGET = 32 * 1024;

interface Archive {
  readonly route: string;
  readonly indexJs: string;
  /** Archive path (node_modules/…) -> folder or file on disk. */
  readonly modules: Record<string, string>;
}

function bytesIn(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + bytesIn(join(path, entry)), 0);
}

type Invoke = (route: string, event: ProxyEvent) => Promise<ProxyResult>;
/** local/proxy-event.ts's builder with the route's path template filled in. */
type BuildEvent = (route: string, request: Omit<ProxyRequest, "resource">) => ProxyEvent;

/**
 * One user's session through every route. Self-contained (no imports): it is also sent, as
 * source, to the fresh process. Returns each answer with ids and times replaced by placeholders.
 */
async function scenario(invoke: Invoke, user: string, build: BuildEvent, audience: string): Promise<unknown[]> {
  const answers: unknown[] = [];
  let n = 0;
  const ids = new Map<string, string>();
  const normalize = (text: string) =>
    text
      .replace(/[0-9A-HJKMNP-TV-Z]{26}/g, (id) => {
        if (!ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
        return ids.get(id) as string;
      })
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "<time>");
  type Extra = { body?: unknown; headers?: Record<string, string>; params?: Record<string, string>; anonymous?: boolean; aud?: string };
  const call = async (route: string, method: string, url: string, extra: Extra = {}) => {
    const event = build(route, {
      method,
      url,
      pathParameters: extra.params,
      headers: { "content-type": "application/json", ...extra.headers },
      body: extra.body === undefined ? null : JSON.stringify(extra.body),
      claims: extra.anonymous ? null : { sub: user, aud: extra.aud ?? audience, token_use: "id" },
      requestId: `req-${++n}`,
    });
    const result = await invoke(route, event);
    answers.push(
      JSON.parse(normalize(JSON.stringify({ route, statusCode: result.statusCode, headers: result.headers, body: result.body }))),
    );
    return result;
  };
  const milk = { body: { title: "Buy milk", dueDate: "2030-01-02" }, headers: { "idempotency-key": "k1" } };
  const created = await call("createTodo", "POST", "/api/todos", milk);
  const id = JSON.parse(created.body).id as string;
  const params = { id };
  await call("createTodo", "POST", "/api/todos", milk);
  await call("createTodo", "POST", "/api/todos", { body: { title: "" } });
  await call("listTodos", "GET", "/api/todos?limit=10");
  await call("getTodo", "GET", `/api/todos/${id}`, { params });
  await call("updateTodo", "PATCH", `/api/todos/${id}`, { params, body: { completed: true }, headers: { "if-match": '"1"' } });
  await call("updateTodo", "PATCH", `/api/todos/${id}`, { params, body: { title: "Stale" }, headers: { "if-match": '"1"' } });
  await call("clearCompleted", "POST", "/api/todos/clear-completed");
  await call("deleteTodo", "DELETE", `/api/todos/${id}`, { params });
  await call("getTodo", "GET", `/api/todos/${id}`, { params, anonymous: true });
  // An ID token of another app client of the same pool: API Gateway's authorizer lets it through.
  await call("listTodos", "GET", "/api/todos", { aud: "another-client-of-the-pool" });
  return answers;
}

/** Runs in the fresh process: loads each archive's __index.js and plays the scenario. */
const CHILD = `
const archives = JSON.parse(process.env.ARCHIVES);
const handlers = {};
for (const [route, dir] of Object.entries(archives)) handlers[route] = require(dir + "/__index.js").handler;
const { proxyEvent } = require(process.env.PROXY_EVENT_JS);
const resources = JSON.parse(process.env.RESOURCES);
const scenario = SCENARIO;
scenario(
  (route, event) => handlers[route](event, { awsRequestId: "ctx" }),
  process.env.USER_SUB,
  (route, request) => proxyEvent({ ...request, resource: resources[route] }),
  process.env.AUDIENCE,
)
  .then((answers) => require("fs").writeFileSync(process.env.RESULT_FILE, JSON.stringify(answers)))
  .catch((err) => { console.error(err); process.exit(1); });
`;

function runNode(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("Lambda archives (serialized CallbackFunction code)", () => {
  const archives: Archive[] = [];
  before(async () => {
    await runProgram();
    for (const fn of ofType("aws:lambda/function:Function").filter((f) => f.name.startsWith("api-"))) {
      const assets = (await fn.inputs.code.assets) as Record<string, any>;
      const modules: Record<string, string> = {};
      for (const [path, asset] of Object.entries(assets)) if (path !== "__index.js") modules[path] = await asset.path;
      archives.push({ route: fn.name.replace(/^api-/, ""), indexJs: await assets["__index.js"].text, modules });
    }
  });

  it("serializes one archive per route", () => {
    expect(archives.map((a) => a.route).sort()).to.deep.equal(routes.map((r) => r.name).sort());
  });

  it("packages no node_modules at all: the AWS SDK comes from the runtime, the rest is serialized code", () => {
    for (const archive of archives) expect(Object.keys(archive.modules), archive.route).to.deep.equal([]);
  });

  it("requires only the SDK, by package name (so the runtime's copy is used), and Node's own modules", () => {
    for (const archive of archives) {
      const requires = [...archive.indexJs.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(requires, archive.route).to.include("@aws-sdk/client-dynamodb");
      for (const name of requires) {
        if (!builtinModules.includes(name.replace(/^node:/, ""))) expect(name, archive.route).to.match(/^@aws-sdk\/[a-z-]+$/);
      }
      expect(archive.indexJs, archive.route).to.not.include(ROOT); // no absolute paths into this machine
    }
  });

  it("carries only its own route: no other route's handler, and no validation library", () => {
    // The serializer copies a function's source text as it is: a handler's body is its fingerprint.
    const bodyOf = (route: Route) => route.handle.toString().slice(route.handle.toString().indexOf("{"));
    for (const archive of archives) {
      expect(archive.indexJs, archive.route).to.include(bodyOf(routeNamed(archive.route)));
      for (const other of routes.filter((r) => r.name !== archive.route)) {
        expect(archive.indexJs, `${archive.route} carries ${other.name}`).to.not.include(bodyOf(other));
      }
      expect(archive.indexJs, archive.route).to.not.match(/require\("ajv|cfworker|matchRoute/);
    }
  });

  it("carries only its route's operations of the store (its own, and the membership read on a list route), not the others", () => {
    const source = (operation: StoreOperation) => STORE_OPERATIONS[operation].toString();
    for (const archive of archives) {
      const own = routeNamed(archive.route).operations;
      expect(own[0], archive.route).to.equal(routeNamed(archive.route).operation);
      for (const operation of own) expect(archive.indexJs, archive.route).to.include(source(operation));
      for (const other of Object.keys(STORE_OPERATIONS) as StoreOperation[]) {
        if (!own.includes(other)) expect(archive.indexJs, `${archive.route} carries ${other}`).to.not.include(source(other));
      }
    }
  });

  it("validates with functions generated from its own route's schemas, ajv's runtime helpers inlined", () => {
    for (const archive of archives) {
      const route = routeNamed(archive.route);
      const generated = archive.indexJs.match(/function \/\*validate\d+\*\//g) ?? [];
      expect(generated, archive.route).to.have.length(Object.values(route.schemas).filter(Boolean).length);
    }
    const createTodo = archives.find((a) => a.route === "createTodo")!.indexJs;
    expect(createTodo).to.include("ucs2length"); // maxLength counts code points
  });

  it(`stays under budget: each archive at most ${ZIPPED_BUDGET / 1024} KiB deflated`, () => {
    for (const archive of archives) {
      const total = Object.values(archive.modules).reduce((sum, path) => sum + bytesIn(path), 0);
      expect(total, `${archive.route} packaged modules`).to.equal(0);
      expect(deflateRawSync(archive.indexJs).length, `${archive.route} __index.js deflated`).to.be.at.most(ZIPPED_BUDGET);
    }
  });

  describe("run in a fresh Node process", () => {
    let dynamo: LocalDynamo;
    let dir: string;
    const saved: Record<string, string | undefined> = {};
    const env = () => ({
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });

    before(async () => {
      dynamo = await startDynalite();
      dir = mkdtempSync(join(tmpdir(), "tasklane-archives-"));
      // The Lambda runtime provides the SDK v3 on its NODE_PATH; here, a folder holding only it.
      mkdirSync(join(dir, "runtime", "node_modules"), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", "@aws-sdk"), join(dir, "runtime", "node_modules", "@aws-sdk"), "dir");
    });
    after(async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await dynamo?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("answers the same proxy events as the handlers do in-process, against one DynamoDB", async () => {
      // Each archive unpacked as Lambda would: __index.js beside its node_modules.
      const folders: Record<string, string> = {};
      for (const archive of archives) {
        const folder = join(dir, archive.route);
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, "__index.js"), archive.indexJs);
        for (const [path, source] of Object.entries(archive.modules)) cpSync(source, join(folder, path), { recursive: true });
        folders[archive.route] = folder;
      }

      // The app client the program captured into every closure (the only `aud` the functions take).
      // (Under the mocks a resource's id is "<name>-id": AuthPool's client is "auth-site".)
      const audience = "auth-site-id";
      expect(archives[0].indexJs, "the client id is serialized into the closure").to.include(audience);
      // Both sides see the same table name: the one the program captured into every closure.
      const tableName = /"?tableName"?[^"]*"(todos-table-[0-9a-f]+)"/.exec(archives[0].indexJs)?.[1];
      expect(tableName, "the table name is serialized into the closure").to.be.a("string");
      await ensureTodoTable(dynamo.endpoint, tableName!);

      // The events come from the one builder in both processes: bundled (it imports only types).
      const proxyEventJs = join(dir, "proxy-event.js");
      buildSync({
        entryPoints: [join(ROOT, "local", "proxy-event.ts")],
        bundle: true,
        platform: "node",
        format: "cjs",
        outfile: proxyEventJs,
        logLevel: "error",
      });
      const resultFile = join(dir, "answers.json");
      const child = await runNode(
        CHILD.replace("SCENARIO", scenario.toString()),
        {
          PATH: process.env.PATH,
          NODE_PATH: join(dir, "runtime", "node_modules"),
          ...env(),
          ARCHIVES: JSON.stringify(folders),
          PROXY_EVENT_JS: proxyEventJs,
          RESOURCES: JSON.stringify(Object.fromEntries(routes.map((r) => [r.name, r.path]))),
          USER_SUB: "user-archive",
          AUDIENCE: audience,
          RESULT_FILE: resultFile,
        },
        dir,
      );
      expect(child.code, child.stderr).to.equal(0);
      const fromArchives = JSON.parse(readFileSync(resultFile, "utf8")) as unknown[];

      // In-process: the same handlers built from the same route table, another user.
      for (const [key, value] of Object.entries(env())) {
        if (!(key in saved)) saved[key] = process.env[key];
        process.env[key] = value;
      }
      const store = dynamoTodoStore(createDocumentClient(), tableName!);
      const handlers = Object.fromEntries(
        routes.map((r) => [r.name, createHandler(routeNamed(r.name), store, { log: () => {}, audience })]),
      );
      const build: BuildEvent = (name, request) => proxyEvent({ ...request, resource: routeNamed(name).path });
      const inProcess = await scenario((name, event) => handlers[name](event, { awsRequestId: "ctx" }), "user-in-process", build, audience);

      expect(fromArchives).to.have.length(11);
      const statuses = (fromArchives as { statusCode: number }[]).map((a) => a.statusCode);
      // The last: a valid token of another app client is refused by the function itself.
      expect(statuses).to.deep.equal([201, 201, 400, 200, 200, 200, 412, 200, 404, 401, 401]);
      expect(fromArchives).to.deep.equal(inProcess);
      // The archives' log lines are JSON, one per request.
      const lines = child.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.filter((l) => l.msg === "request")).to.have.length(11);
    });
  });
});
