/**
 * The glance a reload paints while the whole copy is read (glance.ts, db.ts): the top of the list
 * shown with exact counts, kept only while the copy is what it was made from, dropped by every
 * write. The memory store keeps it by the same rule (db.ts `stamp`) as IndexedDB; the e2e test in
 * test/e2e/scale.test.ts checks the IndexedDB store and the reload in a browser.
 */
import { expect } from "chai";
import { memoryStore, type Glance } from "../../site/src/db";
import { FIRST_LIST, ME } from "./fake-server";
import { glanceOf, keepGlances, STILL_MS, TOP } from "../../site/src/glance";
import * as m from "../../site/src/model";
import { applyTx, emptySnapshot, type Intent, type Snapshot, type Todo } from "../../site/src/replica";

const todo = (n: number): Todo => ({
  id: `t${String(n).padStart(4, "0")}`,
  listId: ME,
  title: `to-do ${n}`,
  completed: n % 3 === 0,
  dueDate: null,
  createdAt: "2026-12-06T00:00:00.000Z",
  updatedAt: "2026-12-06T00:00:00.000Z",
  version: 1,
  position: `p${String(n).padStart(4, "0")}`,
});
const copyOf = (n: number): Snapshot =>
  applyTx(emptySnapshot, {
    user: ME,
    putLists: [FIRST_LIST],
    put: Array.from({ length: n }, (_, i) => todo(i + 1)),
    cursor: "c1",
    synced: true,
  });
const stateOf = (copy: Snapshot): m.State => m.fromSnapshot(copy, m.initialState, ME);
const toggle = (id: string): Intent => {
  const { title, completed, dueDate } = todo(1);
  return { kind: "update", listId: ME, id, base: 1, changes: { completed: !completed }, was: { title, completed, dueDate } };
};

describe("the glance a reload paints first (glance.ts, db.ts)", () => {
  it("holds the top of the whole list in its order, how many follow, and the list's exact counts", () => {
    const state = stateOf(copyOf(250));
    const g = glanceOf({ ...state, filter: "active", query: "to-do 1", editing: "t0001", opened: state.items[0] });
    expect(g.items).to.deep.equal(state.items.slice(0, TOP));
    expect(g.more).to.equal(250 - TOP);
    expect(g).to.include({ owner: ME, filter: "all", query: "", editing: null, opened: null, moved: null });
    expect(m.itemsLeftText(g)).to.equal(m.itemsLeftText(state)).and.equal("167 items left");
    expect(m.completedCount(g)).to.equal(m.completedCount(state)).and.equal(83);
    // A list shorter than TOP: whole, nothing follows.
    const small = glanceOf(stateOf(copyOf(7)));
    expect(small.items).to.have.length(7);
    expect(small.more).to.equal(0);
  });

  it("is kept only while the copy is what it was made from, and every write drops it", async () => {
    const copy = copyOf(20);
    const store = memoryStore(copy);
    const g: Glance = glanceOf(stateOf(copy));
    await store.keepGlance(g, copy);
    expect(await store.glance()).to.equal(g);

    await store.enqueue([toggle("t0001")]); // a change queued (here or in another tab)
    expect(await store.glance()).to.equal(undefined);
    await store.keepGlance(g, copy); // made from the copy before it: not kept
    expect(await store.glance()).to.equal(undefined);
    await store.keepGlance(g, store.data);
    expect(await store.glance()).to.equal(g);

    // A pull that brings nothing (every start does one) changes nothing shown: the glance stays,
    // also when it delivers the list's row again as it is stored; a list renamed drops it.
    const list = copy.lists.get(ME)!;
    await store.commit({ put: [], del: [], putLists: [{ ...list }], putMembers: [], cursor: "c2" });
    expect(await store.glance()).to.equal(g);
    await store.commit({ putLists: [{ ...list, name: "Renamed", version: 2 }], cursor: "c2" });
    expect(await store.glance(), "a list renamed").to.equal(undefined);
    await store.keepGlance(g, store.data);
    expect(await store.glance()).to.equal(g);

    const before = store.data;
    await store.commit({ put: [{ ...todo(3), title: "renamed elsewhere", version: 2 }], cursor: "c3" }); // a pull that brings a change
    expect(await store.glance()).to.equal(undefined);
    await store.keepGlance(g, before);
    expect(await store.glance(), "a copy with another cursor").to.equal(undefined);

    await store.keepGlance(g, store.data);
    await store.wipe();
    expect(await store.glance()).to.equal(undefined);
  });

  it("is kept once the screen has been still for a moment, and never with this tab's changes not yet written", async () => {
    const copy = copyOf(5);
    const state = stateOf(copy);
    const kept: Glance[] = [];
    const spy = { ...memoryStore(copy), keepGlance: (g: Glance) => (kept.push(g), Promise.resolve()) };
    const burst = keepGlances(
      spy,
      () => state,
      () => copy,
      () => true,
    );
    burst();
    burst();
    burst();
    // Shown with a change of this tab not yet in the copy, not synced yet, or after the app stopped: never.
    keepGlances(
      spy,
      () => ({ ...state, waiting: 1 }),
      () => copy,
      () => true,
    )();
    keepGlances(
      spy,
      () => ({ ...state, loaded: false }),
      () => copy,
      () => true,
    )();
    keepGlances(
      spy,
      () => state,
      () => copy,
      () => false,
    )();
    await new Promise((resolve) => setTimeout(resolve, STILL_MS / 2));
    expect(kept, "not before the screen is still").to.have.length(0);
    await new Promise((resolve) => setTimeout(resolve, STILL_MS * 2));
    expect(kept).to.have.length(1);
    expect(kept[0].items.map((t) => t.id)).to.deep.equal(state.items.map((t) => t.id));
  });
});
