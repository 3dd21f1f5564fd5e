import { expect } from "chai";
import * as m from "../../site/src/model";

const todo = (id: string, title: string, completed = false): m.Todo => ({
  id,
  title,
  completed,
  dueDate: null,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  version: 1,
});
// ULIDs sort by time: C is the newest.
const [a, b, c] = [todo("01A", "a"), todo("01B", "b", true), todo("01C", "c")];
const loaded = m.loadedFirstPage(m.initialState, [c, b, a], "cursor-1");

describe("site model", () => {
  it("never mutates the state it is given", () => {
    const frozen = Object.freeze({ ...loaded, items: Object.freeze([...loaded.items]) }) as m.State;
    const next = m.changed(frozen, "01A", { completed: true });
    expect(frozen.items[2].completed).to.equal(false);
    expect(next.items[2].completed).to.equal(true);
    expect(next).to.not.equal(frozen);
  });

  it("filters by the hash in the URL, treating anything unknown as all", () => {
    expect(m.filterFromHash("#/active")).to.equal("active");
    expect(m.filterFromHash("#/completed")).to.equal("completed");
    expect(m.filterFromHash("#/nonsense")).to.equal("all");
    expect(m.filterFromHash("")).to.equal("all");
    expect(m.visible(m.withFilter(loaded, "active")).map((t) => t.id)).to.deep.equal(["01C", "01A"]);
    expect(m.visible(m.withFilter(loaded, "completed")).map((t) => t.id)).to.deep.equal(["01B"]);
    expect(m.hashOf("all")).to.equal("#/");
  });

  it("counts items left, and says 'so far' while pages remain", () => {
    expect(m.itemsLeftText(loaded)).to.equal("2 items left so far");
    expect(m.itemsLeftText(m.loadedMore(loaded, [], null))).to.equal("2 items left");
    expect(m.itemsLeftText(m.removed(m.loadedMore(loaded, [], null), ["01A"]))).to.equal("1 item left");
  });

  it("appends a further page without duplicating to-dos already shown", () => {
    const more = m.loadedMore(loaded, [a, todo("019", "older")], null);
    expect(more.items.map((t) => t.id)).to.deep.equal(["01C", "01B", "01A", "019"]);
    expect(more.nextCursor).to.equal(null);
  });

  it("puts a rolled-back deletion back where it was", () => {
    const withPending = m.added(loaded, { ...todo("pending-1", "new"), pending: true });
    const before = withPending.items;
    const gone = m.removed(withPending, ["01B", "01A"]);
    expect(gone.items.map((t) => t.id)).to.deep.equal(["pending-1", "01C"]);
    expect(m.restored(gone, before).items.map((t) => t.id)).to.deep.equal(["pending-1", "01C", "01B", "01A"]);
  });

  it("stops editing a to-do that is removed", () => {
    const editing = m.withEditing(loaded, "01A");
    expect(m.removed(editing, ["01A"]).editing).to.equal(null);
    expect(m.removed(editing, ["01B"]).editing).to.equal("01A");
  });

  it("toggles all to done while any is active, else all to not done, skipping pending ones", () => {
    const withPending = m.added(loaded, { ...todo("pending-1", "new"), pending: true });
    expect(m.toggleAllPlan(withPending)).to.deep.equal({ completed: true, ids: ["01C", "01A"] });
    const allDone = m.changed(m.changed(loaded, "01A", { completed: true }), "01C", { completed: true });
    expect(m.toggleAllPlan(allDone)).to.deep.equal({ completed: false, ids: ["01C", "01B", "01A"] });
  });

  it("replaces a pending to-do with the confirmed one, in place", () => {
    const withPending = m.added(loaded, { ...todo("pending-1", "new"), pending: true });
    const confirmed = m.replaced(withPending, "pending-1", todo("01D", "new"));
    expect(confirmed.items.map((t) => t.id)).to.deep.equal(["01D", "01C", "01B", "01A"]);
    expect(confirmed.items[0].pending).to.equal(undefined);
  });

  it("sets and clears a due date as an optimistic change, leaving the rest and the old state alone", () => {
    const dated = m.changed(loaded, "01A", { dueDate: "2025-12-03" });
    expect(m.find(dated, "01A")).to.include({ title: "a", completed: false, dueDate: "2025-12-03" });
    expect(m.find(loaded, "01A")!.dueDate).to.equal(null);
    expect(m.find(m.changed(dated, "01A", { dueDate: null }), "01A")!.dueDate).to.equal(null);
    expect(m.find(dated, "01C")).to.equal(m.find(loaded, "01C"));
  });
});
