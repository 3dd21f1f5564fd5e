import { expect } from "chai";
import { memoryStore } from "../../site/src/db";
import { createEngine, type EngineHooks } from "../../site/src/engine";
import { applyTx, emptySnapshot, keyOf, project, type Intent, type Renamed, type Snapshot, type Todo } from "../../site/src/replica";
import { mergeChanges } from "../../site/src/pull";
import { rebase } from "../../site/src/send";
import { saveIntent } from "../../site/src/edits";
import * as m from "../../site/src/model";
import { FakeServer, ME, offline, serverError } from "./fake-server";

const FAST = { firstMs: 5, maxMs: 20 };
const fields = (t: Todo) => ({ title: t.title, completed: t.completed, dueDate: t.dueDate });

/** An engine on a fake server, leading (as the one tab that sends), with its hooks recorded. */
function setup(server = new FakeServer(), store = memoryStore()) {
  const seen = { refused: [] as Intent[], trouble: [] as unknown[], signedOut: 0, accountDeleted: 0, changes: 0, renamed: [] as Renamed[] };
  const hooks: EngineHooks = {
    changed: (_s, _local, renamed) => {
      seen.changes++;
      if (renamed) seen.renamed.push(renamed);
    },
    refused: (i) => void seen.refused.push(i),
    trouble: (e) => void seen.trouble.push(e),
    signedOut: (accountDeleted) => void (accountDeleted ? seen.accountDeleted++ : seen.signedOut++),
  };
  const engine = createEngine(server, store, hooks, ME, FAST);
  return { server, store, engine, seen };
}

