/**
 * The to-do screen: renders a State into the DOM of index.html and reports what the person
 * does as intents. Rendering patches a keyed list in place (one <li> per to-do, reused, built
 * and patched by row.ts), so focus, an open editor and the screen-reader's position survive
 * every update. Only the rows on screen and a screen's height around them are in the DOM
 * (window.ts), whatever the list's size; the open editor's, the focused and the dragged row stay
 * whatever the scroll. All text goes in through textContent: nothing is ever parsed as HTML.
 */
import type { Choice } from "./conflicts-view";
import { $, announce } from "./dom";
import { localDay, pageLocale } from "./due";
import { kit } from "./kit";
import { createListsView, type ListIntents } from "./lists-view";
import type { Conflict } from "./replica";
import {
  canWrite,
  completedCount,
  editedGone,
  itemsLeftText,
  markAllTarget,
  movedTo,
  shown,
  waitingText,
  type Item,
  type State,
} from "./model";
import { createRow, dayOf, el, updateRow, type Draft } from "./row";
import { offsetOf, rangeOf, WHOLE_UP_TO } from "./window";

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
  /** Shows only the to-dos matching this text (search.ts); "" shows all. */
  search(query: string): void;
  /** Try the first load again (it failed). */
  retry(): void;
  resolve(conflictId: string, choice: Choice): void;
}

