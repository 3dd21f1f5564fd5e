/**
 * The whole-list part of the API contract (issue 10): summary, mark-all, clear-completed, the
 * change feed, export and delete-all, each at several list sizes, with races. Part of
 * todoApiContract, so it runs over every transport; big lists are seeded straight into the table.
 *
 * Transport differences this part allows for: tests that shrink the time budget (to force
 * continuation cursors) run only where the driver can (`setTimeBudget`, in-process); elsewhere
 * a bulk change may or may not need a second call, and every test follows nextCursor anyway.
 */
import { expect } from "chai";
import type { Todo, Tombstone } from "../../handlers/todos";
import { ulidFactory } from "../../handlers/ids";
import { sealCursor } from "../../handlers/cursor";
import { syncPositionToJson } from "../../handlers/sync";
import { CHANGES_INDEX, changeKeyOf, IDEMPOTENCY_PREFIX, TABLE_KEY } from "../../handlers/table";
import { todoItem } from "../../dev/seed-table";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "./driver";

export interface WholeListOptions {
  /** List sizes every capability is checked at. */
  readonly sizes: readonly number[];
  /** One more size checked by a single test of every capability (slow: in-process only). */
  readonly bigSize?: number;
}

type Change = Todo | Tombstone;
type Summary = { total: number; active: number; completed: number };
type Page = { items: Todo[]; nextCursor: string | null };
type ChangesPage = { items: Change[]; nextCursor: string; hasMore: boolean };
type Bulk = Record<string, unknown> & { nextCursor: string | null };
type ExportFile = { exportedAt: string; todos: Todo[] };

/** The error code of an error answer. */
const errorCode = (res: ApiResponse): unknown => (res.body as { error?: { code?: unknown } } | undefined)?.error?.code;

const isTombstone = (c: Change): c is Tombstone => (c as Tombstone).deleted === true;
/** Seeded to-dos were last changed this long ago: longer than the sync overlap. */
const SEED_AGE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** `n` to-dos (every third completed) as table items, oldest first, changed SEED_AGE_MS ago. */
export function seedTodos(n: number, options: { completed?: (i: number) => boolean; prefix?: string } = {}): Todo[] {
  const at = Date.now() - SEED_AGE_MS;
  const nextId = ulidFactory(() => at);
  const iso = new Date(at).toISOString();
  const completed = options.completed ?? ((i: number) => i % 3 === 0);
  return Array.from({ length: n }, (_, i) => ({
    id: nextId(),
    title: `${options.prefix ?? "seed"} ${i}`,
    completed: completed(i),
    dueDate: i % 5 === 0 ? "2031-01-01" : null,
    createdAt: iso,
    updatedAt: iso,
    version: 1,
  }));
}

/** A to-do as the table holds it. */
export const toItem = (todo: Todo): Record<string, unknown> => todoItem(todo);

