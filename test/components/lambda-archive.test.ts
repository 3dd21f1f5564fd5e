/**
 * Each function's deployment package, as CallbackFunction serializes it: no AWS SDK inside,
 * small, and working. The archives are rebuilt in a temporary folder (outside the project, so
 * nothing resolves from its node_modules) and loaded in a fresh Node process whose only other
 * modules are the AWS SDK v3, as on the Lambda runtime. That process and this one answer the
 * same proxy events against one in-process DynamoDB (dynalite); the answers must match.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createHandler, type ProxyEvent, type ProxyResult } from "../../handlers/http";
import { routeNamed, routes } from "../../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../../handlers/store";
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTodoTable, startDynalite, type LocalDynamo } from "../../local/dynamo";
import { ROOT, ofType, runProgram } from "../../dev/pulumi-mocks";

/**
 * Budgets (uncompressed bytes). Measured: __index.js ≈ 85 KB since the whole-list routes (every
 * function still carries the whole route table; per-route packaging is issue 13's); with ulid and
 * @cfworker/json-schema ≈ 550 KB.
 */
export const INDEX_JS_BUDGET = 96 * 1024;
export const ARCHIVE_BUDGET = 1024 * 1024;
/** The only packages a function may carry: the handlers' runtime dependencies besides the SDK. */
const EXPECTED_PACKAGES = ["node_modules/@cfworker/json-schema", "node_modules/ulid"];

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

/**
 * One user's session through every route. Self-contained (no imports): it is also sent, as
 * source, to the fresh process. Returns each answer with ids and times replaced by placeholders.
 */
async function scenario(invoke: Invoke, user: string): Promise<unknown[]> {
  const answers: unknown[] = [];
  let n = 0;
  const event = (httpMethod: string, path: string, extra: Record<string, unknown> = {}) => ({
    httpMethod,
    path,
    headers: { "content-type": "application/json", ...((extra.headers as object) ?? {}) },
    queryStringParameters: (extra.query as Record<string, string>) ?? null,
    pathParameters: (extra.params as Record<string, string>) ?? null,
    body: extra.body === undefined ? null : JSON.stringify(extra.body),
    requestContext: { requestId: `req-${++n}`, authorizer: { claims: { sub: user } } },
  });
  const ids = new Map<string, string>();
  const normalize = (text: string) =>
    text
      .replace(/[0-9A-HJKMNP-TV-Z]{26}/g, (id) => {
        if (!ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
        return ids.get(id) as string;
      })
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "<time>");
  const call = async (route: string, e: unknown) => {
    const result = await invoke(route, e as ProxyEvent);
    answers.push(
      JSON.parse(normalize(JSON.stringify({ route, statusCode: result.statusCode, headers: result.headers, body: result.body }))),
    );
    return result;
  };
  const created = await call(
    "createTodo",
    event("POST", "/api/todos", { body: { title: "Buy milk", dueDate: "2030-01-02" }, headers: { "idempotency-key": "k1" } }),
  );
  const id = JSON.parse(created.body).id as string;
  await call(
    "createTodo",
    event("POST", "/api/todos", { body: { title: "Buy milk", dueDate: "2030-01-02" }, headers: { "idempotency-key": "k1" } }),
  );
  await call("createTodo", event("POST", "/api/todos", { body: { title: "" } }));
  await call("listTodos", event("GET", "/api/todos", { query: { limit: "10" } }));
  await call("getTodo", event("GET", `/api/todos/${id}`, { params: { id } }));
  await call(
    "updateTodo",
    event("PATCH", `/api/todos/${id}`, { params: { id }, body: { completed: true }, headers: { "if-match": '"1"' } }),
  );
  await call(
    "updateTodo",
    event("PATCH", `/api/todos/${id}`, { params: { id }, body: { title: "Stale" }, headers: { "if-match": '"1"' } }),
  );
  await call("clearCompleted", event("POST", "/api/todos/clear-completed"));
  await call("deleteTodo", event("DELETE", `/api/todos/${id}`, { params: { id } }));
  await call("getTodo", { ...event("GET", `/api/todos/${id}`, { params: { id } }), requestContext: { requestId: "anon" } });
  return answers;
}

