/**
 * THE contract of the to-do API (issue 2), written once and run over every transport:
 *
 *   - in-process (test/handlers/api-contract.test.ts): proxy events straight into the Lambda handlers;
 *   - real HTTP against the local stack (test/local/…): the same suite, another driver:
 *
 *       import { todoApiContract } from "./todo-api.contract";
 *       todoApiContract(async () => startMyHttpDriver(), { transport: "local HTTP" });
 *
 * The driver (test/contract/driver.ts) owns the transport and the table; `setup` is called once
 * (in a mocha `before`) and `close()` once at the end. `reset()` runs before each group.
 *
 * Transport differences this suite allows for, and nothing else:
 *   - API Gateway's request validator refuses schema-invalid and malformed JSON bodies before
 *     Lambda runs (400 "validation_failed"); in-process the Lambda adapter refuses them with its
 *     own 400 codes ("invalid_json", "validation_failed", …). So validator-territory cases
 *     assert status 400 and the error shape, not the code. Exact codes are asserted for 401, 404,
 *     409, 412, 413 and 415.
 *   - Nothing else: an HTTP driver must deliver raw bytes unchanged. The API declares no
 *     binaryMediaTypes, so API Gateway passes Lambda every body as text, invalid UTF-8 bytes
 *     replaced by U+FFFD (which the title schema refuses): invalid UTF-8 must be a 4xx.
 */
import { expect } from "chai";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "./driver";
import type { Todo } from "../../handlers/todos";
import { CHANGES_INDEX, TABLE_KEY } from "../../handlers/table";
import { sharingContract } from "./sharing.contract";
import { accountContract } from "./account.contract";
import { wholeListContract } from "./whole-list.contract";

