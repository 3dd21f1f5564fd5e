/**
 * The projection (replica.ts `project`) keeps each list's order from one change to the next
 * instead of sorting the whole copy again (issue 19, 10,000 to-dos on a phone). Whatever the
 * changes, what it shows must equal the plain definition: the server's copy with every queued
 * intent applied in order, sorted by `byPosition`. Random runs of server changes and intents
 * (equal positions, moves between lists, bulk intents, lists gone) check that.
 */
import { expect } from "chai";
import { topPosition } from "../../handlers/positions";
import * as m from "../../site/src/model";
import { deriveStepwise } from "../../site/src/stepwise";
import {
  applyTx,
  byPosition,
  emptySnapshot,
  keyOf,
  applyQueue,
  CARRY_MAX,
  insertOrdered,
  lineageOf,
  placeOf,
  project,
  steps,
  type Changes,
  type Intent,
  type Item,
  type Snapshot,
  type Todo,
  type Tx,
} from "../../site/src/replica";

/** The plain definition, as project was before it kept orders: copy, apply, sort. */
function reference(todos: ReadonlyMap<string, Todo>, queue: Snapshot["queue"]): Item[] {
  const items = new Map<string, Item>(todos);
  const inList = (listId: string) => [...items.entries()].filter(([, t]) => t.listId === listId);
  for (const { intent: i } of queue) {
    if (i.kind === "create") {
      const { listId, id, title, dueDate, completed, createdAt } = i;
      items.set(keyOf(listId, id), {
        listId,
        id,
        title,
        dueDate,
        completed,
        createdAt,
        updatedAt: createdAt,
        version: 0,
        pending: true,
        unsaved: true,
      });
    } else if (i.kind === "update") {
      const t = items.get(keyOf(i.listId, i.id));
      if (!t) continue;
      const moved = { ...t, ...i.changes, listId: i.changes.listId ?? t.listId, unsaved: true };
      items.delete(keyOf(i.listId, i.id));
      items.set(keyOf(moved.listId, i.id), moved);
    } else if (i.kind === "delete") items.delete(keyOf(i.listId, i.id));
    else if (i.kind === "markAll") {
      for (const [k, t] of inList(i.listId)) if (t.completed !== i.completed) items.set(k, { ...t, completed: i.completed, unsaved: true });
    } else if (i.kind === "clearCompleted") {
      for (const [k, t] of inList(i.listId)) if (t.completed) items.delete(k);
    } else if (i.kind === "deleteList" || (i.kind === "removeMember" && i.leave)) {
      for (const [k] of inList(i.listId)) items.delete(k);
    }
  }
  return [...items.values()].sort(byPosition);
}

/** A small deterministic generator (mulberry32), so a failing run can be repeated by its seed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}

const LISTS = ["A", "B", "C"];
// Few distinct positions, so equal keys (concurrent moves on two devices) happen often.
const POSITIONS = [undefined, "a", "b", "b", "c", topPosition(Date.UTC(2026, 0, 1))];
const fields = (t: Item) => ({ title: t.title, completed: t.completed, dueDate: t.dueDate });
/** A change of a to-do as shown, made on the version shown. */
const update = (t: Item, changes: Changes): Intent => ({
  kind: "update",
  listId: t.listId,
  id: t.id,
  base: t.version,
  changes,
  was: fields(t),
});

function step(r: ReturnType<typeof random>, s: Snapshot, n: number): Tx {
  const shown = project(s.todos, s.queue);
  const some = shown.length ? r.pick(shown) : undefined;
  const server = [...s.todos.values()];
  const held = server.length ? r.pick(server) : undefined;
  const seq = n + 1;
  const todo = (id: string): Todo => ({
    listId: r.pick(LISTS),
    id,
    title: `t${id}`,
    completed: r.int(2) === 0,
    dueDate: null,
    createdAt: new Date(Date.UTC(2026, 0, 1) + r.int(5) * 1000).toISOString(),
    updatedAt: "",
    version: 1,
    ...(r.pick(POSITIONS) !== undefined && { position: r.pick(POSITIONS.filter(Boolean) as string[]) }),
  });
  const enqueue = (intent: Intent): Tx => ({ enqueue: [{ seq, intent }] });
  switch (r.int(12)) {
    case 0:
      return { put: Array.from({ length: 1 + r.int(3) }, () => todo(`s${r.int(40)}`)) };
    case 1:
      return held
        ? { put: [{ ...held, version: held.version + 1, completed: !held.completed, position: r.pick(["a", "b", "c", "d"]) }] }
        : {};
    case 2:
      return held ? { del: [keyOf(held.listId, held.id)] } : {};
    case 3:
      return r.int(4) === 0 ? { delLists: [r.pick(LISTS)] } : { put: Array.from({ length: 70 }, (_, i) => todo(`bulk${n}-${i}`)) };
    case 4:
      return s.queue.length ? { dequeue: [s.queue[0].seq] } : {};
    case 5: {
      const t = todo(`local-${n}`);
      return enqueue({
        kind: "create",
        listId: t.listId,
        id: t.id,
        key: t.id,
        title: t.title,
        dueDate: null,
        completed: false,
        createdAt: t.createdAt,
      });
    }
    case 6:
      return some ? enqueue(update(some, { completed: !some.completed })) : {};
    case 7:
      return some
        ? enqueue(update(some, { position: r.pick(["a", "b", "bb", "c"]), ...(r.int(2) === 0 && { listId: r.pick(LISTS) }) }))
        : {};
    case 8:
      return some ? enqueue({ kind: "delete", listId: some.listId, id: some.id, base: some.version, was: fields(some) }) : {};
    case 9:
      return enqueue(
        r.int(2) === 0
          ? { kind: "markAll", listId: r.pick(LISTS), completed: r.int(2) === 0 }
          : { kind: "clearCompleted", listId: r.pick(LISTS) },
      );
    case 10: {
      // A queued intent rewritten in place (the engine does so when a to-do made here gets its id).
      const q = s.queue.length ? r.pick(s.queue) : undefined;
      const i = q?.intent;
      if (!q || !i || (i.kind !== "create" && i.kind !== "update")) return {};
      // Sometimes about another to-do (as a local id is rewritten to the id the server gave).
      const other = r.int(2) === 0 ? some : undefined;
      const intent: Intent =
        i.kind === "create"
          ? { ...i, title: `${i.title}!` }
          : { ...i, changes: { ...i.changes, completed: r.int(2) === 0 }, ...(other && { listId: other.listId, id: other.id }) };
      return { requeue: [{ seq: q.seq, intent }] };
    }
    default:
      return enqueue({ kind: "deleteList", listId: r.pick(LISTS), name: "x" });
  }
}

