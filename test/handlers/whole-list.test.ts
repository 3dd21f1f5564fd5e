/**
 * The whole-list routes beyond the contract: the rules of the change feed, export files, the
 * adapter's time budget from the Lambda context, optional bodies, the read budget of filtered
 * pages, and the local table's definition (and the rebuild of a table from before the index).
 * Real handlers on dynalite, no mocked SDK.
 */
import { expect } from "chai";
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand, CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { HttpError } from "../../handlers/errors";
import { exportFile } from "../../handlers/export";
import { createHandler, type ProxyEvent } from "../../handlers/http";
import { routeNamed } from "../../handlers/routes";
import { proxyEvent } from "../../local/proxy-event";
import { dynamoTodoStore, createDocumentClient, LIST_READ_BUDGET } from "../../handlers/store";
import {
  assertFresh,
  caughtUp,
  SYNC_OVERLAP_MS,
  syncPositionFromJson,
  syncPositionToJson,
  TOMBSTONE_LIFETIME_MS,
} from "../../handlers/sync";
import { CHANGES_INDEX, TABLE_KEY } from "../../handlers/table";
import type { Todo } from "../../handlers/todos";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite } from "../../local/dynamo";
import { seedTodos, toItem } from "../contract/whole-list.contract";
import { startInProcessDriver, USER_IDS, type InProcessDriver } from "./in-process-driver";

const ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const NOW = "2026-11-30T12:00:00.000Z";
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

function expectHttpError(fn: () => unknown, status: number, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(HttpError);
    expect((err as HttpError).status).to.equal(status);
    expect((err as HttpError).code).to.equal(code);
    return;
  }
  throw new Error(`expected ${status} ${code}`);
}