/** Runs in the fresh process: loads each archive's __index.js and plays the scenario. */
const CHILD = `
const archives = JSON.parse(process.env.ARCHIVES);
const handlers = {};
for (const [route, dir] of Object.entries(archives)) handlers[route] = require(dir + "/__index.js").handler;
const scenario = SCENARIO;
scenario((route, event) => handlers[route](event, { awsRequestId: "ctx" }), process.env.USER_SUB)
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

  it("leaves the AWS SDK (and everything else but the handlers' two packages) out of every archive", () => {
    for (const archive of archives) {
      expect(Object.keys(archive.modules).sort(), archive.route).to.deep.equal(EXPECTED_PACKAGES);
      for (const path of Object.keys(archive.modules)) expect(path).to.not.match(/@aws-sdk|@smithy|@pulumi|aws-sdk/);
    }
  });

  it("requires the SDK by package name, so the runtime's copy is used", () => {
    for (const archive of archives) {
      const requires = [...archive.indexJs.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      for (const name of requires.filter((r) => r.includes("aws-sdk"))) expect(name, archive.route).to.match(/^@aws-sdk\/[a-z-]+$/);
      expect(archive.indexJs, archive.route).to.not.include(ROOT); // no absolute paths into this machine
    }
  });

  it(`stays under budget: __index.js ≤ ${INDEX_JS_BUDGET / 1024} KiB, whole archive ≤ ${ARCHIVE_BUDGET / 1024} KiB uncompressed`, () => {
    for (const archive of archives) {
      const index = Buffer.byteLength(archive.indexJs);
      const total = index + Object.values(archive.modules).reduce((sum, path) => sum + bytesIn(path), 0);
      expect(index, `${archive.route} __index.js`).to.be.at.most(INDEX_JS_BUDGET);
      expect(total, `${archive.route} archive`).to.be.at.most(ARCHIVE_BUDGET);
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

      // Both sides see the same table name: the one the program captured into every closure.
      const tableName = /"?tableName"?[^"]*"(todos-table-[0-9a-f]+)"/.exec(archives[0].indexJs)?.[1];
      expect(tableName, "the table name is serialized into the closure").to.be.a("string");
      await ensureTodoTable(dynamo.endpoint, tableName!);

      const resultFile = join(dir, "answers.json");
      const child = await runNode(
        CHILD.replace("SCENARIO", scenario.toString()),
        {
          PATH: process.env.PATH,
          NODE_PATH: join(dir, "runtime", "node_modules"),
          ...env(),
          ARCHIVES: JSON.stringify(folders),
          USER_SUB: "user-archive",
          RESULT_FILE: resultFile,
        },
        dir,
      );
      expect(child.code, child.stderr).to.equal(0);
      const fromArchives = JSON.parse(require("node:fs").readFileSync(resultFile, "utf8")) as unknown[];

      // In-process: the same handlers built from the same route table, another user.
      for (const [key, value] of Object.entries(env())) {
        if (!(key in saved)) saved[key] = process.env[key];
        process.env[key] = value;
      }
      const store = dynamoTodoStore(createDocumentClient(), tableName!);
      const handlers = Object.fromEntries(routes.map((r) => [r.name, createHandler(routeNamed(r.name), store, { log: () => {} })]));
      const inProcess = await scenario((route, event) => handlers[route](event, { awsRequestId: "ctx" }), "user-in-process");

      expect(fromArchives).to.have.length(10);
      const statuses = (fromArchives as { statusCode: number }[]).map((a) => a.statusCode);
      expect(statuses).to.deep.equal([201, 201, 400, 200, 200, 200, 412, 200, 404, 401]);
      expect(fromArchives).to.deep.equal(inProcess);
      // The archives' log lines are JSON, one per request.
      const lines = child.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.filter((l) => l.msg === "request")).to.have.length(10);
    });
  });
});