describe("site projection (kept orders, derived step by step)", () => {
  // What the page does once the code fetched after the first paint is there (app.ts).
  before(() => deriveStepwise({ applyQueue, insertOrdered, placeOf, keyOf, lineageOf, steps, splitting: m.splitting, CARRY_MAX }));

  it("shows exactly the plain definition after every step of random runs", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const r = random(seed);
      let s = emptySnapshot;
      for (let n = 0; n < 120; n++) {
        s = applyTx(s, step(r, s, n));
        const shown = project(s.todos, s.queue).map((t) => `${t.listId}/${t.id}:${String(t.completed)}:${t.position ?? ""}`);
        const expected = reference(s.todos, s.queue).map((t) => `${t.listId}/${t.id}:${String(t.completed)}:${t.position ?? ""}`);
        expect(shown, `seed ${seed}, step ${n}`).to.deep.equal(expected);
      }
    }
  });

  it("derives most steps from the last result (a few to-dos worked out again), not whole", () => {
    let stepped = 0;
    let changes = 0;
    const derive = steps.project!;
    steps.project = (last, todos, queue) => {
      const items = derive(last, todos, queue);
      if (todos !== last.todos || queue !== last.queue) changes++;
      if (items && items !== last.items) stepped++;
      return items;
    };
    try {
      for (let seed = 1; seed <= 10; seed++) {
        const r = random(seed);
        let s = emptySnapshot;
        for (let n = 0; n < 120; n++) {
          s = applyTx(s, step(r, s, 2 * n));
          const before = project(s.todos, s.queue);
          const shown = project(s.todos, s.queue);
          expect(shown, "nothing changed: the same result").to.equal(before);
          s = applyTx(s, step(r, s, 2 * n + 1));
          project(s.todos, s.queue);
        }
      }
    } finally {
      steps.project = derive;
    }
    expect(stepped / changes).to.be.greaterThan(0.5);
  });

  it("gives the list shown and its count as the plain definition does, step after step (model.ts fromSnapshot)", () => {
    for (let seed = 1; seed <= 15; seed++) {
      const r = random(seed);
      let s = emptySnapshot;
      let state = m.initialState;
      for (let n = 0; n < 120; n++) {
        s = applyTx(s, step(r, s, n));
        // Mostly the same list (its rows carried from the last), now and then another (worked out whole).
        const listId = r.int(8) === 0 ? r.pick(LISTS) : (state.listId ?? "A");
        state = m.fromSnapshot(s, state, "me", listId);
        const expected = reference(s.todos, s.queue).filter((t) => t.listId === listId);
        const rows = (items: readonly Item[]) => items.map((t) => `${t.id}:${String(t.completed)}:${t.title}:${t.position ?? ""}`);
        expect(rows(state.items), `seed ${seed}, step ${n}`).to.deep.equal(rows(expected));
        expect(state.left, `seed ${seed}, step ${n}`).to.equal(expected.filter((t) => !t.completed).length);
      }
    }
  });

  it("keeps the maps a queue-only change does not touch (what is derived from them is not derived again)", () => {
    const s = applyTx(emptySnapshot, {
      put: [
        {
          listId: "A",
          id: "x",
          title: "x",
          completed: false,
          dueDate: null,
          createdAt: "2026-01-01T00:00:00.000Z",
          updatedAt: "",
          version: 1,
        },
      ],
    });
    const queued = applyTx(s, { enqueue: [{ seq: 1, intent: { kind: "markAll", listId: "A", completed: true } }] });
    expect(queued.todos).to.equal(s.todos);
    expect(queued.lists).to.equal(s.lists);
    expect(queued.members).to.equal(s.members);
    expect(project(s.todos, [])).to.equal(project(queued.todos, [])); // the same order, derived once
  });
});
