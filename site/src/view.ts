/**
 * The to-do screen: renders a State into the DOM of index.html and reports what the person
 * does as intents. Rendering patches a keyed list in place (one <li> per to-do, reused, built
 * and patched by row.ts), so focus, an open editor and the screen-reader's position survive
 * every update. All text goes in through textContent: nothing is ever parsed as HTML.
 */
import type { Choice } from "./conflicts-view";
import { $ } from "./dom";
import { localDay, pageLocale } from "./due";
import { kit } from "./kit";
import { createListsView, type ListIntents } from "./lists-view";
import type { Conflict } from "./replica";
import { canWrite, completedCount, editedGone, itemsLeftText, markAllTarget, shown, waitingText, type State } from "./model";
import { createRow, dayOf, updateRow, type Draft } from "./row";

export interface Intents extends ListIntents {
  /** Moves a to-do in the manual order: above `before` (null: to the bottom), or a step up or down. */
  reorder(id: string, to: { before: string | null } | { step: -1 | 1 }): void;
  /** Moves a to-do to another list. */
  moveTo(id: string, listId: string): void;
  add(title: string, dueDate: string | null): void;
  toggle(id: string): void;
  startEdit(id: string): void;
  /** `dueDate` undefined: the date field was left half typed, so the date stays as it is. */
  saveEdit(id: string, title: string, dueDate: string | null | undefined): void;
  cancelEdit(id: string): void;
  remove(id: string): void;
  toggleAll(): void;
  clearCompleted(): void;
  /** Try the first load again (it failed). */
  retry(): void;
  resolve(conflictId: string, choice: Choice): void;
}

export { $ };

