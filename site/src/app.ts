/**
 * The to-do controller: turns intents into optimistic state changes and API calls; sync.ts
 * rolls refused changes back and explains them (412: re-read; 404: gone).
 *
 * - Nothing typed is lost: a failed add puts the title and due date back in the form, a failed
 *   edit re-opens the editor with what was typed.
 * - Screen-reader users hear each confirmed change in a polite live region.
 */
import { ApiError, type Api } from "./api";
import { editChanges, editedText, formatDay, localDay } from "./due";
import * as m from "./model";
import { createSync, reason, sessionOver, type AppHooks } from "./sync";
import { announce, type TodoView } from "./view";

export type { AppHooks };

export function createApp(api: Api, view: TodoView, hooks: AppHooks) {
  let state: m.State = m.withFilter(m.initialState, m.filterFromHash(location.hash));
  let alive = true;

  function set(next: m.State): void {
    state = next;
    if (alive) view.render(state);
  }

  const { confirmed, remember, serially, failed, update } = createSync(api, view, hooks, { get: () => state, set, alive: () => alive });
  const today = () => localDay(new Date());

  const intents = {
    add(title: string, dueDate: string | null): void {
      const tempId = `pending-${crypto.randomUUID()}`;
      const now = new Date().toISOString();
      view.clearNew();
      set(m.added(state, { id: tempId, title, completed: false, dueDate, createdAt: now, updatedAt: now, version: 0, pending: true }));
      api.create({ title, ...(dueDate && { dueDate }) }, crypto.randomUUID()).then(
        (todo) => {
          set(m.replaced(state, tempId, remember(todo)));
          announce(`Added “${todo.title}”${todo.dueDate ? `, due ${formatDay(todo.dueDate, today(), view.locale)}` : ""}.`);
        },
        async (err) => {
          set(m.removed(state, [tempId]));
          view.restoreNew(title, dueDate);
          await failed(err, `Could not add “${title}”`);
        },
      );
    },

    toggle(id: string): void {
      const item = m.find(state, id);
      if (!item || item.pending) return;
      const completed = !item.completed;
      update(id, { completed }, `Could not save the change to “${item.title}”`, () =>
        announce(`“${item.title}” marked as ${completed ? "done" : "not done"}.`),
      );
    },

    startEdit(id: string): void {
      const item = m.find(state, id);
      if (item && !item.pending) set(m.withEditing(state, id));
    },

    cancelEdit(id: string): void {
      if (state.editing === id) set(m.withEditing(state, null));
    },

    saveEdit(id: string, text: string, due: string | null | undefined): void {
      if (state.editing !== id) return;
      const item = m.find(state, id);
      const title = text.trim();
      set(m.withEditing(state, null));
      if (!item) return;
      if (title === "") {
        intents.remove(id);
        return;
      }
      // A half-typed date (undefined) leaves the date as it was.
      const dueDate = due === undefined ? item.dueDate : due;
      const changes = editChanges(item, title, dueDate);
      if (!changes) return;
      update(
        id,
        changes,
        `Could not save your edit of “${item.title}”`,
        () => announce(editedText(item.title, changes, today(), view.locale)),
        () => {
          // Re-open the editor with what was typed, so nothing is lost.
          if (!m.find(state, id) || state.editing !== null) return;
          view.keepDraft(id, { title: text, dueDate });
          set(m.withEditing(state, id));
        },
      );
    },

    remove(id: string): void {
      const item = m.find(state, id);
      if (!item || item.pending) return;
      const before = state.items;
      view.focusAfterRemoval(id);
      set(m.removed(state, [id]));
      serially(id, async () => {
        const base = confirmed.get(id);
        if (!base) return;
        try {
          await api.remove(id, base.version);
          confirmed.delete(id);
          announce(`Deleted “${item.title}”.`);
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404)) set(m.restored(state, before));
          await failed(err, `Could not delete “${item.title}”`, id);
        }
      });
    },

    toggleAll(): void {
      const plan = m.toggleAllPlan(state);
      let left = plan.ids.length;
      for (const id of plan.ids) {
        update(id, { completed: plan.completed }, "Could not save the change", () => {
          if (--left === 0) announce(`Marked ${plan.ids.length} to-dos as ${plan.completed ? "done" : "not done"}.`);
        });
      }
    },

    clearCompleted(): void {
      const before = state.items;
      const ids = before.filter((t) => t.completed && !t.pending).map((t) => t.id);
      set(m.removed(state, ids));
      view.newTitle.focus();
      api.clearCompleted().then(
        ({ deleted }) => {
          for (const id of ids) confirmed.delete(id);
          announce(`Deleted ${deleted} completed ${deleted === 1 ? "to-do" : "to-dos"}.`);
        },
        async (err) => {
          set(m.restored(state, before));
          await failed(err, "Could not clear the completed to-dos");
        },
      );
    },

    async loadMore(): Promise<void> {
      if (!state.nextCursor) return;
      try {
        const page = await api.list(state.nextCursor);
        page.items.forEach(remember);
        set(m.loadedMore(state, page.items, page.nextCursor));
        announce(`Loaded ${page.items.length} more.`);
      } catch (err) {
        await failed(err, "Could not load more to-dos");
      }
    },
  };

  return {
    intents,
    /** Loads the first page (again). */
    async load(): Promise<void> {
      try {
        const page = await api.list(null);
        confirmed.clear();
        page.items.forEach(remember);
        set(m.loadedFirstPage(state, page.items, page.nextCursor));
      } catch (err) {
        if (sessionOver(err)) return failed(err, "Could not load your to-dos");
        view.showMessage(`Could not load your to-dos: ${reason(err)} They load when you reconnect or reload.`);
      }
    },
    filterChanged(): void {
      set(m.withFilter(state, m.filterFromHash(location.hash)));
      const n = m.visible(state).length;
      announce(`Showing ${state.filter === "all" ? "all" : state.filter} to-dos: ${n}.`);
    },
    get state(): m.State {
      return state;
    },
    /** Stops rendering (signed out); pending answers are ignored. */
    stop(): void {
      alive = false;
    },
  };
}

export type App = ReturnType<typeof createApp>;
