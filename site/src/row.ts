/**
 * One to-do's row, built once and then patched in place on every render, so focus and an open
 * editor survive. All text goes in through textContent. The shape:
 *
 *   <li class="todo [done] [pending] [unsaved] [overdue] [editing]" data-id>
 *     <input class="toggle">                      named after the title, described by the due date
 *     <div class="text"><span class="title"> <span class="due"><time datetime> <span class="overdue-tag"> <span class="by">
 *     <div class="editor">                        only while editing (editor.ts): title, due date, "Clear date", "Move to",
 *       <p class="edit-note" role="status">        what happened underneath: changed or deleted elsewhere
 *       <span class="edit-gone">                   deleted elsewhere: "Restore with my text", "Discard"
 *     <button class="edit"> <button class="delete">
 */
import { dueText, isOverdue } from "./due";
import type { Item } from "./model";

/** What an editor holds: re-opened with it after a failed save. */
export interface Draft {
  readonly title: string;
  readonly dueDate: string | null;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export const quoted = (title: string): string => `“${title}”`;
export const setText = (node: Node, text: string) => node.textContent !== text && (node.textContent = text);
/** A button whose visible text is completed, for screen readers, by the to-do's title. */
export const named = (className: string, text: string) =>
  el("button", { type: "button", className: `link ${className}` }, text, el("span", { className: "sr-only" }));

/**
 * A date input's day: YYYY-MM-DD, null when empty, undefined while half typed (the browser
 * reports badInput and an empty value: "no date" would be the wrong reading) or when the year
 * has fewer than four digits (12/24/26 would be the year 26, long overdue).
 */
export function dayOf(input: HTMLInputElement): string | null | undefined {
  const shortYear = /^0\d{3}-/.test(input.value);
  input.setCustomValidity(shortYear ? "Enter the year with four digits, like 2026." : "");
  return input.validity.badInput || shortYear ? undefined : input.value || null;
}

export function createRow(): HTMLLIElement {
  return el(
    "li",
    { className: "todo" },
    el("input", { type: "checkbox", className: "toggle" }),
    el(
      "div",
      { className: "text" },
      el("span", { className: "title", dir: "auto" }),
      el("span", { className: "due" }, el("time"), " ", el("span", { className: "overdue-tag" }, "Overdue")),
      el("span", { className: "by" }),
    ),
    named("edit", "Edit"),
    named("delete", "Delete"),
  );
}

/** What a row shows beyond the to-do: whether it may change, its last editor (shared lists), lists to move it to. */
export interface RowContext {
  readonly writable: boolean;
  readonly editor: string | null;
  readonly targets: readonly { id: string; name: string }[];
  /** The to-do as its open editor opened it (what "changed elsewhere" compares with). */
  readonly opened?: Item | null;
  /** Deleted elsewhere under its open editor: kept for its text, with Restore and Discard. */
  readonly gone?: boolean;
  /** Moved elsewhere to another list under its open editor: that list's name, and the to-do as it is there (saving goes there). */
  readonly moved?: { readonly to: string; readonly now: Item } | null;
}

export function updateRow(
  row: HTMLLIElement,
  item: Item,
  editing: boolean,
  today: string,
  locale: string,
  context: RowContext = { writable: true, editor: null, targets: [] },
): void {
  const part = <T extends HTMLElement = HTMLElement>(name: string) => row.querySelector(`.${name}`) as T;
  const toggle = part<HTMLInputElement>("toggle");
  const [text, title, due, tag] = [part("text"), part("title"), part("due"), part("overdue-tag")];
  const [edit, remove] = [part<HTMLButtonElement>("edit"), part<HTMLButtonElement>("delete")];
  const overdue = isOverdue(item, today);
  const gone = context.gone ?? false;
  // Neither control would reach a to-do no longer in this list.
  const away = gone || !!context.moved;
  row.dataset.id = item.id;
  row.className = `todo${item.completed ? " done" : ""}${item.pending ? " pending" : ""}${item.unsaved ? " unsaved" : ""}${overdue ? " overdue" : ""}${gone ? " gone" : ""}${editing ? " editing" : ""}`;
  toggle.hidden = away;
  due.id = `d-${item.id}`;
  // Named by the title itself, not by reference: the title is hidden while the editor is open.
  toggle.setAttribute("aria-label", item.title);
  if (item.dueDate) toggle.setAttribute("aria-describedby", due.id);
  else toggle.removeAttribute("aria-describedby");
  toggle.checked = item.completed;
  setText(title, item.title);
  due.hidden = !item.dueDate;
  if (item.dueDate) {
    const time = due.firstElementChild as HTMLTimeElement;
    time.dateTime = item.dueDate;
    setText(time, dueText(item.dueDate, today, locale));
  }
  tag.hidden = !overdue;
  const by = part("by");
  by.hidden = context.editor === null;
  setText(by, context.editor === null ? "" : ` · changed by ${context.editor}`);
  toggle.disabled = !context.writable;
  remove.hidden = away || !context.writable;
  row.draggable = context.writable && !editing;
  if (context.writable) toggle.setAttribute("aria-keyshortcuts", "Alt+ArrowUp Alt+ArrowDown");
  else toggle.removeAttribute("aria-keyshortcuts");
  for (const button of [edit, remove]) setText(button.lastElementChild!, ` ${quoted(item.title)}`);

  // While editing, the editor's own code (editor.ts, loaded on demand) patches the rest.
  const editor = row.querySelector(".editor");
  if (editing) return;
  edit.hidden = !context.writable;
  if (!editor) return;
  const hadFocus = editor.contains(document.activeElement);
  editor.remove();
  text.hidden = false;
  if (hadFocus) edit.focus();
}