/** Waits until the queue is empty and no pull is due (the engine is idle). */
async function idle(engine: { snapshot: Snapshot }, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (engine.snapshot.queue.length || !engine.snapshot.synced) {
    if (Date.now() > end) throw new Error(`not idle: ${JSON.stringify(engine.snapshot.queue)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20));
}

const create = (title: string, key = title): Intent => ({
  kind: "create",
  listId: ME,
  id: `local-${key}`,
  key,
  title,
  dueDate: null,
  completed: false,
  createdAt: new Date().toISOString(),
});
const update = (t: Todo, changes: Intent & { kind: "update" } extends { changes: infer C } ? C : never): Intent => ({
  kind: "update",
  listId: ME,
  id: t.id,
  base: t.version,
  changes,
  was: fields(t),
});

describe("sync engine", () => {
  it("sends the queue in order, each intent once, edits of an unsent to-do after its creation", async () => {
    const { server, engine } = setup();
    const milk = server.seed({ title: "milk" });
    await engine.reload();
    await engine.enqueue(create("eggs"), {
      kind: "update",
      listId: ME,
      id: "local-eggs",
      base: 0,
      changes: { completed: true },
      was: { title: "eggs", completed: false, dueDate: null },
    });
    await engine.enqueue({ kind: "delete", listId: ME, id: milk.id, base: 1, was: fields(milk) });
    engine.lead(true);
    await idle(engine);
    const eggs = server.todos.find((t) => t.title === "eggs")!;
    expect(server.calls.filter((c) => !c.startsWith("changes") && c !== "lists")).to.deep.equal([
      "create eggs",
      `update ${eggs.id} {"completed":true}`,
      `remove ${milk.id}`,
    ]);
    expect(server.todos.map(fields)).to.deep.equal([{ title: "eggs", completed: true, dueDate: null }]);
    expect([...engine.snapshot.todos.values()].map((t) => t.id)).to.deep.equal([eggs.id]);
  });

  it("says which real id a to-do made here got (the screen keeps its row and open editor under it)", async () => {
    const { server, engine, seen } = setup();
    await engine.reload();
    await engine.enqueue(create("ferns"));
    engine.lead(true);
    await idle(engine);
    const made = server.todos.find((t) => t.title === "ferns")!;
    expect(seen.renamed).to.deep.equal([{ listId: ME, from: "local-ferns", to: made.id }]);
  });

  it("on a device that has never synced, pulls (GET /api/lists makes the first list exist) before it sends", async () => {
    const { server, engine } = setup();
    await engine.reload();
    await engine.enqueue(create("first"));
    engine.lead(true);
    await idle(engine);
    expect(server.calls.indexOf("lists")).to.be.within(0, server.calls.indexOf("create first"));
    expect(server.todos.map((t) => t.title)).to.deep.equal(["first"]);
  });

  it("writes a to-do typed while the copy of another person is being wiped after that wipe, never into it", async () => {
    // The device still holds someone else's copy; the new person types before start has wiped it.
    const store = memoryStore({ ...emptySnapshot, user: "someone-else" });
    const { server, engine } = setup(new FakeServer(), store);
    let wiped = false;
    const started = engine.reload(async () => {
      await new Promise((r) => setTimeout(r, 30)); // a slow IndexedDB: the add lands meanwhile
      await store.wipe();
      await store.commit({ user: ME });
      wiped = true;
    });
    const added = engine.enqueue(create("typed at once"));
    expect(engine.shown.queue.map((q) => q.intent.kind)).to.deep.equal(["create"]); // shown at once
    await Promise.all([started, added]);
    expect(wiped).to.equal(true);
    expect(store.data.queue.map((q) => q.intent.kind)).to.deep.equal(["create"]);
    engine.lead(true);
    await idle(engine);
    expect(server.todos.map((t) => t.title)).to.deep.equal(["typed at once"]);
  });

  it("retries with backoff after offline and 500, reusing the Idempotency-Key: one to-do", async () => {
    const { server, engine, seen } = setup();
    await engine.reload();
    engine.lead(true);
    await idle(engine); // synced: from here on a change is sent before any pull
    server.failures = [offline(), serverError(), offline()];
    await engine.enqueue(create("tax"));
    await idle(engine);
    expect(server.todos.map((t) => t.title)).to.deep.equal(["tax"]);
    expect(server.calls.filter((c) => c === "create tax").length).to.be.greaterThan(1);
    expect(seen.trouble.at(-1)).to.equal(null);
    expect(seen.trouble.length).to.be.greaterThan(1);
  });

  it("keeps an intent queued (durably) while offline, and sends it once back", async () => {
    const store = memoryStore();
    const first = setup(new FakeServer(), store);
    first.server.failures = Array.from({ length: 1000 }, offline);
    await first.engine.reload();
    first.engine.lead(true);
    await first.engine.enqueue(create("offline"));
    await new Promise((r) => setTimeout(r, 50));
    first.engine.stop();
    expect(store.data.queue.map((q) => q.intent.kind)).to.deep.equal(["create"]);
    // A reload: a new engine on the same device copy.
    const second = setup(first.server, store);
    first.server.failures = [];
    await second.engine.reload();
    second.engine.lead(true);
    await idle(second.engine);
    expect(first.server.todos.map((t) => t.title)).to.deep.equal(["offline"]);
  });

  it("does not send or pull unless leading", async () => {
    const { server, engine } = setup();
    await engine.reload();
    await engine.enqueue(create("quiet"));
    await new Promise((r) => setTimeout(r, 30));
    expect(server.calls).to.deep.equal([]);
  });

  it("pulls changes since its cursor: new versions, tombstones, nothing twice", async () => {
    const { server, engine } = setup();
    const [a, b] = [server.seed({ title: "a" }), server.seed({ title: "b" })];
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    server.elsewhere(a.id, { title: "A" });
    server.elsewhere(b.id, "delete");
    server.seed({ title: "c" });
    engine.pull();
    await idle(engine);
    expect(project(engine.snapshot.todos, []).map((t) => t.title)).to.deep.equal(["c", "A"]);
    const pulls = server.calls.filter((c) => c.startsWith("changes"));
    expect(pulls).to.have.length(2);
    expect(pulls[1]).to.match(/^changes c\d+$/);
  });

  it("answers 410 sync_expired with a full resync, keeping the queue", async () => {
    const { server, engine } = setup();
    const a = server.seed({ title: "a" });
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    server.expired.add(engine.snapshot.cursor!);
    server.elsewhere(a.id, "delete");
    server.seed({ title: "b" });
    server.failures = [offline()]; // keep the queued create for after the resync
    await engine.enqueue(create("mine"));
    engine.pull();
    await idle(engine);
    // The first sync, then the expired cursor's 410, then a second full sync.
    expect(server.calls.filter((c) => c === "changes null")).to.have.length(2);
    expect(project(engine.snapshot.todos, engine.snapshot.queue).map((t) => t.title)).to.deep.equal(["mine", "b"]);
  });

  it("merges a 412 on different fields, and keeps a Conflict when the same field changed on both", async () => {
    const { server, engine } = setup();
    const [a, b] = [server.seed({ title: "a" }), server.seed({ title: "b" })];
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    server.elsewhere(a.id, { title: "a (theirs)" });
    server.elsewhere(b.id, { title: "b (theirs)" });
    await engine.enqueue(update(a, { completed: true }), update(b, { title: "b (mine)" }));
    await idle(engine);
    expect(server.todos.map(fields)).to.deep.equal([
      { title: "a (theirs)", completed: true, dueDate: null },
      { title: "b (theirs)", completed: false, dueDate: null },
    ]);
    const [conflict] = engine.snapshot.conflicts;
    expect(conflict).to.include({ todoId: b.id, deleted: false });
    expect(conflict.seen.title).to.equal("b (mine)");
    expect(conflict.theirs?.title).to.equal("b (theirs)");
    // The person keeps theirs: nothing is sent; or keeps mine: sent on their version.
    await engine.resolve(conflict.id, {
      kind: "update",
      listId: ME,
      id: b.id,
      base: conflict.theirs!.version,
      changes: conflict.mine,
      was: fields(conflict.theirs!),
    });
    await idle(engine);
    expect(server.todos[1].title).to.equal("b (mine)");
    expect(engine.snapshot.conflicts).to.deep.equal([]);
  });

  it("saves an editor's text to its to-do moved to another list elsewhere while it was open (the 412 rules, then there)", async () => {
    const { server, engine } = setup();
    server.listRows.set("L9", { ...server.listRows.get(ME)!, id: "L9", name: "Work" });
    const [a, b] = [server.seed({ title: "a" }), server.seed({ title: "b" })];
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    const open = (id: string) => m.withEditing(m.fromSnapshot(engine.snapshot, m.initialState, ME, ME), id);
    const [editingA, editingB] = [open(a.id), open(b.id)];
    server.moveElsewhere(a.id, "L9");
    server.moveElsewhere(b.id, "L9");
    server.elsewhere(b.id, { title: "b (theirs)" });
    engine.pull();
    await idle(engine);

    // Not "deleted": moved to Work, its row kept where it was, with what was typed.
    const movedA = m.fromSnapshot(engine.snapshot, editingA, ME);
    expect(movedA.items).to.deep.equal([]);
    expect(m.editedGone(movedA)).to.equal(false);
    expect(m.movedTo(movedA)?.name).to.equal("Work");
    expect(m.shown(movedA).map((t) => t.id)).to.deep.equal([a.id]);
    const intentA = saveIntent(movedA.opened!, movedA.moved!, "a, edited", undefined)!;
    expect(intentA).to.deep.include({ kind: "update", listId: "L9", id: a.id, base: 1, changes: { title: "a, edited" } });
    // Moved and retitled there: saving meets the conflict rules, as for any change underneath.
    const movedB = m.fromSnapshot(engine.snapshot, editingB, ME);
    expect(m.movedTo(movedB)?.name).to.equal("Work");
    const intentB = saveIntent(movedB.opened!, movedB.moved!, "b (mine)", undefined)!;
    await engine.enqueue(intentA, intentB);
    await idle(engine);

    expect(server.todos.map((t) => [t.listId, t.title])).to.deep.equal([
      ["L9", "a, edited"],
      ["L9", "b (theirs)"],
    ]);
    expect(server.calls).to.include(`get ${a.id}`); // the 412 on the version it opened, then sent on the moved one
    expect(engine.snapshot.conflicts.map((c) => [c.listId, c.todoId, c.seen.title, c.theirs?.title])).to.deep.equal([
      ["L9", b.id, "b (mine)", "b (theirs)"],
    ]);
  });

  it("keeps an edit of a to-do deleted elsewhere as a Conflict (nothing lost unseen)", async () => {
    const { server, engine } = setup();
    const a = server.seed({ title: "a" });
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    server.elsewhere(a.id, "delete");
    await engine.enqueue(update(a, { title: "a, edited" }));
    await idle(engine);
    expect(engine.snapshot.conflicts).to.have.length(1);
    expect(engine.snapshot.conflicts[0]).to.deep.include({ theirs: null, seen: { title: "a, edited", completed: false, dueDate: null } });
  });

  it("marks all in as many requests as the server needs, resuming from the cursor; edits after it still apply", async () => {
    const { server, engine } = setup();
    server.bulkPage = 50;
    for (let n = 0; n < 130; n++) server.seed({ title: `t${n}` });
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    const first = engine.snapshot.todos.get(keyOf(ME, server.todos[0].id))!;
    await engine.enqueue({ kind: "markAll", listId: ME, completed: true }, update({ ...first, completed: true }, { completed: false }));
    expect(project(engine.snapshot.todos, engine.snapshot.queue).filter((t) => t.completed)).to.have.length(129);
    await idle(engine);
    expect(server.calls.filter((c) => c.startsWith("markAll"))).to.have.length(3);
    expect(server.todos.filter((t) => t.completed)).to.have.length(129);
    expect(engine.snapshot.conflicts).to.deep.equal([]);
  });

  it("drops an intent that names no list or no to-do instead of failing on a timer", async () => {
    const { server, engine } = setup();
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (e: unknown) => void errors.push(e);
    try {
      await engine.enqueue({
        kind: "update",
        id: "x",
        base: 1,
        changes: { completed: true },
        was: fields(server.seed({ title: "x" })),
      } as unknown as Intent);
      await engine.enqueue({ kind: "clearCompleted" } as unknown as Intent);
      await idle(engine);
    } finally {
      console.error = log;
    }
    expect(errors).to.deep.equal([]);
    expect(server.calls.filter((c) => !c.startsWith("changes") && c !== "lists")).to.deep.equal([]);
  });

  it("reports a change the server refuses for good (400) and drops it; the session's end signs out", async () => {
    const { server, engine, seen } = setup();
    await engine.reload();
    engine.lead(true);
    await idle(engine);
    const { ApiError } = await import("../../site/src/api");
    const { AuthError } = await import("../../site/src/auth");
    server.failures = [new ApiError(400, "validation_failed", "Too long.")];
    await engine.enqueue(create("x"));
    await idle(engine);
    expect(seen.refused.map((i) => i.kind)).to.deep.equal(["create"]);
    server.failures = [new AuthError("NotAuthorizedException", "Refresh token revoked")];
    await engine.enqueue(create("y"));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen.signedOut).to.equal(1);
  });

  it("signs out, saying the account was deleted, when a write or a pull answers 410 account_deleted", async () => {
    const { ApiError } = await import("../../site/src/api");
    for (const pullFirst of [false, true]) {
      const { server, engine, seen } = setup();
      await engine.reload();
      engine.lead(true);
      await idle(engine);
      server.failures = [new ApiError(410, "account_deleted", "This account was deleted.")];
      if (pullFirst) engine.pull();
      else await engine.enqueue(create("written after the deletion"));
      await new Promise((r) => setTimeout(r, 30));
      expect([seen.accountDeleted, seen.signedOut, seen.refused.length], pullFirst ? "pull" : "write").to.deep.equal([1, 0, 0]);
    }
  });
});

describe("device copy (pure)", () => {
  const t = (id: string, version: number, title = id): Todo => ({
    id,
    listId: ME,
    title,
    completed: false,
    dueDate: null,
    createdAt: `2026-01-01T00:00:0${id.length}.000Z`,
    updatedAt: "",
    version,
  });

  it("de-duplicates by version: the higher one wins, whatever the order", () => {
    const have = new Map([[keyOf(ME, "a"), t("a", 3, "three")]]);
    const { put, del } = mergeChanges(have, [
      t("a", 2, "two"),
      t("a", 5, "five"),
      t("a", 4, "four"),
      { id: "a", listId: ME, deleted: true, version: 1, updatedAt: "" },
    ]);
    expect(put.map((x) => x.title)).to.deep.equal(["five"]);
    expect(del).to.deep.equal([]);
    expect(mergeChanges(have, [{ id: "a", listId: ME, deleted: true, version: 4, updatedAt: "" }]).del).to.deep.equal([keyOf(ME, "a")]);
  });

  it("shows the server's copy with every queued intent on top", () => {
    const s = applyTx(emptySnapshot, { put: [t("a", 1), t("bb", 1)] });
    const q = applyTx(s, {
      enqueue: [
        { seq: 1, intent: { kind: "markAll", listId: ME, completed: true } },
        { seq: 2, intent: { kind: "update", listId: ME, id: "a", base: 1, changes: { completed: false }, was: fields(t("a", 1)) } },
        { seq: 3, intent: { kind: "clearCompleted", listId: ME } },
      ],
    });
    expect(project(q.todos, q.queue).map((x) => [x.id, x.completed, x.unsaved])).to.deep.equal([["a", false, true]]);
  });

  it("rebases field by field: theirs untouched -> mine; same value -> nothing; both changed -> clash", () => {
    const was = { title: "a", completed: false, dueDate: null };
    const theirs = { ...t("a", 2), title: "A" };
    expect(rebase({ completed: true }, was, theirs)).to.deep.equal({ send: { completed: true }, clash: false });
    expect(rebase({ title: "A" }, was, theirs)).to.deep.equal({ send: {}, clash: false });
    expect(rebase({ title: "b" }, was, theirs).clash).to.equal(true);
  });
});

describe("sync engine: undo (held intents)", () => {
  const del = (t: Todo, holdUntil?: number): Intent => ({
    kind: "delete",
    listId: ME,
    id: t.id,
    base: t.version,
    was: fields(t),
    holdUntil,
  });
  const sent = (server: FakeServer) => server.calls.filter((c) => !c.startsWith("changes") && c !== "lists");
  const shownTitles = (engine: { shown: Snapshot }) => project(engine.shown.todos, engine.shown.queue).map((t) => t.title);

  it("sends a held delete only when its hold ends, and pulls meanwhile", async () => {
    const { server, engine } = setup();
    const milk = server.seed({ title: "milk" });
    engine.lead(true);
    await idle(engine);
    await engine.enqueue(del(engine.snapshot.todos.get(keyOf(ME, milk.id))!, Date.now() + 150));
    engine.pull();
    await new Promise((r) => setTimeout(r, 60));
    expect(sent(server)).to.deep.equal([]);
    expect(server.calls.filter((c) => c.startsWith("changes")).length).to.be.greaterThan(1); // pulled while held
    expect(shownTitles(engine)).to.deep.equal([]); // shown deleted at once
    await idle(engine);
    expect(sent(server)).to.deep.equal([`remove ${milk.id}`]);
    expect(server.todos.map((t) => t.title)).to.deep.equal([]);
  });

  it("withdraws a held delete: nothing is sent, the to-do shows again exactly as it was", async () => {
    const { server, engine } = setup();
    const milk = server.seed({ title: "milk", dueDate: "2031-01-01" });
    engine.lead(true);
    await idle(engine);
    const before = project(engine.shown.todos, engine.shown.queue);
    const seqs = await engine.enqueue(del(engine.snapshot.todos.get(keyOf(ME, milk.id))!, Date.now() + 5_000));
    expect(shownTitles(engine)).to.deep.equal([]);
    expect(await engine.withdraw(seqs)).to.equal(true);
    expect(project(engine.shown.todos, engine.shown.queue)).to.deep.equal(before);
    await idle(engine);
    expect(sent(server)).to.deep.equal([]);
  });

  it("a change queued behind a held intent ends the hold: both are sent at once, in order, and undo is refused", async () => {
    const { server, engine } = setup();
    const milk = server.seed({ title: "milk" });
    engine.lead(true);
    await idle(engine);
    const seqs = await engine.enqueue(del(engine.snapshot.todos.get(keyOf(ME, milk.id))!, Date.now() + 60_000));
    await engine.enqueue(create("eggs"));
    await idle(engine);
    expect(sent(server)).to.deep.equal([`remove ${milk.id}`, "create eggs"]);
    expect(await engine.withdraw(seqs)).to.equal(false);
  });

  it("refuses to withdraw what is past its hold (less the margin), or not held at all", async () => {
    const { server, engine } = setup();
    const [a, b] = [server.seed({ title: "a" }), server.seed({ title: "b" })];
    await engine.reload(); // not leading: nothing is sent, so only the clock decides
    const late = await engine.enqueue(del(a, Date.now() + 500)); // within HOLD_MARGIN_MS of its end
    expect(await engine.withdraw(late)).to.equal(false);
    const unheld = await engine.enqueue(del(b));
    expect(await engine.withdraw(unheld)).to.equal(false);
    expect(engine.snapshot.queue.map((q) => q.seq)).to.deep.equal([...late, ...unheld]);
  });
});
