import { expect } from "chai";
import { keyBetween, topPosition } from "../../handlers/positions";
import { moveKeys as moveKeysWith } from "../../site/src/order";
import { feedTx } from "../../site/src/pull";
import { applyTx, emptySnapshot, keyOf, positionOf, project, type Intent, type Queued, type Todo } from "../../site/src/replica";
import { rebased, rebasedList } from "../../site/src/send";
import type { Api } from "../../site/src/api";
import type { Kit } from "../../site/src/kit";
import { createListIntents } from "../../site/src/list-intents";
import * as m from "../../site/src/model";

const ME = "me";
const moveKeys = (...args: Parameters<typeof moveKeysWith> extends [unknown, ...infer R] ? R : never) =>
  moveKeysWith({ keyBetween, topPosition, positionOf }, ...args);
const list = (id: string, role: "owner" | "editor" | "viewer" = "owner") => ({
  id,
  name: id,
  role,
  ownerId: ME,
  position: null,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});
const todo = (listId: string, id: string, version = 1, title = id): Todo => ({
  listId,
  id,
  title,
  completed: false,
  dueDate: null,
  createdAt: `2026-01-01T00:00:0${id.length}.000Z`,
  updatedAt: "",
  version,
});
const was = (title: string) => ({ title, completed: false, dueDate: null });

describe("site lists (pure)", () => {
  it("merges the feed: lists joined and left, the person's own role from their membership, to-dos by list", () => {
    const s = applyTx(emptySnapshot, { putLists: [list("A"), list("B", "editor")], put: [todo("B", "x")] });
    const tx = feedTx(
      s,
      [
        { type: "list", ...list("C") },
        { type: "list", id: "A", removed: true },
        { type: "member", listId: "B", id: ME, email: "me@example.com", role: "viewer", version: 2, joinedAt: "" },
        { type: "todo", ...todo("C", "y") },
        { type: "todo", listId: "B", id: "x", deleted: true, version: 2, updatedAt: "" },
      ],
      ME,
    );
    expect(tx.delLists).to.deep.equal(["A"]);
    expect(tx.putLists!.map((l) => [l.id, l.role])).to.deep.equal([
      ["C", "owner"],
      ["B", "viewer"],
    ]);
    expect(tx.put!.map((t) => keyOf(t.listId, t.id))).to.deep.equal(["C/y"]);
    expect(tx.del).to.deep.equal(["B/x"]);
    const after = applyTx(s, tx);
    expect([...after.lists.keys()].sort()).to.deep.equal(["B", "C"]);
  });

  it("keeps the same to-do id apart in two lists (keyed by list and id)", () => {
    const s = applyTx(emptySnapshot, { put: [todo("A", "x", 1, "in A"), todo("B", "x", 1, "in B")] });
    expect(project(s.todos, []).map((t) => `${t.listId}:${t.title}`)).to.have.members(["A:in A", "B:in B"]);
  });

  it("shows a queued move in the target list, and later intents follow the confirmed move", () => {
    const x = todo("A", "x", 3, "x");
    const s = applyTx(emptySnapshot, {
      put: [x],
      enqueue: [{ seq: 1, intent: { kind: "update", listId: "A", id: "x", base: 3, changes: { listId: "B" }, was: was("x") } }],
    });
    expect(project(s.todos, s.queue).map((t) => t.listId)).to.deep.equal(["B"]);
    const later: Queued[] = [
      { seq: 2, intent: { kind: "update", listId: "A", id: "x", base: 3, changes: { title: "y" }, was: was("x") } },
      { seq: 3, intent: { kind: "update", listId: "A", id: "x", base: 3, changes: { title: "z" }, was: was("old text") } },
      { seq: 4, intent: { kind: "delete", listId: "C", id: "x", base: 3, was: was("x") } },
    ];
    // Confirmed in list B at version 4: the edit made on "x" moves to B at 4; the one made on older
    // text follows to B but keeps its base (a 412, then the conflict rule); another list's "x" stays.
    expect(rebased(later, { listId: "A", id: "x" }, { ...x, listId: "B", version: 4 }, 3)).to.deep.equal([
      { seq: 2, intent: { ...later[0].intent, listId: "B", base: 4 } },
      { seq: 3, intent: { ...later[1].intent, listId: "B" } },
    ]);
  });

  it("names a list made offline by its real id once created: intents in it and moves to it", () => {
    const queue: Queued[] = [
      {
        seq: 1,
        intent: { kind: "create", listId: "local-L", id: "local-t", key: "t", title: "t", dueDate: null, completed: false, createdAt: "" },
      },
      { seq: 2, intent: { kind: "update", listId: "A", id: "x", base: 1, changes: { listId: "local-L" }, was: was("x") } },
      { seq: 3, intent: { kind: "markAll", listId: "A", completed: true } },
    ];
    expect(rebasedList(queue, "local-L", "L1")).to.deep.equal([
      { seq: 1, intent: { ...queue[0].intent, listId: "L1" } },
      { seq: 2, intent: { kind: "update", listId: "A", id: "x", base: 1, changes: { listId: "L1" }, was: was("x") } },
    ]);
  });

  it("orders by position keys: a move rewrites only the moved to-do, between its new neighbours", () => {
    // Newer keys sort first: each new to-do goes on top.
    const shown = [3e12, 2e12, 1e12].map((ms, n) => ({ ...todo("A", "abc"[n]), position: topPosition(ms) }));
    expect(shown.map(positionOf)).to.deep.equal([...shown.map(positionOf)].sort());
    const [down] = moveKeys(shown, "a", { step: 1 })!;
    expect(down.id).to.equal("a");
    expect(down.position > positionOf(shown[1]) && down.position < positionOf(shown[2])).to.equal(true);
    expect(moveKeys(shown, "c", { before: "a" }, { now: 4e12 })).to.deep.equal([{ id: "c", position: topPosition(4e12) }]);
    expect(moveKeys(shown, "b", { before: null })![0].position > positionOf(shown[2])).to.equal(true);
    expect(moveKeys(shown, "a", { step: -1 })).to.equal(null);
  });
});

