/**
 * The to-do screen: renders a State into the DOM of index.html and reports what the person
 * does as intents. Rendering patches a keyed list in place (one <li> per to-do, reused), so
 * focus, an open editor and the screen-reader's position survive every update.
 * All text goes in through textContent: nothing from the API is ever parsed as HTML.
 */
import { TITLE_MAX_LENGTH } from "../../handlers/schemas";
import { completedCount, itemsLeftText, visible, type Item, type State } from "./model";

export interface Intents {
  add(title: string): void;
  toggle(id: string): void;
  startEdit(id: string): void;
  saveEdit(id: string, title: string): void;
  cancelEdit(id: string): void;
  remove(id: string): void;
  toggleAll(): void;
  clearCompleted(): void;
  loadMore(): void;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const quoted = (title: string): string => `“${title}”`;

export function createTodoView(intents: Intents) {
  const list = $<HTMLUListElement>("list");
  const newTitle = $<HTMLInputElement>("new-title");
  const rows = new Map<string, HTMLLIElement>();
  /** Text typed into an editor that must come back if it is re-opened (after a failed save). */
  const drafts = new Map<string, string>();

  $("new").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = newTitle.value.trim();
    if (title) intents.add(title);
  });
  $("toggle-all").addEventListener("click", () => intents.toggleAll());
  $("clear").addEventListener("click", () => intents.clearCompleted());
  $("more").addEventListener("click", () => intents.loadMore());
  $("message-close").addEventListener("click", () => showMessage(""));

  // One listener each for the whole list: rows come and go.
  list.addEventListener("change", (event) => {
    const target = event.target as HTMLElement;
    if (target.classList.contains("toggle")) intents.toggle(idOf(target));
  });
  list.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest("button");
    if (!button) return;
    if (button.classList.contains("edit")) intents.startEdit(idOf(button));
    else if (button.classList.contains("delete")) intents.remove(idOf(button));
  });
  list.addEventListener("dblclick", (event) => {
    const target = event.target as HTMLElement;
    if (target.classList.contains("title")) intents.startEdit(idOf(target));
  });
  list.addEventListener("keydown", (event) => {
    const input = event.target as HTMLInputElement;
    if (!input.classList.contains("edit-input")) return;
    if (event.key === "Enter") {
      event.preventDefault();
      intents.saveEdit(idOf(input), input.value);
    } else if (event.key === "Escape") {
      event.preventDefault();
      intents.cancelEdit(idOf(input));
    }
  });
  list.addEventListener("focusout", (event) => {
    const input = event.target as HTMLInputElement;
    // Leaving the editor saves it, as in TodoMVC; the row re-render that follows removes it.
    if (input.classList.contains("edit-input") && input.isConnected) intents.saveEdit(idOf(input), input.value);
  });

  const idOf = (node: Element): string => node.closest("li")!.dataset.id!;

  function createRow(item: Item): HTMLLIElement {
    const titleId = `t-${item.id}`;
    return el(
      "li",
      { className: "todo" },
      el("input", { type: "checkbox", className: "toggle" }),
      el("span", { className: "title", id: titleId }),
      el("button", { type: "button", className: "link edit" }, "Edit", el("span", { className: "sr-only" })),
      el("button", { type: "button", className: "link delete" }, "Delete", el("span", { className: "sr-only" })),
    );
  }

  function updateRow(row: HTMLLIElement, item: Item, editing: boolean): void {
    const part = <T extends HTMLElement>(name: string) => row.querySelector(`.${name}`) as T;
    const [toggle, title, edit, remove] = [part<HTMLInputElement>("toggle"), part("title"), part<HTMLButtonElement>("edit"), part<HTMLButtonElement>("delete")];
    row.dataset.id = item.id;
    row.className = `todo${item.completed ? " done" : ""}${item.pending ? " pending" : ""}`;
    title.id = `t-${item.id}`;
    toggle.setAttribute("aria-labelledby", title.id);
    toggle.checked = item.completed;
    if (title.textContent !== item.title) title.textContent = item.title;
    edit.lastElementChild!.textContent = ` ${quoted(item.title)}`;
    remove.lastElementChild!.textContent = ` ${quoted(item.title)}`;
    for (const control of [toggle, edit, remove]) control.disabled = Boolean(item.pending);
    const editor = row.querySelector<HTMLInputElement>(".edit-input");
    const editLabel = `Edit ${quoted(item.title)}; Enter saves, Escape cancels`;
    editor?.setAttribute("aria-label", editLabel);
    if (editing && !editor) {
      const input = el("input", { type: "text", className: "edit-input", maxLength: TITLE_MAX_LENGTH, value: drafts.get(item.id) ?? item.title });
      input.setAttribute("aria-label", editLabel);
      drafts.delete(item.id);
      title.hidden = true;
      edit.hidden = true;
      row.insertBefore(input, edit);
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    } else if (!editing && editor) {
      const hadFocus = document.activeElement === editor;
      editor.remove();
      title.hidden = false;
      edit.hidden = false;
      if (hadFocus) edit.focus();
    }
  }

  function render(state: State): void {
    const items = visible(state);
    const wanted = new Set(items.map((t) => t.id));
    for (const [id, row] of rows) {
      if (!wanted.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    let previous: HTMLLIElement | null = null;
    for (const item of items) {
      let row = rows.get(item.id);
      if (!row) {
        row = createRow(item);
        rows.set(item.id, row);
      }
      const expectedPlace: ChildNode | null = previous ? previous.nextSibling : list.firstChild;
      if (expectedPlace !== row) list.insertBefore(row, expectedPlace);
      updateRow(row, item, state.editing === item.id);
      previous = row;
    }

    const total = state.items.length;
    const done = completedCount(state);
    $("loading").hidden = state.loaded;
    $("bulk").hidden = total === 0;
    $("toggle-all").textContent = state.items.some((t) => !t.completed) ? "Mark all as done" : "Mark all as not done";
    $("foot").hidden = total === 0;
    $("count").textContent = itemsLeftText(state);
    $("clear").hidden = done === 0;
    $("more").hidden = !state.nextCursor;
    const empty = $("empty");
    empty.hidden = !state.loaded || items.length > 0;
    empty.textContent = total === 0 ? "Nothing to do yet. Add your first to-do above." : `No ${state.filter} to-dos.`;
    document.querySelectorAll<HTMLAnchorElement>("[data-filter]").forEach((link) => {
      if (link.dataset.filter === state.filter) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
  }

  /** Shows (or, with "", hides) the visible message above the list; role=alert announces it. */
  function showMessage(text: string): void {
    const box = $("message");
    box.hidden = text === "";
    $("message-text").textContent = text;
  }

  /** Moves focus to a sensible place after a row vanishes: the next row, else the new-to-do input. */
  function focusAfterRemoval(id: string): void {
    const row = rows.get(id);
    const next = (row?.nextElementSibling ?? row?.previousElementSibling) as HTMLElement | null;
    queueMicrotask(() => (next?.querySelector<HTMLElement>(".toggle") ?? newTitle).focus());
  }

  return {
    render,
    showMessage,
    focusAfterRemoval,
    keepDraft: (id: string, text: string) => drafts.set(id, text),
    newTitle,
  };
}

export type TodoView = ReturnType<typeof createTodoView>;

/** Says something to screen-reader users without moving focus. */
export function announce(text: string): void {
  const region = $("announce");
  // Clearing first makes a repeated sentence count as a change.
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}