export { $, announce };

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
    // The next to-do in the list, rendered or not.
    const { items } = current;
    const next = items[items.findIndex((t) => t.id === over.dataset.id) + (below ? 1 : 0)];
    if (next?.id !== dragged) intents.reorder(dragged, { before: next?.id ?? null });
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

  /**
   * What the last render shows: its rows in order, rows after them not read yet (a glance: the
   * page is as tall as the whole list), the open editor's index (-1: none), how a row is patched.
   */
  let current: { items: readonly Item[]; more?: number; editing: number; patch: (row: HTMLLIElement, item: Item) => void } = {
    items: [],
    editing: -1,
    patch: () => undefined,
  };
  /** Each rendered row's index at the last paint (where the focus goes when its row leaves). */
  let placed = new Map<string, number>();
  /** Heights in px, corrected from rendered rows (window.ts). */
  let rowHeight = 56;
  let editHeight = rowHeight;
  /**
   * A row's height was read since the window last changed size (or zoom). Rows are all one height
   * (styles.css), so it is read again only then, not on each render: reading it makes the browser
   * lay the page out in the middle of the render (on a slowed phone, a sixth of a tick's time).
   */
  let measured = false;
  let frame = 0;
  const repaint = () => (frame ||= requestAnimationFrame(() => ((frame = 0), paint())));
  addEventListener("scroll", repaint, { passive: true });
  addEventListener("resize", () => {
    measured = false;
    repaint();
  });

  function render(state: State): void {
    // Where the list is, read before this render changes anything: read after, it would make the
    // browser lay the page out mid-render. What the render moves is within the margin of rows.
    const top = -list.getBoundingClientRect().top;
    lists.render(state);
    const writable = canWrite(state);
    const by = state.members.length > 1 ? new Map(state.members.map((mb) => [mb.id, mb.id === state.me ? "you" : mb.email])) : null;
    const targets = state.lists.filter((l) => l.role !== "viewer" && l.id !== state.listId).map((l) => ({ id: l.id, name: l.name }));
    const items = shown(state);
    const gone = editedGone(state);
    const moved = movedTo(state);
    const today = localDay(new Date());
    current = {
      items,
      more: state.more,
      editing: state.editing === null ? -1 : items.findIndex((t) => t.id === state.editing),
      patch: (row, item) => {
        // Its editor's code not fetched yet: the row shows closed until it is (then it paints again).
        const editing = !!later && state.editing === item.id;
        const context = {
          writable,
          editor: by && item.lastEditedBy ? (by.get(item.lastEditedBy) ?? null) : null,
          targets,
          opened: editing ? state.opened : null,
          gone: editing && gone,
          moved: editing && moved ? { to: moved.name, now: state.moved! } : null,
        };
        updateRow(row, item, editing, today, locale, context);
        if (editing) later?.patchEditor(kit, row, item, today, locale, () => takeDraft(item.id), context);
      },
    };

    const total = state.items.length + (state.more ?? 0);
    const loading = !state.loaded && total === 0;
    $("loading").hidden = !loading;
    // Below the list: shown once the list is, so the list's arrival never pushes it down (CLS).
    $("account").hidden = loading;
    $("new").hidden = !writable;
    $("viewer-note").hidden = writable;
    $("bulk").hidden = total === 0 || !writable;
    $("search-bar").hidden = total === 0 && !state.query;
    $("toggle-all").textContent = markAllTarget(state) ? "Mark all as done" : "Mark all as not done";
    $("foot").hidden = total === 0;
    $("count").textContent = itemsLeftText(state);
    $("waiting").textContent = waitingText(state.waiting);
    $("clear").hidden = completedCount(state) === 0 || !writable;
    const empty = $("empty");
    empty.hidden = !state.loaded || items.length > 0;
    empty.textContent =
      total === 0
        ? "Nothing to do yet. Add your first to-do above."
        : state.query
          ? `No to-dos match “${state.query.trim()}”.`
          : `No ${state.filter} to-dos.`;
    document.querySelectorAll<HTMLAnchorElement>("[data-filter]").forEach((link) => {
      if (link.dataset.filter === state.filter) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    // Fetched once the list shows (or an editor or a conflict needs it).
    if (state.loaded || state.editing !== null || state.conflicts.length) showConflicts(state.conflicts);
    paint(1, top);
  }

  // The editor and the conflict view are code loaded on demand (later.ts): fetched once the list
  // shows, or when a conflict or an open editor needs it.
  let later: typeof import("./later") | undefined;
  let fetching: Promise<typeof import("./later")> | undefined;
  const fetchLater = () =>
    (fetching ??= import("./later").then((code) => {
      later = code;
      paint();
      return code;
    }));
  let conflicts: readonly Conflict[] = [];
  function showConflicts(latest: readonly Conflict[]): void {
    conflicts = latest;
    fetchLater().then(
      (v) => v.renderConflicts(kit, $("conflicts"), conflicts, localDay(new Date()), locale),
      () => (fetching = undefined), // not fetched (offline, no worker yet): the next render tries again
    );
  }

  /**
   * Puts in the DOM the rows within a screen's height above and below the screen (window.ts; a
   * small list whole), plus the rows that must stay whatever the scroll: the open editor's (what
   * is typed in it), the focused one's and the dragged one's, placed where they belong. The
   * list's padding stands for the rows not rendered, so the page is as tall as the whole list.
   */
  function paint(again = 1, top = -list.getBoundingClientRect().top): void {
    const { items, more = 0, editing, patch } = current;
    const g = { count: items.length + more, row: rowHeight, editing, editHeight };
    const [first, last] = g.count <= WHOLE_UP_TO ? [0, g.count] : rangeOf(g, top - innerHeight, top + 2 * innerHeight);
    // Rows of a glance's list not read yet are padding, until the whole copy is.
    const end = Math.min(last, items.length);
    const start = Math.min(first, end);
    const indexOf = (id: string | null | undefined) => (id ? items.findIndex((t) => t.id === id) : -1);
    const kept = new Set([editing, indexOf(dragged)]);
    const focused = (document.activeElement?.closest("#list > li") as HTMLLIElement | null)?.dataset.id;
    let refocus = indexOf(focused);
    kept.add(refocus);
    // The focused row leaves (deleted, or toggled out of a filter): its follower, else the last row, takes the focus.
    if (focused && refocus < 0) kept.add((refocus = Math.min(placed.get(focused) ?? 0, items.length - 1)));
    else refocus = -1;
    const order = [...kept].filter((i) => i >= 0 && (i < start || i >= end));
    for (let i = start; i < end; i++) order.push(i);
    order.sort((a, b) => a - b);
    const wanted = new Set(order.map((i) => items[i].id));
    for (const [id, row] of rows) {
      if (wanted.has(id)) continue;
      row.remove();
      rows.delete(id);
    }
    placed = new Map();
    let previous: HTMLLIElement | null = null;
    for (const i of order) {
      const item = items[i];
      let row = rows.get(item.id);
      if (!row) {
        row = createRow();
        rows.set(item.id, row);
      }
      const expectedPlace: ChildNode | null = previous ? previous.nextSibling : list.firstChild;
      if (expectedPlace !== row) list.insertBefore(row, expectedPlace);
      patch(row, item);
      // Screen readers hear the whole list's size and each row's place in it.
      row.setAttribute("aria-posinset", String(i + 1));
      row.setAttribute("aria-setsize", String(g.count));
      // A kept row outside the window sits where it belongs, over the padding that stands for it.
      const out = i < start || i >= end;
      row.classList.toggle("kept", out);
      row.style.top = out ? `${offsetOf(g, i)}px` : "";
      placed.set(item.id, i);
      previous = row;
    }
    list.style.paddingTop = `${offsetOf(g, start)}px`;
    list.style.paddingBottom = `${offsetOf(g, g.count) - offsetOf(g, end)}px`;
    if (refocus >= 0) rows.get(items[refocus].id)?.querySelector<HTMLElement>(".toggle")?.focus();
    else if (focused && !items.length) newTitle.focus();
    // Heights as rendered (the font size, the open editor): once more with them if they differ.
    const height = (i: number) => rows.get(items[i]?.id)?.getBoundingClientRect().height ?? 0;
    const sample = measured ? rowHeight : height(start === editing ? start + 1 : start);
    measured ||= sample > 0;
    const edit = editing >= 0 ? height(editing) : editHeight;
    if ((sample && sample !== rowHeight) || edit !== editHeight) {
      rowHeight = sample || rowHeight;
      editHeight = edit;
      if (again) paint(again - 1);
    }
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

  const search = $<HTMLInputElement>("search");
  search.addEventListener("input", () => intents.search(search.value));
  // Escape in the search field empties it (the browser's own for type=search, said here for all).
  search.addEventListener("keydown", (event) => event.key === "Escape" && search.value && intents.search((search.value = "")));

  const help = $<HTMLDialogElement>("help");
  $("help-open").addEventListener("click", () => showHelp());
  $("help-close").addEventListener("click", () => help.close());
  /** The shortcuts, listed from the one table (shortcuts.ts, in the code fetched after the first paint). */
  function showHelp(): void {
    fetchLater().then(
      ({ SHORTCUTS }) => {
        $("help-keys").replaceChildren(...SHORTCUTS.flatMap((s) => [el("dt", {}, s.shown), el("dd", {}, s.does)]));
        if (!help.open) help.showModal();
      },
      () => (fetching = undefined), // not fetched (offline, no worker yet): the next opening tries again
    );
  }

  /** Moves the focus `step` rows from the focused one (to the first or last when none is): scrolled to, rendered, focused. */
  function focusRow(step: 1 | -1): void {
    const { items } = current;
    if (!items.length) return;
    const id = (document.activeElement?.closest("#list > li") as HTMLLIElement | null)?.dataset.id;
    const at = id ? items.findIndex((t) => t.id === id) : -1;
    const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + step));
    const y =
      list.getBoundingClientRect().top +
      scrollY +
      offsetOf({ count: items.length, row: rowHeight, editing: current.editing, editHeight }, next);
    if (y < scrollY + rowHeight || y + 2 * rowHeight > scrollY + innerHeight) scrollTo({ top: y - innerHeight / 3 });
    paint();
    rows.get(items[next].id)?.querySelector<HTMLElement>("input:not(:disabled), button:not([hidden])")?.focus();
  }

  return {
    render,
    focusRow,
    showHelp,
    /** The search field (the "/" shortcut focuses it). */
    search,
    showMessage,
    /** Whether the first load failed: shows "Retry" in place of "Loading…". */
    loadFailed(failed: boolean): void {
      $("retry").hidden = !failed;
      $("loading-text").textContent = failed ? "Your to-dos could not be loaded." : "Loading your to-dos…";
    },
    keepDraft: (id: string, draft: Draft) => drafts.set(id, draft),
    /**
     * A to-do made here got its real id: its row element (and an open editor in it, with its
     * text, caret and focus) carries on under that id instead of being replaced by a new one.
     */
    renameRow(from: string, to: string): void {
      const row = rows.get(from);
      if (row && !rows.has(to)) {
        rows.delete(from);
        rows.set(to, row);
        row.dataset.id = to;
      }
      const draft = drafts.get(from);
      if (draft) {
        drafts.delete(from);
        drafts.set(to, draft);
      }
    },
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
      current = { items: [], editing: -1, patch: () => undefined };
      paint();
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