export function wholeListContract(api: () => ApiDriver, options: WholeListOptions): void {
  const send = (user: User | null, request: ApiRequest) => api().send(user, request);
  function ok<T>(res: ApiResponse): T {
    expect(res.status, JSON.stringify(res.body)?.slice(0, 300)).to.equal(200);
    return res.body as T;
  }
  const summary = async (user: User) => ok<Summary>(await send(user, { method: "GET", path: "/api/todos/summary" }));

  /** Calls a bulk route until nextCursor is null; the totals and how many calls it took. */
  async function untilDone(user: User, call: (cursor: string | undefined) => ApiRequest, field: string) {
    let total = 0;
    let cursor: string | undefined;
    for (let calls = 1; calls <= 2000; calls++) {
      const body = ok<Bulk>(await send(user, call(cursor)));
      expect(body).to.have.all.keys(field, "nextCursor");
      expect(body[field]).to.be.a("number").at.least(0);
      total += body[field] as number;
      if (body.nextCursor === null) return { total, calls };
      expect(body.nextCursor).to.be.a("string").and.not.equal(cursor);
      cursor = body.nextCursor;
    }
    throw new Error("a bulk change did not finish in 2000 calls");
  }
  const markAll = (user: User, completed: boolean) =>
    untilDone(
      user,
      (cursor) => ({ method: "POST", path: "/api/todos/mark-all", body: { completed, ...(cursor && { cursor }) } }),
      "changed",
    );
  const clearCompleted = (user: User) =>
    untilDone(user, (cursor) => ({ method: "POST", path: "/api/todos/clear-completed", ...(cursor && { body: { cursor } }) }), "deleted");
  const deleteAll = (user: User) =>
    untilDone(
      user,
      (cursor) => ({ method: "DELETE", path: `/api/todos${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}` }),
      "deleted",
    );

  /** One sync: pages of the change feed until hasMore is false. */
  async function sync(user: User, cursor: string | null, limit?: number): Promise<{ changes: Change[]; cursor: string; pages: number }> {
    const changes: Change[] = [];
    for (let pages = 1; pages <= 1000; pages++) {
      const query = new URLSearchParams({ ...(cursor !== null && { cursor }), ...(limit !== undefined && { limit: String(limit) }) });
      const body = ok<ChangesPage>(await send(user, { method: "GET", path: `/api/todos/changes${query.size ? `?${query}` : ""}` }));
      expect(body).to.have.all.keys("items", "nextCursor", "hasMore");
      expect(body.nextCursor).to.be.a("string");
      if (limit !== undefined) expect(body.items.length).to.be.at.most(limit);
      changes.push(...body.items);
      cursor = body.nextCursor;
      if (!body.hasMore) return { changes, cursor: body.nextCursor, pages };
    }
    throw new Error("a sync did not end in 1000 pages");
  }

  /** The client's merge: per id, the change with the higher version wins. */
  function merge(local: Map<string, Change>, changes: readonly Change[]): void {
    for (const change of changes) {
      const held = local.get(change.id);
      if (held && held.version > change.version) continue;
      if (held && held.version === change.version)
        expect(change, `two changes with version ${change.version} of ${change.id}`).to.deep.equal(held);
      local.set(change.id, change);
    }
  }
  const live = (local: Map<string, Change>) => [...local.values()].filter((c): c is Todo => !isTombstone(c));

  async function exportJson(user: User): Promise<ExportFile> {
    const res = await send(user, { method: "GET", path: "/api/todos/export" });
    expect(res.status).to.equal(200);
    expect(res.headers["content-type"]).to.match(/^application\/json/);
    expect(res.headers["content-disposition"]).to.match(/^attachment; filename="tasklane-todos-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.body).to.have.all.keys("exportedAt", "todos");
    return res.body as ExportFile;
  }

  /** Every to-do of the user as the API lists it, page by page. */
  async function listAll(user: User, query = ""): Promise<{ items: Todo[]; pageSizes: number[] }> {
    const items: Todo[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const sep = query ? "&" : "?";
      const body: Page = ok<Page>(
        await send(user, { method: "GET", path: `/api/todos${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}` }),
      );
      items.push(...body.items);
      pageSizes.push(body.items.length);
      if (body.nextCursor === null) return { items, pageSizes };
      cursor = body.nextCursor;
    }
    throw new Error("listing did not end in 1000 pages");
  }

  async function aliceItems(): Promise<Record<string, unknown>[]> {
    const alice = api().userId("alice");
    return (await api().tableItems()).filter((item) => item[TABLE_KEY.partition] === alice);
  }

  /** Empties the table, seeds `n` to-dos for alice plus tombstones, an idempotency record and bob's to-dos. */
  async function seedAlice(n: number, completed?: (i: number) => boolean): Promise<Todo[]> {
    await api().reset();
    const todos = seedTodos(n, { completed });
    const past = new Date(Date.now() - SEED_AGE_MS).toISOString();
    const stones = seedTodos(3, { prefix: "gone" }).map((t) => ({
      [TABLE_KEY.sort]: t.id,
      deleted: true,
      version: 2,
      updatedAt: past,
      [CHANGES_INDEX.sort]: changeKeyOf(past, t.id),
    }));
    const record = { [TABLE_KEY.sort]: `${IDEMPOTENCY_PREFIX}seeded`, state: "done", requestHash: "x" };
    await api().seed("alice", [...todos.map(toItem), ...stones, record]);
    await api().seed("bob", seedTodos(4, { prefix: "bob" }).map(toItem));
    return todos;
  }

  const completedCount = (todos: readonly Todo[]) => todos.filter((t) => t.completed).length;

  for (const n of options.sizes) {
    describe(`whole list of ${n} to-dos`, function () {
      let todos: Todo[];

      describe("reads", function () {
        before(async () => {
          todos = await seedAlice(n);
        });

        it("GET /api/todos/summary counts exactly, tombstones and other users left out", async function () {
          const c = completedCount(todos);
          expect(await summary("alice")).to.deep.equal({ total: n, active: n - c, completed: c });
          expect(await summary("bob")).to.deep.equal({ total: 4, active: 2, completed: 2 });
        });

        it("GET /api/todos?status=… returns full pages, each to-do once, and a cursor only while more remain", async function () {
          for (const [status, expected] of [
            ["all", todos],
            ["active", todos.filter((t) => !t.completed)],
            ["completed", todos.filter((t) => t.completed)],
          ] as const) {
            const { items, pageSizes } = await listAll("alice", `?status=${status}&limit=50`);
            expect(
              items.map((t) => t.id),
              status,
            ).to.deep.equal(expected.map((t) => t.id).reverse());
            expect(items).to.deep.equal([...expected].reverse());
            const full = Math.floor(expected.length / 50);
            expect(pageSizes.slice(0, full), `${status} pages`).to.deep.equal(Array(full).fill(50));
            expect(pageSizes.length, `${status} pages`).to.equal(Math.max(1, Math.ceil(expected.length / 50)));
          }
        });

        it("GET /api/todos/changes without a cursor returns everything once (tombstones too), page by page", async function () {
          for (const limit of [undefined, 7, 500]) {
            const { changes, pages } = await sync("alice", null, limit);
            const ids = changes.map((c) => c.id);
            expect(new Set(ids).size, "an id came twice").to.equal(ids.length);
            const liveOnes = changes.filter((c): c is Todo => !isTombstone(c));
            expect(liveOnes.sort((a, b) => (a.id < b.id ? -1 : 1))).to.deep.equal(todos);
            const stones = changes.filter(isTombstone);
            expect(stones).to.have.length(3);
            for (const stone of stones) expect(stone).to.have.all.keys("id", "deleted", "version", "updatedAt");
            expect(pages).to.equal(Math.max(1, Math.ceil((n + 3) / (limit ?? 200))));
          }
        });

        it("GET /api/todos/changes with the last cursor returns exactly the changes made since", async function () {
          const first = await sync("alice", null);
          const quiet = await sync("alice", first.cursor);
          expect(quiet.changes, "nothing changed").to.deep.equal([]);
          const changed: Change[] = [];
          for (const todo of todos.slice(0, 10)) {
            changed.push(
              ok<Todo>(await send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, body: { title: `${todo.title}!` } })),
            );
          }
          const delta = await sync("alice", quiet.cursor, 4);
          expect(delta.changes.map((c) => [c.id, c.version]).sort()).to.deep.equal(changed.map((c) => [c.id, c.version]).sort());
          expect(delta.changes).to.deep.include.members(changed);
          // Put back what the reads below expect.
          for (const todo of todos.slice(0, 10)) await api().seed("alice", [toItem(todo)]);
        });

        it("GET /api/todos/export downloads every to-do as JSON, newest first, and as CSV", async function () {
          const file = await exportJson("alice");
          expect(file.todos).to.deep.equal([...todos].reverse());
          expect(Date.parse(file.exportedAt)).to.be.closeTo(Date.now(), 60_000);
          const csv = await send("alice", { method: "GET", path: "/api/todos/export?format=csv" });
          expect(csv.status).to.equal(200);
          expect(csv.headers["content-type"]).to.match(/^text\/csv; charset=utf-8/);
          expect(csv.headers["content-disposition"]).to.match(/^attachment; filename="tasklane-todos-\d{4}-\d{2}-\d{2}\.csv"$/);
          const lines = (csv.body as string).replace(/^\uFEFF/, "").split("\r\n");
          expect(lines[0]).to.equal("id,title,completed,dueDate,createdAt,updatedAt,version");
          expect(lines.slice(1, -1)).to.have.length(n);
          expect(lines.at(-1)).to.equal("");
          if (n > 0)
            expect(lines[1]).to.equal(
              [
                todos[n - 1].id,
                todos[n - 1].title,
                todos[n - 1].completed,
                todos[n - 1].dueDate ?? "",
                todos[n - 1].createdAt,
                todos[n - 1].updatedAt,
                1,
              ].join(","),
            );
        });
      });

      describe("changes", function () {
        beforeEach(async () => {
          todos = await seedAlice(n);
        });

        it("POST /api/todos/mark-all sets completed on every to-do that differs, bumps each one's version, and says how many", async function () {
          const active = todos.filter((t) => !t.completed);
          const done = await markAll("alice", true);
          expect(done.total).to.equal(active.length);
          expect(await summary("alice")).to.deep.equal({ total: n, active: 0, completed: n });
          const after = new Map((await exportJson("alice")).todos.map((t) => [t.id, t]));
          for (const todo of todos) {
            const now = after.get(todo.id) as Todo;
            expect(now.completed).to.equal(true);
            expect(now.title).to.equal(todo.title);
            expect(now.version, todo.id).to.equal(todo.completed ? 1 : 2);
            if (!todo.completed) expect(now.updatedAt > todo.updatedAt).to.equal(true);
          }
          expect((await markAll("alice", true)).total).to.equal(0);
          expect((await markAll("alice", false)).total).to.equal(n);
          expect(await summary("alice")).to.deep.equal({ total: n, active: n, completed: 0 });
          expect(await summary("bob")).to.deep.equal({ total: 4, active: 2, completed: 2 });
          expect((await aliceItems()).filter((i) => i.deleted === true && "completed" in i)).to.deep.equal([]);
        });

        it("POST /api/todos/clear-completed deletes the completed ones, leaving tombstones that sync reports", async function () {
          const cursor = (await sync("alice", null)).cursor;
          const completed = todos.filter((t) => t.completed);
          expect((await clearCompleted("alice")).total).to.equal(completed.length);
          expect(await summary("alice")).to.deep.equal({ total: n - completed.length, active: n - completed.length, completed: 0 });
          const delta = await sync("alice", cursor);
          expect(delta.changes.map((c) => c.id).sort()).to.deep.equal(completed.map((t) => t.id).sort());
          for (const change of delta.changes) expect(change).to.include({ deleted: true, version: 2 });
          expect((await clearCompleted("alice")).total).to.equal(0);
        });

        it("DELETE /api/todos deletes every to-do, tombstone and idempotency record of the caller, and nothing of others", async function () {
          const bobBefore = (await api().tableItems()).filter((i) => i[TABLE_KEY.partition] === api().userId("bob"));
          expect((await deleteAll("alice")).total).to.equal(n);
          expect(await aliceItems()).to.deep.equal([]);
          expect(await summary("alice")).to.deep.equal({ total: 0, active: 0, completed: 0 });
          expect((await api().tableItems()).filter((i) => i[TABLE_KEY.partition] === api().userId("bob"))).to.deep.equal(bobBefore);
          expect((await deleteAll("alice")).total).to.equal(0);
        });
      });
    });
  }

  describe("whole-list continuations (a shrunken time budget)", function () {
    beforeEach(function () {
      if (!api().setTimeBudget) this.skip();
      api().setTimeBudget?.(0);
    });
    afterEach(() => api().setTimeBudget?.(undefined));

    it("mark-all, clear-completed and delete-all stop early with a cursor, and finish exactly when followed", async function () {
      const todos = await seedAlice(300);
      const marked = await markAll("alice", true);
      expect(marked.calls).to.be.greaterThan(1);
      expect(marked.total).to.equal(todos.filter((t) => !t.completed).length);
      const reopened = await markAll("alice", false);
      expect(reopened.total).to.equal(300);
      await api().seed("alice", todos.map(toItem));
      const cleared = await clearCompleted("alice");
      expect(cleared.calls).to.be.greaterThan(1);
      expect(cleared.total).to.equal(completedCount(todos));
      const deleted = await deleteAll("alice");
      expect(deleted.calls).to.be.greaterThan(1);
      expect(deleted.total).to.equal(300 - completedCount(todos));
      expect(await aliceItems()).to.deep.equal([]);
    });
  });

  describe("whole-list cursors", function () {
    let todos: Todo[];
    before(async () => {
      todos = await seedAlice(120);
      await api().seed("bob", seedTodos(120, { prefix: "bob" }).map(toItem));
    });

    /** A genuine cursor of each cursor-taking route, and how to send one to it. */
    type Use = (user: User, cursor: string) => ApiRequest;
    const uses: Record<string, Use> = {
      list: (_u, cursor) => ({ method: "GET", path: `/api/todos?limit=5&cursor=${encodeURIComponent(cursor)}` }),
      changes: (_u, cursor) => ({ method: "GET", path: `/api/todos/changes?limit=5&cursor=${encodeURIComponent(cursor)}` }),
      markAll: (_u, cursor) => ({ method: "POST", path: "/api/todos/mark-all", body: { completed: true, cursor } }),
      clearCompleted: (_u, cursor) => ({ method: "POST", path: "/api/todos/clear-completed", body: { cursor } }),
      deleteAll: (_u, cursor) => ({ method: "DELETE", path: `/api/todos?cursor=${encodeURIComponent(cursor)}` }),
    };

    it("answers 400, changing nothing, to another user's, another route's or a tampered cursor on every route that takes one", async function () {
      const bobList = ok<Page>(await send("bob", { method: "GET", path: "/api/todos?limit=5" })).nextCursor as string;
      const bobChanges = ok<ChangesPage>(await send("bob", { method: "GET", path: "/api/todos/changes?limit=5" })).nextCursor;
      const aliceList = ok<Page>(await send("alice", { method: "GET", path: "/api/todos?limit=5" })).nextCursor as string;
      const aliceChanges = ok<ChangesPage>(await send("alice", { method: "GET", path: "/api/todos/changes?limit=5" })).nextCursor;
      const before = JSON.stringify(await api().tableItems());
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
      for (const [name, use] of Object.entries(uses)) {
        const otherRoutes = [...(name !== "list" ? [aliceList] : []), ...(name !== "changes" ? [aliceChanges] : [])];
        for (const bad of [
          bobList,
          bobChanges,
          ...otherRoutes,
          flip(aliceList, 10),
          flip(aliceChanges, 12),
          `${aliceChanges}A`,
          "garbage",
        ]) {
          const res = await send("alice", use("alice", bad));
          expect(res.status, `${name} with ${bad.slice(0, 20)}…: ${JSON.stringify(res.body)}`).to.equal(400);
          expect(errorCode(res)).to.be.a("string");
          expect(JSON.stringify(res.body)).not.to.contain("bob ");
        }
      }
      expect(JSON.stringify(await api().tableItems())).to.equal(before);
      expect(todos).to.have.length(120);
    });

    it("answers 400 to a mark-all cursor sent with the other value of completed", async function () {
      const cursor = sealCursor(api().userId("alice"), "markAllTodos", { c: true, a: todos[10].id });
      const res = await send("alice", { method: "POST", path: "/api/todos/mark-all", body: { completed: false, cursor } });
      expect(res.status).to.equal(400);
      expect(errorCode(res)).to.equal("invalid_cursor");
      const genuine = await send("alice", { method: "POST", path: "/api/todos/mark-all", body: { completed: true, cursor } });
      expect(genuine.status).to.equal(200);
    });

    it("answers 410 sync_expired to a changes cursor older than 30 days, and follows one of 29", async function () {
      const cursorAged = (days: number) =>
        sealCursor(api().userId("alice"), "listChanges", syncPositionToJson({ since: new Date(Date.now() - days * DAY_MS).toISOString() }));
      const expired = await send("alice", { method: "GET", path: `/api/todos/changes?cursor=${encodeURIComponent(cursorAged(31))}` });
      expect(expired.status).to.equal(410);
      expect(errorCode(expired)).to.equal("sync_expired");
      expect(JSON.stringify(expired.body)).to.match(/sync again without a cursor/);
      const fresh = await send("alice", { method: "GET", path: `/api/todos/changes?cursor=${encodeURIComponent(cursorAged(29))}` });
      expect(fresh.status).to.equal(200);
    });

    it("answers 400 to bad whole-list input, and 401 without a user", async function () {
      const bad: ApiRequest[] = [
        { method: "POST", path: "/api/todos/mark-all", body: {} },
        { method: "POST", path: "/api/todos/mark-all", body: { completed: "yes" } },
        { method: "POST", path: "/api/todos/mark-all", body: { completed: true, extra: 1 } },
        { method: "POST", path: "/api/todos/clear-completed", body: { cursor: 5 } },
        { method: "POST", path: "/api/todos/clear-completed", body: { all: true } },
        { method: "GET", path: "/api/todos/changes?limit=501" },
        { method: "GET", path: "/api/todos/changes?limit=0" },
        { method: "GET", path: "/api/todos/changes?since=2020" },
        { method: "GET", path: "/api/todos/export?format=xml" },
        { method: "GET", path: "/api/todos/summary?status=active" },
        { method: "DELETE", path: "/api/todos?all=1" },
      ];
      for (const request of bad) {
        const res = await send("alice", request);
        expect(res.status, `${request.method} ${request.path}: ${JSON.stringify(res.body)}`).to.equal(400);
      }
      for (const request of [
        { method: "GET", path: "/api/todos/summary" },
        { method: "POST", path: "/api/todos/mark-all", body: { completed: true } },
        { method: "GET", path: "/api/todos/changes" },
        { method: "GET", path: "/api/todos/export" },
        { method: "DELETE", path: "/api/todos" },
      ]) {
        const res = await send(null, request);
        expect(res.status, `${request.method} ${request.path}`).to.equal(401);
      }
      expect(await summary("alice")).to.include({ total: 120 });
    });
  });

  describe("whole-list races", function () {
    afterEach(() => api().setTimeBudget?.(undefined));

    it("mark-all with 20 concurrent writers: no lost title, no resurrected to-do, one version per change", async function () {
      const todos = await seedAlice(400, () => false);
      api().setTimeBudget?.(0); // more calls, so the writers interleave with every stage
      const patches = new Map<string, number>(); // id -> successful PATCHes
      const titles = new Map<string, { version: number; title: string }>();
      const deleted = new Set<string>();
      let running = true;
      const writer = async (w: number) => {
        for (let i = 0; running || i < 3; i++) {
          const todo = todos[(w * 37 + i * 11) % todos.length];
          if (i % 7 === 6) {
            const res = await send("alice", { method: "DELETE", path: `/api/todos/${todo.id}` });
            if (res.status === 204) deleted.add(todo.id);
            continue;
          }
          const res = await send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, body: { title: `w${w} ${i}` } });
          if (res.status !== 200) {
            expect(res.status).to.equal(404);
            continue;
          }
          patches.set(todo.id, (patches.get(todo.id) ?? 0) + 1);
          const held = titles.get(todo.id);
          const patched = res.body as Todo;
          if (!held || held.version < patched.version) titles.set(todo.id, { version: patched.version, title: patched.title });
        }
      };
      const writers = Array.from({ length: 20 }, (_, w) => writer(w));
      const marked = await markAll("alice", true);
      running = false;
      await Promise.all(writers);
      const items = new Map((await aliceItems()).map((item) => [item[TABLE_KEY.sort] as string, item]));
      let markChanges = 0;
      for (const todo of todos) {
        const item = items.get(todo.id) as Record<string, unknown>;
        if (deleted.has(todo.id)) {
          expect(item, "a deleted to-do came back").to.not.have.property("title");
          expect(item.deleted).to.equal(true);
          continue;
        }
        expect(item.deleted).to.equal(undefined);
        const p = patches.get(todo.id) ?? 0;
        if (p > 0) expect(item.title, "a newer title was overwritten").to.equal(titles.get(todo.id)?.title);
        // Every to-do still there was marked, once: one version for mark-all, one per PATCH.
        expect(item.completed).to.equal(true);
        expect(item.version, `version of ${todo.id}`).to.equal(1 + p + 1);
        markChanges += 1;
      }
      // A deleted one was marked before its deletion or not at all: its tombstone's version says which.
      for (const id of deleted) {
        const extra = (items.get(id)?.version as number) - 2 - (patches.get(id) ?? 0);
        expect(extra, `version of deleted ${id}`).to.be.oneOf([0, 1]);
        markChanges += extra;
      }
      expect(marked.total).to.equal(markChanges);
      const s = await summary("alice");
      expect(s.total).to.equal(400 - deleted.size);
    });

    it("a sync reader between 20 racing writers misses nothing and, after de-duplication by version, doubles nothing", async function () {
      const todos = await seedAlice(100);
      const local = new Map<string, Change>();
      let cursor: string | null = null;
      let running = true;
      const writer = async (w: number) => {
        const mine: string[] = [];
        for (let i = 0; i < 12; i++) {
          if (i % 4 === 0) {
            const res = await send("alice", { method: "POST", path: "/api/todos", body: { title: `new ${w}.${i}` } });
            mine.push((res.body as Todo).id);
          } else if (i % 4 === 3 && mine.length > 0) {
            await send("alice", { method: "DELETE", path: `/api/todos/${mine.shift()}` });
          } else {
            const todo = todos[(w * 5 + i) % todos.length];
            await send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, body: { completed: i % 2 === 0, title: `w${w}.${i}` } });
          }
        }
      };
      const reader = async () => {
        for (let rounds = 0; running || rounds < 1; rounds++) {
          const pass = await sync("alice", cursor, 25);
          merge(local, pass.changes);
          cursor = pass.cursor;
        }
      };
      const readerDone = reader();
      await Promise.all(Array.from({ length: 20 }, (_, w) => writer(w)));
      running = false;
      await readerDone;
      merge(local, (await sync("alice", cursor)).changes);
      const server = (await exportJson("alice")).todos;
      expect(live(local).sort((a, b) => (a.id < b.id ? -1 : 1))).to.deep.equal(server.sort((a, b) => (a.id < b.id ? -1 : 1)));
    });

    it("clear-completed keeps a to-do reopened while it runs", async function () {
      const todos = await seedAlice(400, () => true);
      api().setTimeBudget?.(0);
      // Reopen to-dos from the end of the key order: clear-completed walks the list from the start.
      const targets = todos.slice(-40);
      const reopening = Promise.all(
        targets.map((todo) => send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, body: { completed: false } })),
      );
      const cleared = await clearCompleted("alice");
      const reopened = (await reopening).filter((r) => r.status === 200).map((r) => r.body as Todo);
      for (const r of await reopening) expect(r.status).to.be.oneOf([200, 404]);
      const remaining = (await exportJson("alice")).todos;
      expect(remaining.map((t) => t.id).sort()).to.deep.equal(reopened.map((t) => t.id).sort());
      for (const t of remaining) expect(t.completed).to.equal(false);
      expect(cleared.total + reopened.length).to.equal(400);
    });

    it("export during deletes returns whole to-dos only, each once, the deleted ones present or absent", async function () {
      const todos = await seedAlice(600);
      const victims = todos.filter((_, i) => i % 30 === 0);
      const [file, ...deletes] = await Promise.all([
        exportJson("alice"),
        ...victims.map((t) => send("alice", { method: "DELETE", path: `/api/todos/${t.id}` })),
      ]);
      for (const res of deletes) expect(res.status).to.equal(204);
      const ids = (file as { todos: Todo[] }).todos.map((t) => t.id);
      expect(new Set(ids).size).to.equal(ids.length);
      const victimIds = new Set(victims.map((t) => t.id));
      const survivors = todos.filter((t) => !victimIds.has(t.id));
      expect(ids).to.include.members(survivors.map((t) => t.id));
      const byId = new Map(todos.map((t) => [t.id, t]));
      for (const todo of (file as { todos: Todo[] }).todos) expect(todo).to.deep.equal(byId.get(todo.id));
      expect((await exportJson("alice")).todos).to.have.length(survivors.length);
    });
  });

  if (options.bigSize !== undefined) {
    const big = options.bigSize;
    it(`every whole-list capability is exact at ${big} to-dos`, async function () {
      this.timeout(600_000);
      const todos = await seedAlice(big);
      const c = completedCount(todos);
      expect(await summary("alice")).to.deep.equal({ total: big, active: big - c, completed: c });
      const firstCompleted = ok<Page>(await send("alice", { method: "GET", path: "/api/todos?status=completed&limit=100" }));
      expect(firstCompleted.items).to.have.length(100);
      const full = await sync("alice", null, 500);
      expect(full.changes).to.have.length(big + 3);
      const changed: Todo[] = [];
      for (const todo of todos.slice(-10))
        changed.push(
          ok<Todo>(await send("alice", { method: "PATCH", path: `/api/todos/${todo.id}`, body: { completed: !todo.completed } })),
        );
      const delta = await sync("alice", full.cursor);
      expect(delta.changes).to.have.deep.members(changed);
      expect((await exportJson("alice")).todos).to.have.length(big);
      const csv = await send("alice", { method: "GET", path: "/api/todos/export?format=csv" });
      expect((csv.body as string).split("\r\n")).to.have.length(big + 2);
      const nowCompleted = c + changed.filter((t) => t.completed).length - changed.filter((t) => !t.completed).length;
      expect((await markAll("alice", true)).total).to.equal(big - nowCompleted);
      expect((await clearCompleted("alice")).total).to.equal(big);
      expect(await summary("alice")).to.deep.equal({ total: 0, active: 0, completed: 0 });
      expect((await deleteAll("alice")).total).to.equal(0);
      expect(await aliceItems()).to.deep.equal([]);
    });
  }
}
