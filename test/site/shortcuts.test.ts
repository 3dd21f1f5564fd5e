import { expect } from "chai";
import { ariaKeys, SHORTCUTS, shortcutOf, type KeyPress } from "../../site/src/shortcuts";

const on = (target: object | null, key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  target: target as EventTarget | null,
  ...mods,
});
const el = (tagName: string, extra: object = {}) => ({ tagName, closest: () => null, ...extra });
const body = el("BODY");

describe("site keyboard shortcuts", () => {
  it("acts on single keys from the page and from a row's checkbox or buttons", () => {
    expect(shortcutOf(on(body, "n"))).to.equal("newTodo");
    expect(shortcutOf(on(body, "/"))).to.equal("search");
    expect(shortcutOf(on(el("INPUT", { type: "checkbox" }), "j"))).to.equal("next");
    expect(shortcutOf(on(el("BUTTON"), "ArrowUp"))).to.equal("previous");
    expect(shortcutOf(on(body, "?"))).to.equal("help");
    expect(shortcutOf(on(body, "x"))).to.equal(null);
  });

  it("never takes a key the person is typing: fields, editors, selects, open dialogs", () => {
    for (const target of [
      el("INPUT", { type: "text" }),
      el("INPUT", { type: "search" }),
      el("INPUT", {}),
      el("TEXTAREA"),
      el("SELECT"),
      el("DIV", { isContentEditable: true }),
      el("BUTTON", { closest: (s: string) => (s === "dialog[open]" ? {} : null) }),
    ]) {
      for (const key of ["n", "/", "j", "ArrowDown", "?"]) expect(shortcutOf(on(target, key)), `${target.tagName} ${key}`).to.equal(null);
    }
  });

  it("undoes with Ctrl+Z or ⌘Z outside fields, leaving a field's own undo alone", () => {
    expect(shortcutOf(on(body, "z", { ctrlKey: true }))).to.equal("undo");
    expect(shortcutOf(on(el("BUTTON"), "z", { metaKey: true }))).to.equal("undo");
    expect(shortcutOf(on(body, "z"))).to.equal(null);
    expect(shortcutOf(on(el("INPUT", { type: "text" }), "z", { ctrlKey: true }))).to.equal(null);
    expect(shortcutOf(on(body, "z", { ctrlKey: true, altKey: true }))).to.equal(null);
  });

  it("leaves modified keys to the browser and the rows' Alt+Arrow moves", () => {
    expect(shortcutOf(on(body, "n", { ctrlKey: true }))).to.equal(null);
    expect(shortcutOf(on(body, "ArrowDown", { altKey: true }))).to.equal(null);
    expect(shortcutOf(on(body, "/", { metaKey: true }))).to.equal(null);
  });

  it("has one entry per action, each with keys the help dialog can show", () => {
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).to.equal(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(s.keys.length && s.shown && s.does, s.action).to.be.ok;
    expect(ariaKeys("next")).to.equal("j");
    expect(ariaKeys("newTodo")).to.equal("n");
  });
});
