import { expect } from "chai";
import { underneathText } from "../../site/src/editor";
import type { Kit } from "../../site/src/kit";
import * as m from "../../site/src/model";
import { applyTx, emptySnapshot, type Snapshot } from "../../site/src/replica";

const todo = (id: string, title: string, completed = false): m.Todo => ({
  listId: "L",
  id,
  title,
  completed,
  dueDate: null,
  createdAt: `2025-01-01T00:00:0${id.at(-1)}.000Z`,
  updatedAt: "2025-01-01T00:00:00.000Z",
  version: 1,
});
// ULIDs sort by time: C is the newest.
const [a, b, c] = [todo("01A", "a"), todo("01B", "b", true), todo("01C", "c")];
const list = {
  id: "L",
  name: "Mine",
  role: "owner" as const,
  ownerId: "me",
  position: null,
  version: 1,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};
const copy: Snapshot = applyTx(emptySnapshot, { putLists: [list], put: [a, b, c], synced: true });
const view = (s: Snapshot, state: m.State) => m.fromSnapshot(s, state, "me");
const loaded = view(copy, m.initialState);

describe("site model", () => {
  it("shows the whole copy newest first, loaded once a full sync is done", () => {
    expect(loaded.items.map((t) => t.id)).to.deep.equal(["01C", "01B", "01A"]);
    expect(loaded.loaded).to.equal(true);
    expect(view(emptySnapshot, m.initialState).loaded).to.equal(false);
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

  it("counts items left over the whole list, and the changes waiting", () => {
    expect(m.itemsLeftText(loaded)).to.equal("2 items left");
    const queued = applyTx(copy, { enqueue: [{ seq: 1, intent: { kind: "delete", listId: "L", id: "01A", base: 1, was: a } }] });
    const state = view(queued, loaded);
    expect(m.itemsLeftText(state)).to.equal("1 item left");
    expect(m.waitingText(state.waiting)).to.equal("1 change waiting to be saved");
    expect(m.waitingText(0)).to.equal("");
  });

  it("keeps an editor open on the version it opened, and its row when the to-do is deleted elsewhere", () => {
    const editing = m.withEditing(loaded, "01A");
    expect(editing.opened).to.include({ id: "01A", title: "a", version: 1 });
    const renamed = view(applyTx(copy, { put: [{ ...a, title: "theirs", version: 2 }] }), editing);
    expect(renamed.opened).to.include({ title: "a", version: 1 });
    const gone = view(applyTx(copy, { del: ["L/01A"] }), editing);
    expect(gone.editing).to.equal("01A");
    expect(m.editedGone(gone)).to.equal(true);
    expect(m.shown(gone).map((t) => t.id)).to.deep.equal(["01C", "01B", "01A"]);
    expect(gone.items.map((t) => t.id)).to.deep.equal(["01C", "01B"]);
    expect(m.editedGone(view(applyTx(copy, { del: ["L/01B"] }), editing))).to.equal(false);
    expect(m.withEditing(gone, null).opened).to.equal(null);
  });

  it("says where the open editor's to-do went when it is moved elsewhere, and 'deleted' only when that list is not the person's", () => {
    const work = { ...list, id: "W", name: "Work" };
    const editing = m.withEditing(view(applyTx(copy, { putLists: [work] }), loaded), "01A");
    const movedThere = { ...a, listId: "W", version: 2 };
    const moved = view(applyTx(copy, { putLists: [work], del: ["L/01A"], put: [movedThere] }), editing);
    expect(m.editedGone(moved)).to.equal(false);
    expect(m.movedTo(moved)?.name).to.equal("Work");
    expect(moved.moved).to.deep.equal(movedThere);
    expect(moved.opened).to.include({ listId: "L", version: 1 });
    expect(m.shown(moved).map((t) => t.id)).to.deep.equal(["01C", "01B", "01A"]);
    // To a list the person is not in (they cannot see it): as deleted.
    const away = view(applyTx(copy, { del: ["L/01A"], put: [{ ...a, listId: "X", version: 2 }] }), m.withEditing(loaded, "01A"));
    expect(m.editedGone(away)).to.equal(true);
    expect(m.movedTo(away)).to.equal(undefined);
    // Closing the editor forgets where it went.
    expect(m.withEditing(moved, null).moved).to.equal(null);

    const k = { quoted: (t: string) => `“${t}”`, formatDay: (d: string) => d } as unknown as Kit;
    const note = (now: m.Item, to: string | null, gone = false) => underneathText(k, now, moved.opened, gone, "2025-01-01", "en", to);
    expect(note(movedThere, "Work")).to.equal("Moved to “Work” on another device. Saving saves your text there.");
    expect(note({ ...movedThere, title: "A!" }, "Work")).to.equal(
      "Moved to “Work” on another device and changed: “A!”. Saving keeps both for you to choose.",
    );
    expect(note(a, null, true)).to.equal("Deleted on another device. Restore it with your text, or discard it.");
    expect(note({ ...a, title: "A!" }, null)).to.equal("Changed on another device: “A!”. Saving keeps both for you to choose.");
  });

  it("shows the list the URL names, else the first, and closes an editor when another list is shown", () => {
    const two = applyTx(copy, { putLists: [{ ...list, id: "M", name: "Other" }], put: [{ ...a, listId: "M", id: "01M" }] });
    const onM = m.fromSnapshot(two, m.initialState, "me", "M");
    expect(onM.listId).to.equal("M");
    expect(onM.items.map((t) => t.id)).to.deep.equal(["01M"]);
    expect(m.fromSnapshot(two, m.initialState, "me", "gone").listId).to.equal("L");
    const editing = m.withEditing(m.fromSnapshot(two, m.initialState, "me", "L"), "01A");
    expect(m.fromSnapshot(two, editing, "me", "L").editing).to.equal("01A");
    expect(m.fromSnapshot(two, editing, "me", "M").editing).to.equal(null);
  });

  it("marks all as done while any is active, else all as not done", () => {
    expect(m.markAllTarget(loaded)).to.equal(true);
    const allDone = view(applyTx(copy, { enqueue: [{ seq: 1, intent: { kind: "markAll", listId: "L", completed: true } }] }), loaded);
    expect(m.markAllTarget(allDone)).to.equal(false);
  });
});
