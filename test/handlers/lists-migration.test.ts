/**
 * The migration to lists (issue 17): a person's to-dos from before lists, seeded the old way
 * straight into their partition, become their first list in place (adoptFirstList, run by their
 * first GET /api/lists). Checked at 0, 1 and 10,000 to-dos: run twice, and interrupted after
 * every possible number of writes and run again: every to-do in the first list, none lost, none
 * copied, the feed still exact.
 */
import { expect } from "chai";
import type { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { adoptFirstList } from "../../handlers/store-lists";
import {
  CHANGES_INDEX,
  changeKeyOf,
  IDEMPOTENCY_PREFIX,
  LIST_META_KEY,
  MEMBER_PREFIX,
  TABLE_KEY,
  userPartition,
} from "../../handlers/table";
import { seedTodos, toItem } from "../contract/whole-list.contract";
import { startInProcessDriver, type InProcessDriver } from "./in-process-driver";
import type { Todo } from "../../handlers/todos";

type Page = { items: Todo[]; nextCursor: string | null };

/** The document client, failing every write after the first `writes` (a crash mid-migration). */
function failingAfter(doc: DynamoDBDocument, writes: number): DynamoDBDocument {
  let left = writes;
  return new Proxy(doc, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (!["put", "update", "delete", "batchWrite"].includes(String(prop))) return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        if (left-- <= 0) return Promise.reject(new Error("interrupted"));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("migration to lists: the first list adopts the to-dos from before lists (adoptFirstList)", function () {
  this.timeout(120_000);
  let api: InProcessDriver;
  before(async () => {
    api = await startInProcessDriver();
  });
  after(async () => api?.close());

  const alice = () => api.userId("alice");
  const caller = () => ({ sub: alice(), email: api.email("alice") });

  async function seedOld(n: number): Promise<Todo[]> {
    await api.reset();
    const todos = seedTodos(n);
    const past = new Date(Date.now() - 600_000).toISOString();
    const stone = seedTodos(1, { prefix: "gone" })[0];
    await api.seed("alice", [
      ...todos.map(toItem),
      { [TABLE_KEY.sort]: stone.id, deleted: true, version: 2, updatedAt: past, [CHANGES_INDEX.sort]: changeKeyOf(past, stone.id) },
      { [TABLE_KEY.sort]: `${IDEMPOTENCY_PREFIX}old`, state: "done", requestHash: "x" },
    ]);
    return todos;
  }

  async function everyPage(path: string): Promise<Todo[]> {
    const items: Todo[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const res = await api.send("alice", {
        method: "GET",
        path: `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const page = res.body as Page;
      items.push(...page.items);
      if (page.nextCursor === null) return items;
      cursor = page.nextCursor;
    }
    throw new Error("no end");
  }

  /** The first list holds exactly `todos` (by the list routes, the old routes and the old feed), and its meta counts them. */
  async function expectAdopted(todos: Todo[]): Promise<void> {
    const items = await api.tableItems();
    const mine = items.filter((i) => i[TABLE_KEY.partition] === alice());
    const meta = mine.filter((i) => i[TABLE_KEY.sort] === LIST_META_KEY);
    expect(meta).to.have.length(1);
    expect(meta[0]).to.include({ name: "To-dos", ownerId: alice(), todoCount: todos.length, memberCount: 1 });
    expect(mine.filter((i) => String(i[TABLE_KEY.sort]).startsWith(MEMBER_PREFIX)).map((i) => i.role)).to.deep.equal(["owner"]);
    expect(items.filter((i) => i[TABLE_KEY.partition] === userPartition(alice())).map((i) => i[TABLE_KEY.sort])).to.deep.equal([
      `list#${alice()}`,
    ]);
    // Nothing copied: the to-dos are the very items seeded, still in the partition `<sub>`.
    expect(mine.filter((i) => /^[0-9A-Z]{26}$/.test(String(i[TABLE_KEY.sort])) && i.deleted !== true)).to.have.length(todos.length);
    const expected = todos.map((t) => t.id).sort();
    const listed = await everyPage(`/api/lists/${alice()}/todos`);
    expect(listed.map((t) => t.id).sort()).to.deep.equal(expected);
    expect((await everyPage("/api/todos")).map((t) => t.id).sort()).to.deep.equal(expected);
    const summary = await api.send("alice", { method: "GET", path: `/api/lists/${alice()}/todos/summary` });
    expect(summary.body).to.deep.equal({
      total: todos.length,
      active: todos.filter((t) => !t.completed).length,
      completed: todos.filter((t) => t.completed).length,
    });
    // The old feed: every to-do and the tombstone, and nothing of the list's own items.
    const feed: { id: string }[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const res = await api.send("alice", {
        method: "GET",
        path: `/api/todos/changes?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      });
      expect(res.status).to.equal(200);
      feed.push(...(res.body.items as { id: string }[]));
      cursor = res.body.nextCursor as string;
      if (!res.body.hasMore) break;
    }
    expect(feed).to.have.length(todos.length + 1);
    expect(
      feed
        .filter((c) => !(c as { deleted?: boolean }).deleted)
        .map((c) => c.id)
        .sort(),
    ).to.deep.equal(expected);
  }

  for (const n of [0, 1, 10_000]) {
    it(`adopts ${n} to-dos on the first GET /api/lists, and again changes nothing`, async function () {
      const todos = await seedOld(n);
      const first = await api.send("alice", { method: "GET", path: "/api/lists" });
      expect(first.status).to.equal(200);
      expect(first.body.items.map((l: { id: string; role: string }) => [l.id, l.role])).to.deep.equal([[alice(), "owner"]]);
      await expectAdopted(todos);
      const before = JSON.stringify(await api.tableItems());
      await adoptFirstList({ doc: api.doc, name: api.tableName }, caller(), new Date().toISOString());
      expect((await api.send("alice", { method: "GET", path: "/api/lists" })).body).to.deep.equal(first.body);
      expect(JSON.stringify(await api.tableItems())).to.equal(before);
    });
  }

  for (const n of [1, 10_000]) {
    it(`finishes an adoption of ${n} to-dos interrupted after any number of writes when run again`, async function () {
      for (const writes of [0, 1, 2]) {
        const todos = await seedOld(n);
        const broken = { doc: failingAfter(api.doc, writes), name: api.tableName };
        let failed = false;
        await adoptFirstList(broken, caller(), new Date().toISOString()).catch((err: Error) => {
          failed = err.message === "interrupted";
        });
        expect(failed, `interrupted after ${writes} writes`).to.equal(true);
        await adoptFirstList({ doc: api.doc, name: api.tableName }, caller(), new Date().toISOString());
        await expectAdopted(todos);
      }
    });
  }

  for (const n of [0, 10_000]) {
    it(`adopts ${n} to-dos on a first GET /api/changes too, whose feed then carries every one of them exactly once`, async function () {
      const todos = await seedOld(n);
      const items: { type: string; id: string; listId?: string; deleted?: boolean }[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const res = await api.send("alice", {
          method: "GET",
          path: `/api/changes?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        items.push(...res.body.items);
        cursor = res.body.nextCursor as string;
        if (!res.body.hasMore) break;
      }
      const live = items.filter((i) => i.type === "todo" && !i.deleted);
      expect(live.map((i) => i.id).sort()).to.deep.equal(todos.map((t) => t.id).sort());
      expect(new Set(live.map((i) => i.listId))).to.deep.equal(new Set(n === 0 ? [] : [alice()]));
      expect(items.filter((i) => i.type === "todo" && i.deleted)).to.have.length(1);
      expect(items.filter((i) => i.type === "list").map((i) => i.id)).to.deep.equal([alice()]);
      expect(items.filter((i) => i.type === "member").map((i) => i.id)).to.deep.equal([alice()]);
      await expectAdopted(todos);
    });
  }
});