export function createTodoView(intents: Intents) {
  const list = $<HTMLUListElement>("list");
  const newTitle = $<HTMLInputElement>("new-title");
  const newDue = $<HTMLInputElement>("new-due");
  const rows = new Map<string, HTMLLIElement>();
  /** What was typed into an editor that must come back if it is re-opened (after a failed save). */
  const drafts = new Map<string, Draft>();
  const locale = pageLocale(navigator.languages);
  const lists = createListsView(intents);
  /** The to-do being dragged (manual order). */
  let dragged: string | null = null;
  /** A pointer is pressed: an editor losing focus to it closes only after the click lands. */
  let pressed: Promise<void> | null = null;

  $("new").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = newTitle.value.trim();
    const due = dayOf(newDue);
    // A half-typed date (or a two-digit year): say so rather than drop it or keep year 0026.
    if (due === undefined) newDue.reportValidity();
    else if (title) intents.add(title, due);
  });
  $("toggle-all").addEventListener("click", () => intents.toggleAll());
  $("clear").addEventListener("click", () => intents.clearCompleted());
  $("retry").addEventListener("click", () => intents.retry());
  $("message-close").addEventListener("click", () => showMessage(""));
  $("conflicts").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-choice]");
    if (button) intents.resolve(button.closest("li")!.dataset.id!, button.dataset.choice as Choice);
  });
  document.addEventListener("pointerdown", () => {
    const press: Promise<void> = new Promise((done) => {
      const release = () => setTimeout(() => (pressed === press && (pressed = null), done()));
      addEventListener("pointerup", release, { once: true });
      setTimeout(release, 1000); // a release outside the window: do not wait for ever
    });
    pressed = press;
  });

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
    // A to-do deleted elsewhere under its editor: saving re-creates it with the text, Discard lets it go.
    else if (button.classList.contains("restore")) save(button.closest(".editor")!);
    else if (button.classList.contains("discard")) intents.cancelEdit(idOf(button));
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
  list.addEventListener("change", (event) => {
    const target = event.target as HTMLSelectElement;
    if (target.classList.contains("move-to") && target.value) intents.moveTo(idOf(target), target.value);
  });
  // Drag a row by its handle, or Alt+ArrowUp/Down on a row: the manual order.
  list.addEventListener("dragstart", (event) => {
    dragged = idOf(event.target as HTMLElement);
    event.dataTransfer?.setData("text/plain", dragged);
  });
  list.addEventListener("dragover", (event) => dragged && event.preventDefault());
  list.addEventListener("drop", (event) => {
    event.preventDefault();
    const over = (event.target as HTMLElement).closest("li");
    if (!dragged || !over) return;
    const below = event.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
    const next = below ? (over.nextElementSibling as HTMLLIElement | null) : over;
    if (next?.dataset.id !== dragged) intents.reorder(dragged, { before: next?.dataset.id ?? null });
    dragged = null;
  });
  list.addEventListener("dragend", () => (dragged = null));
  list.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown") && !target.closest(".editor")) {
      event.preventDefault();
      const id = idOf(target);
      intents.reorder(id, { step: event.key === "ArrowUp" ? -1 : 1 });
      // Focus stays on the moved row's control (the row is reused, and moves).
      setTimeout(() => rows.get(id)?.querySelector<HTMLElement>(`.${target.classList[0]}`)?.focus());
      return;
    }
    const editor = target.closest(".editor");
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
    // Deleted elsewhere: it waits for Restore or Discard, whatever else the person does meanwhile.
    if (editor.closest(".gone")) return;
    // A click elsewhere: close the editor after the click, so the rows below do not move under it.
    if (pressed) void pressed.then(() => editor.isConnected && save(editor));
    else save(editor);
  });

  const idOf = (node: Element): string => node.closest("li")!.dataset.id!;
  const dateIn = (editor: Element) => editor.querySelector<HTMLInputElement>(".edit-due")!;
  const save = (editor: Element) =>
    intents.saveEdit(idOf(editor), editor.querySelector<HTMLInputElement>(".edit-input")!.value, dayOf(dateIn(editor)));

  function render(state: State): void {
    lists.render(state);
    const writable = canWrite(state);
    const by = state.members.length > 1 ? new Map(state.members.map((mb) => [mb.id, mb.id === state.me ? "you" : mb.email])) : null;
    const targets = state.lists.filter((l) => l.role !== "viewer" && l.id !== state.listId).map((l) => ({ id: l.id, name: l.name }));
    const items = shown(state);
    const gone = editedGone(state);
    const wanted = new Set(items.map((t) => t.id));
    let refocus: HTMLElement | null = null;
    for (const [id, row] of rows) {
      if (wanted.has(id)) continue;
      // The focused row leaves (deleted, or toggled out of a filter): focus its neighbour.
      if (row.contains(document.activeElement)) refocus = neighbour(row, wanted);
      row.remove();
      rows.delete(id);
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
      const editing = state.editing === item.id;
      updateRow(row, item, editing, today, locale, () => takeDraft(item.id), {
        writable,
        editor: by && item.lastEditedBy ? (by.get(item.lastEditedBy) ?? null) : null,
        targets,
        opened: editing ? state.opened : null,
        gone: editing && gone,
      });
      previous = row;
    }
    refocus?.focus();

    const total = state.items.length;
    const loading = !state.loaded && total === 0;
    $("loading").hidden = !loading;
    // Below the list: shown once the list is, so the list's arrival never pushes it down (CLS).
    $("account").hidden = loading;
    $("new").hidden = !writable;
    $("viewer-note").hidden = writable;
    $("bulk").hidden = total === 0 || !writable;
    $("toggle-all").textContent = markAllTarget(state) ? "Mark all as done" : "Mark all as not done";
    $("foot").hidden = total === 0;
    $("count").textContent = itemsLeftText(state);
    $("waiting").textContent = waitingText(state.waiting);
    $("clear").hidden = completedCount(state) === 0 || !writable;
    const empty = $("empty");
    empty.hidden = !state.loaded || items.length > 0;
    empty.textContent = total === 0 ? "Nothing to do yet. Add your first to-do above." : `No ${state.filter} to-dos.`;
    document.querySelectorAll<HTMLAnchorElement>("[data-filter]").forEach((link) => {
      if (link.dataset.filter === state.filter) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    showConflicts(state.conflicts);
  }

  // The conflict view is code of its own (conflicts-view.ts), loaded when there is one to show.
  let conflicts: readonly Conflict[] = [];
  let conflictsView: Promise<typeof import("./later")> | undefined;
  function showConflicts(latest: readonly Conflict[]): void {
    conflicts = latest;
    if (!latest.length && !conflictsView) return; // none yet: the section stays hidden
    conflictsView ??= import("./later");
    conflictsView.then(
      (v) => v.renderConflicts(kit, $("conflicts"), conflicts, localDay(new Date()), locale),
      () => (conflictsView = undefined), // not fetched (offline, no worker yet): the next render tries again
    );
  }

  /** The row to focus when `row` leaves: the next staying one, else the previous, else the input. */
  function neighbour(row: HTMLLIElement, staying: Set<string>): HTMLElement {
    for (const step of ["nextElementSibling", "previousElementSibling"] as const) {
      for (let n = row[step] as HTMLLIElement | null; n; n = n[step] as HTMLLIElement | null) {
        if (staying.has(n.dataset.id!)) return n.querySelector<HTMLElement>(".toggle")!;
      }
    }
    return newTitle;
  }

  /** Shows (or, with "", hides) the visible message above the list; role=alert announces it. */
  function showMessage(text: string): void {
    $("message").hidden = text === "";
    $("message-text").textContent = text;
  }

  function takeDraft(id: string): Draft | undefined {
    const draft = drafts.get(id);
    drafts.delete(id);
    return draft;
  }

  return {
    render,
    showMessage,
    renderInvitations: lists.renderInvitations,
    /** Whether the first load failed: shows "Retry" in place of "Loading…". */
    loadFailed(failed: boolean): void {
      $("retry").hidden = !failed;
      $("loading-text").textContent = failed ? "Your to-dos could not be loaded." : "Loading your to-dos…";
    },
    keepDraft: (id: string, draft: Draft) => drafts.set(id, draft),
    newTitle,
    /** Empties the new-to-do form and forgets drafts (after adding, or signing out). */
    clearNew(): void {
      newTitle.value = "";
      newDue.value = "";
    },
    /** Forgets everything typed and said (signing out: it belongs to this person). */
    forget(): void {
      this.clearNew();
      drafts.clear();
      for (const row of rows.values()) row.remove();
      rows.clear();
      announce("");
      this.loadFailed(false);
    },
    /** Gives back what a refused add took, unless something new has been typed meanwhile. */
    restoreNew(title: string, dueDate: string | null): void {
      if (newTitle.value !== "" || newDue.value !== "") return;
      newTitle.value = title;
      newDue.value = dueDate ?? "";
    },
    locale,
  };
}

export type TodoView = ReturnType<typeof createTodoView>;

let announcing: ReturnType<typeof setTimeout> | undefined;

/** Says something to screen-reader users without moving focus; "" (signing out) says nothing more. */
export function announce(text: string): void {
  const region = $("announce");
  // Clearing first makes a repeated sentence count as a change.
  region.textContent = "";
  clearTimeout(announcing);
  if (text) announcing = setTimeout(() => (region.textContent = text), 50);
}
