/**
 * The Lambda adapter beyond the contract: what it logs, what a 500 reveals, raw events.
 * Real handlers on dynalite (in-process), no mocked SDK.
 */
import { expect } from "chai";
import { createHandler, type LogEntry, type ProxyEvent } from "../../handlers/http";
import { routeNamed } from "../../handlers/routes";
import { dynamoTodoStore } from "../../handlers/store";
import { startInProcessDriver, USER_IDS, type InProcessDriver } from "./in-process-driver";

const TOKEN = "eyJraWQiOiJzZWNyZXQtdG9rZW4iLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA";
const SECRET_TITLE = "medical appointment at 9 (private)";

function event(overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  return {
    httpMethod: "POST",
    path: "/api/todos",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    queryStringParameters: null,
    pathParameters: null,
    body: JSON.stringify({ title: SECRET_TITLE }),
    isBase64Encoded: false,
    requestContext: { requestId: "req-1", authorizer: { claims: { sub: USER_IDS.alice } } },
    ...overrides,
  };
}

describe("Lambda adapter", function () {
  let driver: InProcessDriver;
  before(async () => {
    driver = await startInProcessDriver();
  });
  after(async () => driver?.close());
  beforeEach(async () => driver.reset());

  describe("log lines", function () {
    it("writes one entry per request with route, status, duration, request id and user id", async function () {
      const auth = { Authorization: `Bearer ${TOKEN}`, Cookie: `session=${TOKEN}` };
      const created = await driver.send("alice", { method: "POST", path: "/api/todos", body: { title: SECRET_TITLE }, headers: auth });
      await driver.send("alice", {
        method: "PATCH",
        path: `/api/todos/${created.body.id}`,
        body: { title: SECRET_TITLE },
        headers: { ...auth, "If-Match": '"9"' },
      });
      await driver.send("alice", {
        method: "POST",
        path: "/api/todos",
        rawBody: `{"title":"${SECRET_TITLE}"`,
        headers: { ...auth, "Content-Type": "application/json" },
      });
      await driver.send(null, { method: "GET", path: "/api/todos", headers: auth });
      await driver.send("bob", { method: "GET", path: `/api/todos/${created.body.id}`, headers: auth });

      expect(driver.logs).to.have.length(driver.events.length).and.length(5);
      const expected = [
        ["createTodo", 201, "info", USER_IDS.alice],
        ["updateTodo", 412, "warn", USER_IDS.alice],
        ["createTodo", 400, "warn", USER_IDS.alice],
        ["listTodos", 401, "warn", null],
        ["getTodo", 404, "warn", USER_IDS.bob],
      ];
      driver.logs.forEach((entry, i) => {
        const [route, status, level, userId] = expected[i];
        expect(entry).to.include({ route, status, level, userId, msg: "request" });
        expect(entry.requestId).to.equal(driver.events[i].requestContext?.requestId);
        expect(entry.durationMs).to.be.a("number").that.is.at.least(0).and.below(5000);
      });
      expect(driver.logs[1].errorCode).to.equal("precondition_failed");
    });

    it("never logs a token, a cookie or any part of the body", async function () {
      const auth = { Authorization: `Bearer ${TOKEN}`, Cookie: `session=${TOKEN}` };
      const created = await driver.send("alice", { method: "POST", path: "/api/todos", body: { title: SECRET_TITLE }, headers: auth });
      await driver.send("alice", {
        method: "PATCH",
        path: `/api/todos/${created.body.id}`,
        body: { title: SECRET_TITLE, extra: "x" },
        headers: auth,
      });
      await driver.send("alice", {
        method: "POST",
        path: "/api/todos",
        rawBody: `{"title":"${SECRET_TITLE}`,
        headers: { ...auth, "Content-Type": "application/json" },
      });
      const text = JSON.stringify(driver.logs);
      expect(driver.logs).to.have.length(3);
      for (const secret of [TOKEN, TOKEN.split(".")[1], TOKEN.split(".")[2], SECRET_TITLE, "medical", "Bearer", "session="]) {
        expect(text).not.to.contain(secret);
      }
    });

    it("writes exactly one JSON line to stdout by default", async function () {
      const handler = createHandler(routeNamed("listTodos"), dynamoTodoStore(driver.doc, driver.tableName));
      const written: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      };
      let status: number;
      try {
        status = (await handler(event({ httpMethod: "GET", path: "/api/todos", body: null }))).statusCode;
      } finally {
        process.stdout.write = write;
      }
      expect(status).to.equal(200);
      const output = written.join("");
      expect(output.endsWith("\n")).to.equal(true);
      const lines = output.slice(0, -1).split("\n");
      expect(lines).to.have.length(1);
      const entry = JSON.parse(lines[0]) as LogEntry;
      expect(entry).to.include({ route: "listTodos", status: 200, requestId: "req-1", userId: USER_IDS.alice });
      expect(lines[0]).not.to.contain(TOKEN);
    });
  });

  describe("internal errors", function () {
    it("answers 500 with only the request id, and logs the error", async function () {
      const logs: LogEntry[] = [];
      // A real failure from DynamoDB: the table does not exist.
      const handler = createHandler(routeNamed("createTodo"), dynamoTodoStore(driver.doc, "no-such-table"), {
        log: (entry) => logs.push(entry),
      });
      const result = await handler(event({ requestContext: { requestId: "req-500", authorizer: { claims: { sub: USER_IDS.alice } } } }));

      expect(result.statusCode).to.equal(500);
      const body = JSON.parse(result.body);
      expect(body).to.have.all.keys("error");
      expect(body.error).to.have.all.keys("code", "message", "details", "requestId");
      expect(body.error).to.include({ code: "internal_error", requestId: "req-500" });
      expect(body.error.details).to.deep.equal([]);
      expect(body.error.message).to.contain("req-500");
      for (const leak of ["no-such-table", "ResourceNotFound", "dynamo", "Dynamo", "at ", SECRET_TITLE]) {
        expect(result.body).not.to.contain(leak);
      }

      expect(logs).to.have.length(1);
      expect(logs[0]).to.include({ level: "error", status: 500, requestId: "req-500", route: "createTodo" });
      const error = logs[0].error as { name: string; message: string; stack: string };
      expect(error.name).to.equal("ResourceNotFoundException");
      expect(error.stack).to.be.a("string").that.is.not.empty;
      expect(JSON.stringify(logs)).not.to.contain(SECRET_TITLE);
      expect(await driver.tableItems()).to.deep.equal([]);
    });
  });

  describe("proxy events", function () {
    it("reads a base64-encoded (binary) JSON body", async function () {
      const handler = createHandler(routeNamed("createTodo"), dynamoTodoStore(driver.doc, driver.tableName), { log: () => {} });
      const raw = Buffer.from(JSON.stringify({ title: "Grüße 👋" }), "utf8").toString("base64");
      const result = await handler(event({ body: raw, isBase64Encoded: true }));
      expect(result.statusCode).to.equal(201);
      expect(JSON.parse(result.body).title).to.equal("Grüße 👋");
    });

    it("refuses a base64-encoded (binary) body that is not valid UTF-8 with 400 invalid_encoding", async function () {
      // Only with binaryMediaTypes would API Gateway send bytes like these base64-encoded; the
      // adapter decodes them strictly rather than replacing the broken sequences.
      const handler = createHandler(routeNamed("createTodo"), dynamoTodoStore(driver.doc, driver.tableName), { log: () => {} });
      for (const bad of [
        [0xff, 0xfe],
        [0xc0, 0xaf],
        [0xe2, 0x82],
        [0xed, 0xa0, 0x80],
      ]) {
        const raw = Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(bad), Buffer.from('"}')]).toString("base64");
        const result = await handler(event({ body: raw, isBase64Encoded: true }));
        expect(result.statusCode, JSON.stringify(bad)).to.equal(400);
        expect(JSON.parse(result.body).error.code).to.equal("invalid_encoding");
      }
      expect(await driver.tableItems()).to.deep.equal([]);
    });

    it("refuses a text body whose title holds U+FFFD, what API Gateway makes of invalid UTF-8", async function () {
      const handler = createHandler(routeNamed("createTodo"), dynamoTodoStore(driver.doc, driver.tableName), { log: () => {} });
      const text = Buffer.from([...Buffer.from('{"title":"a'), 0xff, ...Buffer.from('"}')]).toString("utf8");
      expect(text).to.equal('{"title":"a\uFFFD"}');
      const result = await handler(event({ body: text, isBase64Encoded: false }));
      expect(result.statusCode).to.equal(400);
      expect(JSON.parse(result.body).error.code).to.equal("validation_failed");
      expect(await driver.tableItems()).to.deep.equal([]);
    });

    it("treats an event without headers, query, claims or request id as unauthenticated, not as a crash", async function () {
      const logs: LogEntry[] = [];
      const handler = createHandler(routeNamed("listTodos"), dynamoTodoStore(driver.doc, driver.tableName), {
        log: (entry) => logs.push(entry),
      });
      const bare = { httpMethod: "GET", path: "/api/todos" } as ProxyEvent;
      const result = await handler(bare, { awsRequestId: "lambda-req" });
      expect(result.statusCode).to.equal(401);
      expect(JSON.parse(result.body).error).to.include({ code: "unauthorized", requestId: "lambda-req" });
      const emptySub = await handler(event({ httpMethod: "GET", body: null, requestContext: { authorizer: { claims: { sub: "" } } } }));
      expect(emptySub.statusCode).to.equal(401);
      const numericSub = await handler(event({ httpMethod: "GET", body: null, requestContext: { authorizer: { claims: { sub: 42 } } } }));
      expect(numericSub.statusCode).to.equal(401);
      expect(logs.map((l) => l.status)).to.deep.equal([401, 401, 401]);
    });

    it("refuses an ID token of another app client of the pool (aud), which API Gateway's authorizer lets through", async function () {
      const handler = createHandler(routeNamed("listTodos"), dynamoTodoStore(driver.doc, driver.tableName), {
        log: () => undefined,
        audience: "site-client",
      });
      const as = (claims: Record<string, string>) =>
        handler(event({ httpMethod: "GET", body: null, requestContext: { authorizer: { claims } } }));
      expect((await as({ sub: USER_IDS.alice, aud: "site-client" })).statusCode).to.equal(200);
      expect((await as({ sub: USER_IDS.alice, aud: "another-client" })).statusCode).to.equal(401);
      // An access token has no aud (client_id instead): not what this API takes.
      expect((await as({ sub: USER_IDS.alice, client_id: "site-client", token_use: "access" })).statusCode).to.equal(401);
    });

    it("logs CloudFront's request id (X-Amz-Cf-Id) as edgeRequestId, to follow a request from the edge", async function () {
      const logs: LogEntry[] = [];
      const handler = createHandler(routeNamed("listTodos"), dynamoTodoStore(driver.doc, driver.tableName), { log: (e) => logs.push(e) });
      await handler(event({ httpMethod: "GET", body: null, headers: { "X-Amz-Cf-Id": "edge-123==" } }));
      await handler(event({ httpMethod: "GET", body: null, headers: {} }));
      expect(logs.map((l) => l.edgeRequestId)).to.deep.equal(["edge-123==", undefined]);
    });

    it("sends no-store and nosniff on every response", async function () {
      const ok = await driver.send("alice", { method: "GET", path: "/api/todos" });
      const bad = await driver.send("alice", { method: "GET", path: "/api/todos?limit=0" });
      for (const res of [ok, bad]) {
        expect(res.headers["cache-control"]).to.equal("no-store");
        expect(res.headers["x-content-type-options"]).to.equal("nosniff");
      }
    });
  });
});
