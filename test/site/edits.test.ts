import { expect } from "chai";
import { createTodoBody } from "../../handlers/schemas";
import { cleanTitle, saveIntent } from "../../site/src/edits";
import type { Queued, Todo } from "../../site/src/replica";
import { rebased } from "../../site/src/send";

const opened: Todo = {
  listId: "L",
  id: "01A",
  title: "Buy milk",
  completed: false,
  dueDate: null,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  version: 3,
};

describe("site edits (pure)", () => {
  it("saves an editor on the version it opened: If-Match of that version, only what the person changed", () => {
    const theirs = { ...opened, title: "Buy milk and eggs", dueDate: "2030-01-02", version: 4 };
    expect(saveIntent(opened, theirs, "Buy oat milk", null)).to.deep.equal({
      kind: "update",
      listId: "L",
      id: "01A",
      base: 3,
      changes: { title: "Buy oat milk" },
      was: { title: "Buy milk", completed: false, dueDate: null },
    });
    // Nothing changed by the person: nothing sent, their rename stays.
    expect(saveIntent(opened, theirs, "Buy milk", undefined)).to.equal(null);
  });

  it("restores a to-do deleted under its editor with the text typed", () => {
    const intent = saveIntent({ ...opened, completed: true }, undefined, "Buy oat milk", "2030-01-02");
    expect(intent).to.include({ kind: "create", listId: "L", title: "Buy oat milk", dueDate: "2030-01-02", completed: true });
    expect(saveIntent(opened, undefined, "", null)).to.equal(null);
  });

  it("moves a later edit to the confirmed version only if it was made on that version's text", () => {
    const q = (seq: number, title: string, was: string): Queued => ({
      seq,
      intent: { kind: "update", listId: "L", id: "01A", base: 3, changes: { title }, was: { title: was, completed: false, dueDate: null } },
    });
    const now = { ...opened, title: "From tab one", version: 4 };
    // Made here after the confirmed edit (on its text): moves. Made in another tab's editor on the old text: stays.
    expect(rebased([q(2, "Mine after", "From tab one"), q(3, "Other tab", "Buy milk")], opened, now, 3)).to.deep.equal([
      { seq: 2, intent: { ...q(2, "Mine after", "From tab one").intent, base: 4 } },
    ]);
  });

  it("cleans a title the way the API takes it: control characters never reach it, ordinary text stays", () => {
    const pattern = new RegExp((createTodoBody.properties as { title: { pattern: string } }).title.pattern);
    for (let code = 0; code <= 0xa0; code++)
      expect(pattern.test(cleanTitle(`a${String.fromCharCode(code)}b`)), `U+${code.toString(16)}`).to.equal(true);
    expect(pattern.test(cleanTitle("bad \ufffd byte"))).to.equal(true);
    expect(cleanTitle("two\nlines\r\n\tand a tab")).to.equal("two lines and a tab");
    expect(cleanTitle("bell\u0007 and nul\u0000")).to.equal("bell and nul");
    expect(cleanTitle("  👩‍👩‍👧 família ❤️ שלום  ")).to.equal("👩‍👩‍👧 família ❤️ שלום");
  });
});