export interface ContractOptions {
  /** Shown in the suite's name, e.g. "in-process" or "local HTTP". */
  readonly transport?: string;
  /** List sizes the whole-list routes are checked at. @default [0, 1, 50, 51, 1000] */
  readonly sizes?: readonly number[];
  /** A size checked by one test of every whole-list capability. @default none */
  readonly bigSize?: number;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const MAX_BODY_BYTES = 16 * 1024;
/** A well-formed id no to-do has. */
const ABSENT_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

export function todoApiContract(setup: () => Promise<ApiDriver>, options: ContractOptions = {}): void {
  describe(`to-do API contract (${options.transport ?? "unnamed transport"})`, function () {
    let api: ApiDriver;

    before(async function () {
      api = await setup();
    });
    after(async function () {
      await api?.close();
    });

    // ---- helpers -------------------------------------------------------------------------

    const send = (user: User | null, request: ApiRequest) => api.send(user, request);
    const post = (user: User | null, body: unknown, headers?: Record<string, string>) =>
      send(user, { method: "POST", path: "/api/todos", body, headers });
    const get = (user: User | null, id: string) => send(user, { method: "GET", path: `/api/todos/${id}` });
    const patch = (user: User | null, id: string, body: unknown, headers?: Record<string, string>) =>
      send(user, { method: "PATCH", path: `/api/todos/${id}`, body, headers });
    const del = (user: User | null, id: string, headers?: Record<string, string>) =>
      send(user, { method: "DELETE", path: `/api/todos/${id}`, headers });
    const list = (user: User | null, query = "") => send(user, { method: "GET", path: `/api/todos${query}` });

    async function create(user: User, body: Record<string, unknown>): Promise<Todo> {
      const res = await post(user, body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body as Todo;
    }

    /** The table's live to-do items (idempotency records and tombstones left out). */
    async function todoItems(): Promise<Record<string, unknown>[]> {
      return (await api.tableItems()).filter(
        (item) => typeof item[TABLE_KEY.sort] === "string" && ULID.test(item[TABLE_KEY.sort] as string) && item.deleted !== true,
      );
    }

    /** The table's tombstones. */
    async function tombstones(): Promise<Record<string, unknown>[]> {
      return (await api.tableItems()).filter((item) => item.deleted === true);
    }

    /** A canonical, order-independent snapshot of the whole table. */
    async function snapshot(): Promise<string[]> {
      return (await api.tableItems()).map((item) => JSON.stringify(item, Object.keys(item).sort())).sort();
    }

    function expectErrorShape(res: ApiResponse): void {
      expect(res.body, `status ${res.status}`).to.be.an("object");
      const error = res.body.error;
      expect(error, JSON.stringify(res.body)).to.be.an("object");
      expect(error.code).to.be.a("string").that.is.not.empty;
      expect(error.message).to.be.a("string").that.is.not.empty;
      expect(error.details).to.be.an("array");
    }

    /** Exact status and code: for the errors every transport answers the same way. */
    function expectError(res: ApiResponse, status: number, code: string): void {
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      expectErrorShape(res);
      expect(res.body.error.code).to.equal(code);
      expect(res.body.error.requestId).to.be.a("string").that.is.not.empty;
    }

    /** Validator territory: 400 with the error shape; the code depends on who refused it. */
    function expectBadRequest(res: ApiResponse): void {
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expectErrorShape(res);
    }

    function expectTodo(value: unknown): asserts value is Todo {
      const todo = value as Todo;
      expect(todo).to.have.all.keys("id", "title", "completed", "dueDate", "createdAt", "updatedAt", "version");
      expect(todo.id).to.match(ULID);
      expect(todo.title).to.be.a("string");
      expect(todo.completed).to.be.a("boolean");
      expect(todo.dueDate === null || /^\d{4}-\d{2}-\d{2}$/.test(todo.dueDate)).to.equal(true);
      expect(new Date(todo.createdAt).toISOString()).to.equal(todo.createdAt);
      expect(new Date(todo.updatedAt).toISOString()).to.equal(todo.updatedAt);
      expect(todo.version).to.be.a("number");
    }

    /** Follows nextCursor until the end; bounded, and fails on a page that repeats. */
    async function listAll(user: User, query: string): Promise<{ items: Todo[]; pages: number }> {
      const items: Todo[] = [];
      let cursor: string | null = null;
      for (let pages = 1; pages <= 500; pages++) {
        const sep = query ? "&" : "?";
        const res = await list(user, cursor === null ? query : `${query}${sep}cursor=${encodeURIComponent(cursor)}`);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.have.all.keys("items", "nextCursor");
        items.push(...res.body.items);
        if (res.body.nextCursor === null) return { items, pages };
        expect(res.body.nextCursor).to.be.a("string").and.not.equal(cursor);
        cursor = res.body.nextCursor;
      }
      throw new Error("pagination did not end within 500 pages");
    }

    // ---- every route, success ------------------------------------------------------------

    describe("routes", function () {
      beforeEach(async () => api.reset());

      it("POST /api/todos creates a to-do: 201, Location, ETag, defaults filled in", async function () {
        const res = await post("alice", { title: "   Buy oat milk  " });
        expect(res.status).to.equal(201);
        expectTodo(res.body);
        expect(res.body).to.include({ title: "Buy oat milk", completed: false, dueDate: null, version: 1 });
        expect(res.body.updatedAt).to.equal(res.body.createdAt);
        expect(res.headers.location).to.match(new RegExp(`/api/todos/${res.body.id}$`));
        expect(res.headers.etag).to.equal('"1"');
        expect(res.headers["content-type"]).to.match(/^application\/json/);
        const items = await todoItems();
        expect(items.map((i) => i[TABLE_KEY.sort])).to.deep.equal([res.body.id]);
        expect(items[0]).to.include({ title: "Buy oat milk", completed: false, version: 1 });
      });

      it("marks every answer of the old /api/todos routes deprecated (RFC 9745 Deprecation), errors too, and no other route's", async function () {
        const created = await post("alice", { title: "old route" });
        const deprecated: ApiResponse[] = [
          created,
          await send("alice", { method: "GET", path: "/api/todos" }),
          await send("alice", { method: "GET", path: `/api/todos/${created.body.id}` }),
          await send("alice", { method: "GET", path: "/api/todos/summary" }),
          await send("alice", { method: "GET", path: "/api/todos/export" }),
          await send("alice", { method: "GET", path: "/api/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV" }), // a 404
        ];
        for (const res of deprecated) expect(res.headers.deprecation, `${res.status}`).to.equal(`@${Date.UTC(2026, 11, 6) / 1000}`);
        expect(deprecated.at(-1)!.status).to.equal(404);
        for (const path of ["/api/lists", "/api/changes"])
          expect((await send("alice", { method: "GET", path })).headers).to.not.have.property("deprecation");
      });

      it("POST /api/todos keeps completed, a due date and any Unicode title", async function () {
        const title = "Rendez-vous café ☕ 東京 🧑‍🚀 مرحبا";
        const res = await post("alice", { title, completed: true, dueDate: "2024-02-29" });
        expect(res.status).to.equal(201);
        expect(res.body).to.include({ title, completed: true, dueDate: "2024-02-29", version: 1 });
      });

      it("POST /api/todos accepts a 500-character title and a body of exactly 16 KiB", async function () {
        const title = "é".repeat(500);
        expect((await post("alice", { title })).status).to.equal(201);
        const json = JSON.stringify({ title: "padded" });
        const exact = json.slice(0, -1) + " ".repeat(MAX_BODY_BYTES - Buffer.byteLength(json)) + "}";
        expect(Buffer.byteLength(exact)).to.equal(MAX_BODY_BYTES);
        const res = await send("alice", {
          method: "POST",
          path: "/api/todos",
          rawBody: exact,
          headers: { "Content-Type": "application/json; charset=utf-8" },
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(await todoItems()).to.have.length(2);
      });

      it("POST /api/todos counts the 500-character limit after trimming (and in code points)", async function () {
        const fits = "é".repeat(497) + "🧑‍🚀"; // 500 code points (person, ZWJ, rocket), 502 UTF-16 units
        expect([...fits]).to.have.length(500);
        const padded = await post("alice", { title: `${" ".repeat(200)}${fits}\u3000\u3000` });
        expect(padded.status, JSON.stringify(padded.body)).to.equal(201);
        expect(padded.body.title).to.equal(fits);
        const over = await post("alice", { title: ` ${"x".repeat(501)} ` });
        expect(over.status, JSON.stringify(over.body)).to.equal(400);
        expect(over.body.error.code).to.equal("validation_failed");
        expect((await patch("alice", padded.body.id, { title: `  ${"y".repeat(500)}  ` })).body.title).to.equal("y".repeat(500));
        expect((await patch("alice", padded.body.id, { title: "y".repeat(501) })).status).to.equal(400);
        expect(await todoItems()).to.have.length(1);
      });

      it("GET /api/todos/{id} returns the to-do with its ETag", async function () {
        const todo = await create("alice", { title: "Read" });
        const res = await get("alice", todo.id);
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal(todo);
        expect(res.headers.etag).to.equal('"1"');
      });

      it("GET /api/todos returns {items, nextCursor} with only the caller's to-dos", async function () {
        const empty = await list("alice");
        expect(empty.status).to.equal(200);
        expect(empty.body).to.deep.equal({ items: [], nextCursor: null });
        const first = await create("alice", { title: "first" });
        const second = await create("alice", { title: "second" });
        await create("bob", { title: "bob's" });
        const res = await list("alice");
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ items: [second, first], nextCursor: null });
      });

      it("PATCH /api/todos/{id} changes fields, bumps the version and the ETag", async function () {
        const todo = await create("alice", { title: "Draft", dueDate: "2030-01-31" });
        const res = await patch("alice", todo.id, { title: " Final ", completed: true });
        expect(res.status).to.equal(200);
        expectTodo(res.body);
        expect(res.body).to.include({ id: todo.id, title: "Final", completed: true, dueDate: "2030-01-31", version: 2 });
        expect(res.body.createdAt).to.equal(todo.createdAt);
        expect(res.body.updatedAt >= todo.updatedAt).to.equal(true);
        expect(res.headers.etag).to.equal('"2"');

        const cleared = await patch("alice", todo.id, { dueDate: null }, { "If-Match": '"2"' });
        expect(cleared.status).to.equal(200);
        expect(cleared.body).to.include({ dueDate: null, version: 3, title: "Final" });
        expect((await get("alice", todo.id)).body).to.deep.equal(cleared.body);
      });

      it("DELETE /api/todos/{id} answers 204 with no body and leaves only a tombstone", async function () {
        const a = await create("alice", { title: "a" });
        const b = await create("alice", { title: "b" });
        const res = await del("alice", a.id);
        expect(res.status).to.equal(204);
        expect(res.body).to.equal(undefined);
        expectError(await get("alice", a.id), 404, "not_found");
        const withIfMatch = await del("alice", b.id, { "If-Match": '"1"' });
        expect(withIfMatch.status).to.equal(204);
        expect(await todoItems()).to.deep.equal([]);
        const stones = await tombstones();
        expect(stones.map((t) => t[TABLE_KEY.sort]).sort()).to.deep.equal([a.id, b.id].sort());
        for (const stone of stones) {
          expect(stone).to.have.all.keys(
            TABLE_KEY.partition,
            TABLE_KEY.sort,
            "deleted",
            "version",
            "updatedAt",
            "expiresAt",
            CHANGES_INDEX.sort,
          );
          expect(stone.version).to.equal(2);
          const days = ((stone.expiresAt as number) * 1000 - Date.parse(stone.updatedAt as string)) / 86_400_000;
          expect(days).to.be.within(29.99, 30.01);
        }
        // A tombstone is absent to every route.
        expectError(await del("alice", a.id), 404, "not_found");
        expectError(await patch("alice", a.id, { title: "back?" }), 404, "not_found");
        expectError(await patch("alice", a.id, { title: "back?" }, { "If-Match": '"2"' }), 404, "not_found");
        expect((await list("alice")).body).to.deep.equal({ items: [], nextCursor: null });
      });

      it("POST /api/todos/clear-completed deletes the caller's completed to-dos only: {deleted: n}", async function () {
        const keep = await create("alice", { title: "open" });
        for (let i = 0; i < 30; i++) await create("alice", { title: `done ${i}`, completed: true });
        const bobs = await create("bob", { title: "bob done", completed: true });
        const res = await send("alice", { method: "POST", path: "/api/todos/clear-completed" });
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ deleted: 30, nextCursor: null });
        expect((await todoItems()).map((i) => i[TABLE_KEY.sort]).sort()).to.deep.equal([keep.id, bobs.id].sort());
        const again = await send("alice", { method: "POST", path: "/api/todos/clear-completed" });
        expect(again.body).to.deep.equal({ deleted: 0, nextCursor: null });
      });
    });

    // ---- every error status --------------------------------------------------------------

    describe("errors", function () {
      let todo: Todo;
      beforeEach(async () => {
        await api.reset();
        todo = await create("alice", { title: "existing" });
      });

      it("answers 401 on every route without a user, and changes nothing", async function () {
        const before = await snapshot();
        const requests: ApiRequest[] = [
          { method: "POST", path: "/api/todos", body: { title: "x" } },
          { method: "GET", path: "/api/todos" },
          { method: "GET", path: `/api/todos/${todo.id}` },
          { method: "PATCH", path: `/api/todos/${todo.id}`, body: { title: "x" } },
          { method: "DELETE", path: `/api/todos/${todo.id}` },
          { method: "POST", path: "/api/todos/clear-completed" },
        ];
        for (const request of requests) expectError(await send(null, request), 401, "unauthorized");
        expect(await snapshot()).to.deep.equal(before);
      });

      it("answers 404 for an unknown route or method", async function () {
        expectError(await send("alice", { method: "GET", path: "/api/nothing-here" }), 404, "not_found");
        expectError(await send("alice", { method: "PUT", path: "/api/todos" }), 404, "not_found");
        expectError(await send("alice", { method: "GET", path: `/api/todos/${todo.id}/extra` }), 404, "not_found");
        expectError(await send("alice", { method: "GET", path: "/api/todos/clear-completed" }), 404, "not_found");
      });

      it("answers 404 for a to-do that does not exist or an id that is not one", async function () {
        const before = await snapshot();
        for (const id of [ABSENT_ID, "not-an-id", "01arz3ndektsv4rrffq69g5fav", "%7Eidem%23x", "0".repeat(27)]) {
          expectError(await get("alice", id), 404, "not_found");
          expectError(await patch("alice", id, { title: "x" }), 404, "not_found");
          expectError(await patch("alice", id, { title: "x" }, { "If-Match": '"1"' }), 404, "not_found");
          expectError(await del("alice", id), 404, "not_found");
          expectError(await del("alice", id, { "If-Match": '"1"' }), 404, "not_found");
        }
        expect(await snapshot()).to.deep.equal(before);
      });

      it("answers 400 for malformed JSON", async function () {
        const before = await snapshot();
        for (const raw of ['{"title":', "{title: 'x'}", '{"title":"x"} trailing', "", "   "]) {
          const res = await send("alice", {
            method: "POST",
            path: "/api/todos",
            rawBody: raw,
            headers: { "Content-Type": "application/json" },
          });
          expectBadRequest(res);
          expectBadRequest(
            await send("alice", {
              method: "PATCH",
              path: `/api/todos/${todo.id}`,
              rawBody: raw,
              headers: { "Content-Type": "application/json" },
            }),
          );
        }
        expect(await snapshot()).to.deep.equal(before);
      });

      it("answers 400 for wrong types, missing or unknown fields and invalid values", async function () {
        const before = await snapshot();
        const createBodies: unknown[] = [
          {},
          { title: 5 },
          { title: null },
          { title: ["x"] },
          { title: "x", completed: "true" },
          { title: "x", completed: 1 },
          { title: "x", dueDate: 20240101 },
          { title: "x", dueDate: "2024-1-1" },
          { title: "x", dueDate: "2024-02-30" },
          { title: "x", dueDate: "2024-02-29T00:00:00Z" },
          { title: "" },
          { title: " \t\n " },
          { title: "x".repeat(501) },
          { title: "x", owner: "bob" },
          { title: "x", id: ABSENT_ID },
          { title: "x", version: 9 },
          { title: "x", userId: "bob" },
          [],
          [{ title: "x" }],
          null,
          "x",
          42,
          true,
        ];
        for (const body of createBodies) expectBadRequest(await post("alice", body));
        const patchBodies: unknown[] = [
          {},
          { title: 5 },
          { completed: null },
          { completed: "yes" },
          { dueDate: "tomorrow" },
          { dueDate: "2023-13-01" },
          { title: " " },
          { version: 7 },
          { id: ABSENT_ID },
          { createdAt: "2020-01-01T00:00:00.000Z" },
          [],
          null,
        ];
        for (const body of patchBodies) expectBadRequest(await patch("alice", todo.id, body));
        expect(await snapshot()).to.deep.equal(before);
      });

      it("answers 400 for bad query strings", async function () {
        for (const query of ["?status=done", "?status=ALL", "?sort=asc", "?limit=0", "?limit=101", "?cursor="]) {
          expectBadRequest(await list("alice", query));
        }
        expectBadRequest(await send("alice", { method: "GET", path: `/api/todos/${todo.id}?fields=title` }));
      });

      it("answers 400 for a garbage, tampered or padded cursor", async function () {
        for (let i = 0; i < 3; i++) await create("alice", { title: `t${i}` });
        const page = await list("alice", "?limit=2");
        const cursor: string = page.body.nextCursor;
        expect(cursor).to.be.a("string");
        const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
        const decoded = Buffer.from(cursor, "base64url").toString("utf8");
        const tampered = [
          "garbage",
          "x".repeat(513),
          Buffer.from("{}").toString("base64url"),
          Buffer.from("null").toString("base64url"),
          Buffer.from('{"k":"__proto__"}').toString("base64url"),
          flip(cursor, 3),
          flip(cursor, Math.floor(cursor.length / 2)),
          flip(cursor, cursor.length - 2),
          `${cursor}A`,
          `${cursor}==`,
          `${cursor}!`,
          // The same cursor with its position edited to another well-formed id.
          Buffer.from(decoded.replace(/"k":"[^"]+"/, `"k":"${ABSENT_ID}"`)).toString("base64url"),
        ];
        for (const bad of tampered) {
          const res = await list("alice", `?limit=2&cursor=${encodeURIComponent(bad)}`);
          expect(res.status, `cursor ${bad}: ${JSON.stringify(res.body)}`).to.equal(400);
          expectErrorShape(res);
        }
        // The genuine cursor still works.
        const next = await list("alice", `?limit=2&cursor=${encodeURIComponent(cursor)}`);
        expect(next.status).to.equal(200);
        expect(next.body.items).to.have.length(2);
      });

      it("answers 400 to a cursor issued to another user, never that user's data", async function () {
        for (let i = 0; i < 3; i++) await create("bob", { title: `bob ${i}` });
        const bobsPage = await list("bob", "?limit=1");
        const res = await list("alice", `?limit=1&cursor=${encodeURIComponent(bobsPage.body.nextCursor)}`);
        expectBadRequest(res);
        expect(JSON.stringify(res.body)).not.to.contain("bob ");
      });

      it("answers 409 when an Idempotency-Key is reused with a different body", async function () {
        const key = { "Idempotency-Key": "order-42" };
        const first = await post("alice", { title: "one" }, key);
        expect(first.status).to.equal(201);
        const before = await snapshot();
        expectError(await post("alice", { title: "two" }, key), 409, "conflict");
        expectError(await post("alice", { title: "one", completed: true }, key), 409, "conflict");
        expect(await snapshot()).to.deep.equal(before);
        expect(await todoItems()).to.have.length(2); // "existing" and "one"
      });

      it("answers 412 to a stale If-Match on PATCH and DELETE, changing nothing", async function () {
        const moved = await patch("alice", todo.id, { title: "v2" });
        expect(moved.body.version).to.equal(2);
        const before = await snapshot();
        for (const stale of ['"1"', "1", 'W/"1"', '"3"', '"0"']) {
          const res = await patch("alice", todo.id, { title: "lost" }, { "If-Match": stale });
          expectError(res, 412, "precondition_failed");
          expectError(await del("alice", todo.id, { "If-Match": stale }), 412, "precondition_failed");
        }
        expect(await snapshot()).to.deep.equal(before);
        expect((await get("alice", todo.id)).body).to.include({ title: "v2", version: 2 });
      });

      it("answers 413 to a schema-valid body over 16 KiB, creating nothing", async function () {
        const before = await snapshot();
        const json = JSON.stringify({ title: "padded" });
        const over = json.slice(0, -1) + " ".repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(json)) + "}";
        expect(Buffer.byteLength(over)).to.equal(MAX_BODY_BYTES + 1);
        const headers = { "Content-Type": "application/json" };
        expectError(await send("alice", { method: "POST", path: "/api/todos", rawBody: over, headers }), 413, "payload_too_large");
        const bigger = json.slice(0, -1) + " ".repeat(200_000) + "}";
        expectError(await send("alice", { method: "POST", path: "/api/todos", rawBody: bigger, headers }), 413, "payload_too_large");
        const patchOver = '{"completed":true' + " ".repeat(MAX_BODY_BYTES) + "}";
        expectError(
          await send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, rawBody: patchOver, headers }),
          413,
          "payload_too_large",
        );
        expect(await snapshot()).to.deep.equal(before);
      });

      it("answers 415 to a body that is not sent as JSON, creating nothing", async function () {
        const before = await snapshot();
        const body = JSON.stringify({ title: "x" });
        for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp", "multipart/form-data; boundary=x"]) {
          const res = await send("alice", { method: "POST", path: "/api/todos", rawBody: body, headers: { "Content-Type": type } });
          expectError(res, 415, "unsupported_media_type");
          const patched = await send("alice", {
            method: "PATCH",
            path: `/api/todos/${todo.id}`,
            rawBody: JSON.stringify({ completed: true }),
            headers: { "Content-Type": type },
          });
          expectError(patched, 415, "unsupported_media_type");
        }
        expect(await snapshot()).to.deep.equal(before);
      });
    });

    // ---- users cannot see each other -----------------------------------------------------

    describe("isolation between users", function () {
      beforeEach(async () => api.reset());

      it("answers 404 when a user reads, changes or deletes another user's to-do, and changes nothing", async function () {
        const alices = await create("alice", { title: "alice's secret", completed: true });
        const before = await snapshot();
        const missing = await get("bob", ABSENT_ID);
        const foreign = await get("bob", alices.id);
        expectError(foreign, 404, "not_found");
        // Indistinguishable from a to-do that does not exist.
        expect(foreign.body.error.message).to.equal(missing.body.error.message);
        expect(foreign.body.error.details).to.deep.equal(missing.body.error.details);
        expectError(await patch("bob", alices.id, { title: "pwned" }), 404, "not_found");
        expectError(await patch("bob", alices.id, { completed: false }, { "If-Match": '"1"' }), 404, "not_found");
        expectError(await patch("bob", alices.id, { completed: false }, { "If-Match": '"7"' }), 404, "not_found");
        expectError(await del("bob", alices.id), 404, "not_found");
        expectError(await del("bob", alices.id, { "If-Match": '"1"' }), 404, "not_found");
        expect((await list("bob")).body).to.deep.equal({ items: [], nextCursor: null });
        const cleared = await send("bob", { method: "POST", path: "/api/todos/clear-completed" });
        expect(cleared.body).to.deep.equal({ deleted: 0, nextCursor: null });
        expect(await snapshot()).to.deep.equal(before);
        expect((await get("alice", alices.id)).body).to.deep.equal(alices);
      });
    });

    // ---- concurrency and retries ---------------------------------------------------------

    describe("concurrency and retries", function () {
      beforeEach(async () => api.reset());

      it("lets exactly one of 50 concurrent PATCHes with the same If-Match win; the rest get 412", async function () {
        const todo = await create("alice", { title: "contended" });
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) => patch("alice", todo.id, { title: `writer ${i}` }, { "If-Match": '"1"' })),
        );
        const ok = responses.filter((r) => r.status === 200);
        const stale = responses.filter((r) => r.status === 412);
        expect(ok, responses.map((r) => r.status).join(",")).to.have.length(1);
        expect(stale).to.have.length(49);
        for (const r of stale) expectError(r, 412, "precondition_failed");
        const final = await get("alice", todo.id);
        expect(final.body.version).to.equal(2);
        expect(final.body.title).to.equal(ok[0].body.title); // the winner's write is the one kept
        expect(await todoItems()).to.have.length(1);
      });

      it("loses no update among 50 concurrent PATCHes without If-Match", async function () {
        const todo = await create("alice", { title: "counter" });
        const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => patch("alice", todo.id, { title: `writer ${i}` })));
        expect(responses.map((r) => r.status)).to.deep.equal(Array(50).fill(200));
        const versions = responses.map((r) => r.body.version).sort((a, b) => a - b);
        expect(versions).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 2));
        expect((await get("alice", todo.id)).body.version).to.equal(51);
      });

      it("returns the same to-do to a retried POST with the same Idempotency-Key: one item", async function () {
        const headers = { "Idempotency-Key": "retry-1" };
        const first = await post("alice", { title: "once", dueDate: "2031-05-06" }, headers);
        expect(first.status).to.equal(201);
        for (let i = 0; i < 3; i++) {
          const again = await post("alice", { title: "once", dueDate: "2031-05-06" }, headers);
          expect(again.status).to.equal(201);
          expect(again.body).to.deep.equal(first.body);
          expect(again.headers.location).to.equal(first.headers.location);
          expect(again.headers.etag).to.equal('"1"');
        }
        expect((await todoItems()).map((i) => i[TABLE_KEY.sort])).to.deep.equal([first.body.id]);
        expect((await list("alice")).body.items).to.deep.equal([first.body]);
      });

      it("creates exactly one item from 20 concurrent POSTs with the same Idempotency-Key", async function () {
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => post("alice", { title: "racing" }, { "Idempotency-Key": "race-key" })),
        );
        expect(responses.map((r) => r.status)).to.deep.equal(Array(20).fill(201));
        const ids = new Set(responses.map((r) => r.body.id));
        expect(ids.size).to.equal(1);
        expect((await todoItems()).map((i) => i[TABLE_KEY.sort])).to.deep.equal([...ids]);
      });

      it("scopes Idempotency-Keys to the user and keeps different keys apart", async function () {
        const a = await post("alice", { title: "same" }, { "Idempotency-Key": "k1" });
        const b = await post("bob", { title: "same" }, { "Idempotency-Key": "k1" });
        const c = await post("alice", { title: "same" }, { "Idempotency-Key": "k2" });
        expect([a.status, b.status, c.status]).to.deep.equal([201, 201, 201]);
        expect(new Set([a.body.id, b.body.id, c.body.id]).size).to.equal(3);
        expect(await todoItems()).to.have.length(3);
      });

      it("does not bring back a deleted to-do when its POST is retried", async function () {
        const headers = { "Idempotency-Key": "delete-then-retry" };
        const first = await post("alice", { title: "gone" }, headers);
        expect((await del("alice", first.body.id)).status).to.equal(204);
        await post("alice", { title: "gone" }, headers);
        expect(await todoItems()).to.deep.equal([]);
      });
    });

    // ---- pagination ----------------------------------------------------------------------

    describe("pagination through 250 to-dos", function () {
      const created: Todo[] = [];
      before(async function () {
        await api.reset();
        created.length = 0;
        for (let i = 0; i < 250; i++) created.push(await create("alice", { title: `item ${i}`, completed: i % 3 === 0 }));
        for (let i = 0; i < 5; i++) await create("bob", { title: `bob ${i}` });
        // Idempotency records share the table: they must never show up in a list.
        await post("alice", { title: "item 0" }, { "Idempotency-Key": "replay-of-nothing" }).then((r) => created.push(r.body));
      });

      function expectExactlyOnceNewestFirst(items: Todo[], expected: Todo[]): void {
        const ids = items.map((t) => t.id);
        expect(new Set(ids).size, "an item appeared twice").to.equal(ids.length);
        expect([...ids].sort()).to.deep.equal(expected.map((t) => t.id).sort());
        for (let i = 1; i < items.length; i++) {
          expect(items[i - 1].id > items[i].id, `order at ${i}`).to.equal(true);
          expect(items[i - 1].createdAt >= items[i].createdAt, `createdAt at ${i}`).to.equal(true);
        }
        const byId = new Map(expected.map((t) => [t.id, t]));
        for (const item of items) expect(item).to.deep.equal(byId.get(item.id));
      }

      for (const limit of [100, 50, 7, 1]) {
        it(`returns every item exactly once, newest first, with limit=${limit}`, async function () {
          const query = limit === 50 ? "" : `?limit=${limit}`; // 50 is the default
          const { items, pages } = await listAll("alice", query);
          expectExactlyOnceNewestFirst(items, created);
          expect(pages).to.equal(Math.ceil(created.length / limit));
        });
      }

      for (const status of ["active", "completed", "all"] as const) {
        it(`returns every ${status} item exactly once, newest first, with ?status=${status}`, async function () {
          const { items } = await listAll("alice", `?status=${status}&limit=20`);
          const expected = created.filter((t) => status === "all" || t.completed === (status === "completed"));
          expectExactlyOnceNewestFirst(items, expected);
        });
      }

      it("fills each page up to the limit and ends with nextCursor null", async function () {
        const first = await list("alice", "?limit=100");
        expect(first.body.items).to.have.length(100);
        const second = await list("alice", `?limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`);
        expect(second.body.items).to.have.length(100);
        const third = await list("alice", `?limit=100&cursor=${encodeURIComponent(second.body.nextCursor)}`);
        expect(third.body.items).to.have.length(51);
        expect(third.body.nextCursor).to.equal(null);
        expect((await list("bob", "?limit=100")).body.items.map((t: Todo) => t.title).sort()).to.deep.equal([
          "bob 0",
          "bob 1",
          "bob 2",
          "bob 3",
          "bob 4",
        ]);
      });
    });

    // ---- whole-list routes (whole-list.contract.ts) -----------------------------------------

    wholeListContract(() => api, { sizes: options.sizes ?? [0, 1, 50, 51, 1000], bigSize: options.bigSize });

    // ---- lists and sharing (sharing.contract.ts) ---------------------------------------------

    sharingContract(() => api);

    // ---- hostile input -------------------------------------------------------------------

    describe("hostile input", function () {
      let open: Todo;
      let before: string[];
      beforeEach(async () => {
        await api.reset();
        open = await create("alice", { title: "open" });
        await create("alice", { title: "done", completed: true });
        await create("bob", { title: "bob's" });
        before = await snapshot();
      });

      /** Every request must be a 4xx with the error shape (never a 500) and the table unchanged. */
      async function expectAllRefused(requests: ApiRequest[], user: User = "alice"): Promise<void> {
        const failures: string[] = [];
        for (const request of requests) {
          const res = await send(user, request);
          const ok = res.status >= 400 && res.status < 500 && typeof res.body?.error?.code === "string";
          if (!ok)
            failures.push(`${request.method} ${request.path.slice(0, 80)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        expect(failures, failures.join("\n")).to.deep.equal([]);
        expect(await snapshot()).to.deep.equal(before);
      }

      const json = { "Content-Type": "application/json" };
      const raw = (method: string, path: string, rawBody: string | Buffer, headers: Record<string, string> = json): ApiRequest => ({
        method,
        path,
        rawBody,
        headers,
      });
      /** The same raw body sent to create and to update. */
      const both = (rawBody: string | Buffer, headers: Record<string, string> = json): ApiRequest[] => [
        raw("POST", "/api/todos", rawBody, headers),
        raw("PATCH", `/api/todos/${open.id}`, rawBody, headers),
      ];

      it("refuses huge bodies", async function () {
        await expectAllRefused([
          ...both(JSON.stringify({ title: "x".repeat(1_000_000) })),
          ...both(JSON.stringify({ title: "x", completed: true, junk: "y".repeat(100_000) })),
          ...both(`[${'"x",'.repeat(200_000)}"x"]`),
          ...both(JSON.stringify({ title: "x".repeat(16_000) })),
        ]);
      });

      it("refuses deeply nested bodies", async function () {
        const arrays = (n: number) => "[".repeat(n) + "]".repeat(n);
        const objects = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
        await expectAllRefused([
          ...both(arrays(8000)),
          ...both(`{"title":${arrays(5000)}}`),
          ...both(`{"title":"x","completed":${objects(2500)}}`),
          ...both(objects(3000)),
          ...both(arrays(100_000)),
        ]);
      });

      it("refuses wrong JSON types at the top level and in every field", async function () {
        const bodies = [
          "null",
          "true",
          "0",
          '"title"',
          "[]",
          '[{"title":"x"}]',
          '{"title":{}}',
          '{"title":1e400}',
          '{"title":"x","completed":"false"}',
          '{"title":"x","completed":0}',
          '{"title":"x","dueDate":{}}',
          '{"title":"x","dueDate":[]}',
          '{"title":"x","dueDate":true}',
          '{"completed":[true]}',
        ];
        await expectAllRefused(bodies.flatMap((body) => both(body)));
      });

      it("refuses __proto__ and constructor keys and pollutes nothing", async function () {
        const bodies = [
          '{"title":"x","__proto__":{"polluted":true}}',
          '{"__proto__":{"title":"x"}}',
          '{"title":"x","constructor":{"prototype":{"polluted":true}}}',
          '{"constructor":{"prototype":{"title":"x"}}}',
          '{"title":"x","prototype":{}}',
          '{"title":"x","toString":"x","hasOwnProperty":1}',
          '{"title":{"__proto__":{"polluted":true}}}',
        ];
        await expectAllRefused([
          ...bodies.flatMap((body) => both(body)),
          { method: "GET", path: "/api/todos?__proto__=x" },
          { method: "GET", path: "/api/todos?constructor=x" },
          { method: "GET", path: "/api/todos?__proto__[polluted]=true" },
          { method: "GET", path: "/api/todos/__proto__" },
          { method: "DELETE", path: "/api/todos/constructor" },
          { method: "PATCH", path: "/api/todos/__proto__", body: { title: "x" } },
        ]);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
        expect(Object.prototype).not.to.have.property("polluted");
      });

      it("refuses invalid UTF-8 bytes", async function () {
        const bytes = (...parts: (string | number[])[]) =>
          Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
        await expectAllRefused([
          ...both(bytes('{"title":"', [0xff, 0xfe], '"}')),
          ...both(bytes('{"title":"a', [0xc0, 0xaf], '"}')), // overlong "/"
          ...both(bytes('{"title":"a', [0xe2, 0x82], '"}')), // truncated sequence
          ...both(bytes('{"title":"a', [0xed, 0xa0, 0x80], '"}')), // UTF-8-encoded surrogate
          ...both(bytes('{"title":"a', [0xf4, 0x90, 0x80, 0x80], '"}')), // beyond U+10FFFF
          ...both(bytes('{"title":"x","', [0x80], '":1}')),
        ]);
      });

      it("refuses control characters and lone surrogates in the title", async function () {
        const escaped = ["\\u0000", "\\u0007", "\\u001b[31mred", "\\u007f", "a\\nb", "tab\\there", "\\r"];
        const rawControl = ["\u0000", "\u0001", "\n", "\u001f"];
        const surrogates = ["\\ud800", "\\udc00x", "x\\udbff", "\\udc00\\ud800", "ok\\ud83d"];
        await expectAllRefused([
          ...escaped.flatMap((s) => both(`{"title":"x${s}"}`)),
          ...rawControl.flatMap((s) => both(`{"title":"x${s}y"}`)),
          ...surrogates.flatMap((s) => both(`{"title":"${s}"}`)),
        ]);
      });

      it("refuses huge, negative and non-numeric limits and odd query strings", async function () {
        const limits = [
          "1000000000000000000000",
          "-1",
          "-0",
          "0",
          "101",
          "abc",
          "1.5",
          "1e2",
          "0x10",
          "%205",
          "5%20",
          "+5",
          "05",
          "",
          "NaN",
          "Infinity",
          "%00",
          "%F0%9F%92%A9",
        ];
        await expectAllRefused([
          ...limits.map((limit) => ({ method: "GET", path: `/api/todos?limit=${limit}` })),
          { method: "GET", path: `/api/todos?cursor=${"A".repeat(4000)}` },
          { method: "GET", path: "/api/todos?status=" },
          { method: "GET", path: "/api/todos?status=%00" },
          { method: "GET", path: "/api/todos?cursor=%00" },
          { method: "POST", path: "/api/todos?limit=5", body: { title: "x" } },
          { method: "PATCH", path: `/api/todos/${open.id}?completed=true`, body: { title: "x" } },
          { method: "DELETE", path: `/api/todos/${open.id}?force=1` },
          { method: "POST", path: "/api/todos/clear-completed?status=all" },
        ]);
      });

      it("refuses odd If-Match and Idempotency-Key headers", async function () {
        const ifMatches = ["abc", '"1", "2"', "-1", '"-1"', "1e3", '"1.0"', '"99999999999999999999"', '""', '"', "W/", "0x1"];
        const keys = ["x".repeat(256), "has space", "tab\there", [..."ключ"].map((c) => (c.charCodeAt(0) > 0xff ? "\xe9" : c)).join("")];
        await expectAllRefused([
          ...ifMatches.flatMap((value): ApiRequest[] => [
            { method: "PATCH", path: `/api/todos/${open.id}`, body: { title: "changed" }, headers: { "If-Match": value } },
            { method: "DELETE", path: `/api/todos/${open.id}`, headers: { "If-Match": value } },
          ]),
          ...keys.map((key) => ({ method: "POST", path: "/api/todos", body: { title: "new" }, headers: { "Idempotency-Key": key } })),
        ]);
      });

      it("refuses to reach other users' or internal items through odd ids", async function () {
        await expectAllRefused([
          { method: "GET", path: "/api/todos/..%2F..%2Fbob" },
          { method: "GET", path: "/api/todos/%7Eidem%23anything" },
          { method: "DELETE", path: `/api/todos/${open.id}%00` },
          { method: "PATCH", path: `/api/todos/${open.id.toLowerCase()}`, body: { title: "x" } },
          { method: "DELETE", path: `/api/todos/${open.id}%20` },
          { method: "GET", path: "/api/todos/%E0%A4%A" },
        ]);
        await expectAllRefused(
          [
            { method: "GET", path: `/api/todos/${open.id}` },
            { method: "PATCH", path: `/api/todos/${open.id}`, body: { title: "x" } },
            { method: "DELETE", path: `/api/todos/${open.id}` },
          ],
          "bob",
        );
      });
    });

    // ---- deleting an account (account.contract.ts): last, it deletes alice's Cognito user ----

    accountContract(() => api);
  });
}
