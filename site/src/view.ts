/**
 * The to-do screen: renders a State into the DOM of index.html and reports what the person
 * does as intents. Rendering patches a keyed list in place (one <li> per to-do, reused, built
 * and patched by row.ts), so focus, an open editor and the screen-reader's position survive
 * every update.
 * All text goes in through textContent: nothing from the API is ever parsed as HTML.
 */
import { localDay, pageLocale } from "./due";
import { completedCount, itemsLeftText, visible, type State } from "./model";
import { createRow, dayOf, updateRow, type Draft } from "./row";

export interface Intents {
  add(title: string, dueDate: string | null): void;
  toggle(id: string): void;
  startEdit(id: string): void;
  /** `dueDate` undefined: the date field was left half typed, so the date stays as it is. */
  saveEdit(id: string, title: string, dueDate: string | null | undefined): void;
  cancelEdit(id: string): void;
  remove(id: string): void;
  toggleAll(): void;
  clearCompleted(): void;
  loadMore(): void;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export function createTodoView(intents: Intents) {
  const list = $<HTMLUListElement>("list");
  const newTitle = $<HTMLInputElement>("new-title");
  const newDue = $<HTMLInputElement>("new-due");
  const rows = new Map<string, HTMLLIElement>();
  /** What was typed into an editor that must come back if it is re-opened (after a failed save). */
  const drafts = new Map<string, Draft>();
  const locale = pageLocale(navigator.languages);

  $("new").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = newTitle.value.trim();
    const due = dayOf(newDue);
    // A half-typed date: say so (the browser's own message) rather than drop it.
    if (due === undefined) newDue.reportValidity();
    else if (title) intents.add(title, due);
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
    else if (button.classList.contains("edit-clear")) {
      const date = dateIn(button.closest(".editor")!);
      date.value = "";
      date.focus();
    }
  });
  // "Clear date" must not take focus from the editor on press (Safari would save on that blur).
  list.addEventListener("mousedown", (event) => (event.target as HTMLElement).closest(".edit-clear") && event.preventDefault());
  list.addEventListener("dblclick", (event) => {
    const target = event.target as HTMLElement;
    if (target.closest(".text")) intents.startEdit(idOf(target));
  });
  list.addEventListener("keydown", (event) => {
    const editor = (event.target as HTMLElement).closest(".editor");
    if (!editor) return;
    // Enter on "Clear date" presses it; Enter in either field saves.
    if (event.key === "Enter" && (event.target as HTMLElement).tagName === "INPUT") {
      event.preventDefault();
      if (dayOf(dateIn(editor)) === undefined) dateIn(editor).reportValidity();
      else save(editor);
    } else if (event.key === "Escape") {
      event.preventDefault();
      intents.cancelEdit(idOf(editor));
    }
  });
  list.addEventListener("focusout", (event) => {
    const target = event.target as HTMLElement;
    const editor = target.closest(".editor");
    // Leaving the editor saves it, as in TodoMVC; moving inside it (title, date, Clear) does not,
    // nor does the window losing focus (the element stays active: a date picker, another app).
    if (!editor || !target.isConnected || editor.contains(event.relatedTarget as Node | null) || document.activeElement === target) return;
    save(editor);
  });

  const idOf = (node: Element): string => node.closest("li")!.dataset.id!;
  const dateIn = (editor: Element) => editor.querySelector<HTMLInputElement>(".edit-due")!;
  const save = (editor: Element) =>
    intents.saveEdit(idOf(editor), editor.querySelector<HTMLInputElement>(".edit-input")!.value, dayOf(dateIn(editor)));

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
    const today = localDay(new Date());
    for (const item of items) {
      let row = rows.get(item.id);
      if (!row) {
        row = createRow();
        rows.set(item.id, row);
      }
      const expectedPlace: ChildNode | null = previous ? previous.nextSibling : list.firstChild;
      if (expectedPlace !== row) list.insertBefore(row, expectedPlace);
      updateRow(row, item, state.editing === item.id, today, locale, () => takeDraft(item.id));
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

  function takeDraft(id: string): Draft | undefined {
    const draft = drafts.get(id);
    drafts.delete(id);
    return draft;
  }

  return {
    render,
    showMessage,
    focusAfterRemoval,
    keepDraft: (id: string, draft: Draft) => drafts.set(id, draft),
    newTitle,
    /** Empties the new-to-do form (after adding, or signing out). */
    clearNew(): void {
      newTitle.value = "";
      newDue.value = "";
    },
    /** Gives back what a failed add took, unless something new has been typed meanwhile. */
    restoreNew(title: string, dueDate: string | null): void {
      if (newTitle.value !== "" || newDue.value !== "") return;
      newTitle.value = title;
      newDue.value = dueDate ?? "";
    },
    locale,
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