describe("change feed rules", function () {
  it("starts the next sync SYNC_OVERLAP_MS before the pass began, never before where it started", function () {
    expect(caughtUp("", NOW)).to.deep.equal({ since: at(-SYNC_OVERLAP_MS) });
    expect(caughtUp(at(-10 * 60_000), NOW)).to.deep.equal({ since: at(-SYNC_OVERLAP_MS) });
    // A pass that began less than the overlap after its own start does not move back.
    expect(caughtUp(at(-1000), NOW)).to.deep.equal({ since: at(-1000) });
  });

  it("answers 410 sync_expired once a cursor (or the pass it continues) is older than a tombstone lives", function () {
    assertFresh({ since: at(-TOMBSTONE_LIFETIME_MS) }, NOW);
    expectHttpError(() => assertFresh({ since: at(-TOMBSTONE_LIFETIME_MS - 1) }, NOW), 410, "sync_expired");
    const pass = (startedAt: string) => ({ since: "", pass: { startedAt, after: { updatedAt: startedAt, id: ID } } });
    assertFresh(pass(at(-TOMBSTONE_LIFETIME_MS + 1000)), NOW);
    expectHttpError(() => assertFresh(pass(at(-TOMBSTONE_LIFETIME_MS - 1000)), NOW), 410, "sync_expired");
  });

  it("round-trips cursor positions and refuses any other shape", function () {
    for (const position of [
      { since: NOW },
      { since: "", pass: { startedAt: NOW, after: { updatedAt: at(-5), id: ID } } },
      { since: at(-9), pass: { startedAt: NOW, after: { updatedAt: at(-5), id: ID } } },
    ]) {
      expect(syncPositionFromJson(JSON.parse(JSON.stringify(syncPositionToJson(position))))).to.deep.equal(position);
    }
    for (const bad of [
      null,
      "x",
      [],
      {},
      { s: "" },
      { s: "yesterday" },
      { s: NOW, x: 1 },
      { s: NOW, t: NOW },
      { s: NOW, t: NOW, u: NOW, i: "not-an-id" },
      { s: NOW, t: "now", u: NOW, i: ID },
      { s: 5 },
    ]) {
      expect(syncPositionFromJson(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });
});

describe("export files", function () {
  const todo = (title: string, extra: Partial<Todo> = {}): Todo => ({
    id: ID,
    title,
    completed: false,
    dueDate: null,
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
    ...extra,
  });

  it("quotes CSV fields that need it and defuses cells a spreadsheet would run as formulas", function () {
    const { text } = exportFile(
      [todo('say "hi", then\nleave'), todo("=HYPERLINK(1)"), todo("-5 push-ups", { dueDate: "2031-02-03" })],
      "csv",
      NOW,
    );
    const lines = text.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[1]).to.equal(`${ID},"say ""hi"", then\nleave",false,,${NOW},${NOW},1`);
    expect(lines[2]).to.equal(`${ID},"'=HYPERLINK(1)",false,,${NOW},${NOW},1`);
    expect(lines[3]).to.equal(`${ID},"'-5 push-ups",false,2031-02-03,${NOW},${NOW},1`);
  });

  it("refuses, with 422 export_too_large, a file larger than one Lambda answer may carry", function () {
    const todos = Array.from({ length: 100 }, (_, i) => todo(`title ${i} ${"x".repeat(400)}`));
    expectHttpError(() => exportFile(todos, "json", NOW, 20_000), 422, "export_too_large");
    expect(exportFile(todos, "json", NOW).text.length).to.be.greaterThan(20_000);
  });
});

describe("whole-list handlers", function () {
  let driver: InProcessDriver;
  before(async () => {
    driver = await startInProcessDriver();
  });
  after(async () => driver?.close());
  beforeEach(async () => driver.reset());

  const store = () => dynamoTodoStore(driver.doc, driver.tableName);
  // The one event builder, with the body kept exactly as given ("" included, which API Gateway
  // may pass where the builder would say null).
  const event = (method: string, path: string, body: string | null, headers: Record<string, string> = {}): ProxyEvent => ({
    ...proxyEvent({ method, url: path, resource: path, headers, body, claims: { sub: USER_IDS.alice }, requestId: "r" }),
    body,
  });
  const seed = (todos: readonly Todo[]) => driver.seed("alice", todos.map(toItem));

  it("takes a missing or empty body as {} where every field is optional (clear-completed), and not where one is required", async function () {
    const clear = createHandler(routeNamed("clearCompleted"), store(), { log: () => undefined });
    for (const body of [null, ""]) {
      const res = await clear(event("POST", "/api/todos/clear-completed", body));
      expect(res.statusCode, String(body)).to.equal(200);
      expect(JSON.parse(res.body)).to.deep.equal({ deleted: 0, nextCursor: null });
    }
    const mark = createHandler(routeNamed("markAllTodos"), store(), { log: () => undefined });
    const res = await mark(event("POST", "/api/todos/mark-all", null));
    expect(res.statusCode).to.equal(400);
    expect((JSON.parse(res.body) as { error: { code: string } }).error.code).to.equal("missing_body");
  });

  it("stops a bulk change when the Lambda context says time is short, and says where", async function () {
    await seed(seedTodos(100, { completed: () => false }));
    const mark = createHandler(routeNamed("markAllTodos"), store(), { log: () => undefined });
    const short = { awsRequestId: "x", getRemainingTimeInMillis: () => 500 };
    const body = JSON.stringify({ completed: true });
    const json = { "Content-Type": "application/json" };
    const first = JSON.parse((await mark(event("POST", "/api/todos/mark-all", body, json), short)).body) as {
      changed: number;
      nextCursor: string | null;
    };
    expect(first.changed).to.equal(16); // one chunk of parallel writes, then it stops
    expect(first.nextCursor).to.be.a("string");
    const plenty = { awsRequestId: "y", getRemainingTimeInMillis: () => 60_000 };
    const rest = JSON.parse(
      (await mark(event("POST", "/api/todos/mark-all", JSON.stringify({ completed: true, cursor: first.nextCursor }), json), plenty)).body,
    ) as { changed: number; nextCursor: string | null };
    expect(rest).to.deep.equal({ changed: 84, nextCursor: null });
  });

  it("sends an export as a download: the file as it is, its type, its name, and the API's headers", async function () {
    await seed(seedTodos(3));
    const exporter = createHandler(routeNamed("exportTodos"), store(), { log: () => undefined, clock: () => new Date(NOW) });
    const res = await exporter({ ...event("GET", "/api/todos/export", null), queryStringParameters: { format: "csv" } });
    expect(res.statusCode).to.equal(200);
    expect(res.headers).to.include({
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="tasklane-todos-2026-11-30.csv"',
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    expect(res.body.startsWith("\uFEFFid,title,")).to.equal(true);
  });

  it(`fills a sparse filtered page within ${LIST_READ_BUDGET} Queries, else answers what it found with a cursor that continues exactly there`, async function () {
    const todos = seedTodos(3001, { completed: (i) => i !== 0 }); // the only active one is the oldest
    await seed(todos);
    const first = await driver.send("alice", { method: "GET", path: "/api/todos?status=active&limit=5" });
    expect(first.status).to.equal(200);
    // 3,000 completed to-dos come first (newest first): more than the read budget examines.
    expect(first.body).to.have.property("items").that.deep.equals([]);
    const { nextCursor } = first.body as { nextCursor: string };
    expect(nextCursor).to.be.a("string");
    const second = await driver.send("alice", {
      method: "GET",
      path: `/api/todos?status=active&limit=5&cursor=${encodeURIComponent(nextCursor)}`,
    });
    expect(second.body).to.deep.equal({ items: [todos[0]], nextCursor: null });
    const completed = await driver.send("alice", { method: "GET", path: "/api/todos?status=completed&limit=100" });
    expect((completed.body as { items: unknown[] }).items).to.have.length(100);
  });
});

describe("the local table (ensureTodoTable)", function () {
  it("creates TodoTable's change-feed index, and rebuilds a table from before it, keeping every item", async function () {
    const dynamo = await startDynalite();
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: "old",
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
      const todos = seedTodos(60);
      // Items as the table held them before the change feed: no changeKey.
      for (const todo of todos) {
        const { [CHANGES_INDEX.sort]: _none, ...item } = toItem(todo);
        await doc.put({ TableName: "old", Item: { ...item, [TABLE_KEY.partition]: "u1" } });
      }
      await ensureTodoTable(dynamo.endpoint, "old");
      await ensureTodoTable(dynamo.endpoint, "fresh");
      for (const name of ["old", "fresh"]) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        expect(
          Table?.LocalSecondaryIndexes?.map((i) => i.IndexName),
          name,
        ).to.deep.equal([CHANGES_INDEX.name]);
      }
      expect((await client.send(new ListTablesCommand({}))).TableNames?.sort()).to.deep.equal(["fresh", "old"]);
      const rebuilt = dynamoTodoStore(doc, "old");
      expect(await rebuilt.exportAll("u1")).to.deep.equal([...todos].reverse());
      expect((await rebuilt.changes("u1", { since: "", limit: 100 })).items).to.have.length(60);
      await ensureTodoTable(dynamo.endpoint, "old"); // a second start changes nothing
      expect(await rebuilt.exportAll("u1")).to.have.length(60);
    } finally {
      doc.destroy();
      client.destroy();
      await dynamo.close();
    }
  });
});