describe("site list order (list-intents.ts moveList)", () => {
  const keyed = (id: string, position: string | null) => ({ ...list(id), position, active: 0 });
  /** The list intents on a stub page: what they queue, in order. */
  function moving(lists: ReturnType<typeof keyed>[]) {
    const queued: Intent[] = [];
    const kit = { keyBetween, topPosition, announce: () => undefined } as unknown as Kit;
    const state = { ...m.initialState, lists };
    const { intents } = createListIntents(kit, {
      api: {} as Api,
      me: ME,
      queue: (...i: Intent[]) => void queued.push(...i),
      view: { showMessage: () => undefined },
      state: () => state,
      snapshot: () => emptySnapshot,
      select: () => undefined,
      pull: () => undefined,
    });
    /** The lists' order once what was queued applies (by position, as the switcher orders them). */
    const after = () => {
      const at = new Map(lists.map((l) => [l.id, l.position]));
      for (const i of queued) if (i.kind === "updateList" && i.position !== undefined) at.set(i.listId, i.position);
      return [...at].sort(([, a], [, b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)).map(([id]) => id);
    };
    return { intents, queued, after };
  }

  it("moves a list with one write between neighbours with keys apart", () => {
    const { intents, queued, after } = moving([keyed("A", "a"), keyed("B", "b"), keyed("C", "c")]);
    intents.moveList("A", 1);
    expect(queued.map((i) => i.kind === "updateList" && i.listId)).to.deep.equal(["A"]);
    expect(after()).to.deep.equal(["B", "A", "C"]);
  });

  it("moves a list between neighbours sharing one key (two devices moved lists into one gap) by keying every list once", () => {
    const { intents, queued, after } = moving([keyed("A", "a"), keyed("B", "b"), keyed("C", "b"), keyed("D", "c")]);
    // A one down: between B and C, which share the key "b".
    expect(() => intents.moveList("A", 1)).to.not.throw();
    expect(after()).to.deep.equal(["B", "A", "C", "D"]);
    expect(new Set(queued.map((i) => i.kind === "updateList" && i.position)).size).to.equal(4); // all distinct
  });
});
