/**
 * The to-do controller: turns intents into optimistic state changes and API calls.
 *
 * - Every change shows at once; if the API refuses it, the to-do goes back to the server's
 *   copy and a visible message (role=alert) says what happened.
 * - 412 (changed elsewhere): the to-do is re-read and shown as it now is; 404: it is removed.
 * - Calls about one to-do run one after another, each with the latest confirmed version in
 *   If-Match, so quick double toggles never conflict with themselves.
 * - Nothing typed is lost: a failed add puts the title back in the input, a failed edit
 *   re-opens the editor with the text.
 */
import { ApiError, OfflineError, type Api } from "./api";
import * as m from "./model";
import { AuthError } from "./auth";
import { announce, type TodoView } from "./view";

/** The refresh token was refused (revoked, expired) or is missing: only signing in again helps. */
const sessionOver = (err: unknown): boolean =>
  err instanceof AuthError && (err.code === "NotAuthorizedException" || err.code === "SignedOut");

function reason(err: unknown): string {
  if (err instanceof OfflineError || (err instanceof AuthError && err.code === "Offline")) {
    return "the server could not be reached. Check your connection.";
  }
  return err instanceof ApiError ? err.message : "something went wrong. Try again.";
}

export interface AppHooks {
  /** The session is gone (refresh refused): back to sign-in. */
  signedOut(message: string): void;
}

export function createApp(api: Api, view: TodoView, hooks: AppHooks) {
  let state: m.State = m.withFilter(m.initialState, m.filterFromHash(location.hash));
  /** The server's copy of each to-do: what a failed change rolls back to. */
  const confirmed = new Map<string, m.Todo>();
  const queues = new Map<string, Promise<unknown>>();
  /** How many changes to each to-do are not answered yet. */
  const inflight = new Map<string, number>();
  let alive = true;

  function set(next: m.State): void {
    state = next;
    if (alive) view.render(state);
  }

  function remember(todo: m.Todo): m.Todo {
    confirmed.set(todo.id, todo);
    return todo;
  }

  /** Runs `task` after earlier tasks for the same to-do. */
  function serially(id: string, task: () => Promise<void>): void {
    const run = (queues.get(id) ?? Promise.resolve()).then(task, task);
    queues.set(id, run);
    void run.finally(() => queues.get(id) === run && queues.delete(id));
  }

  /**
   * Explains a failure, rolls `id` back (when given) and keeps the screen truthful.
   * `couldNot` starts the message: "Could not delete “Milk”".
   */
  async function failed(err: unknown, couldNot: string, id?: string): Promise<void> {
    if (!alive) return;
    if (sessionOver(err)) {
      hooks.signedOut("Your session has ended. Sign in again; your to-dos are safe.");
      return;
    }
    const todo = id ? confirmed.get(id) : undefined;
    const name = todo ? `“${todo.title}”` : "the to-do";
    if (err instanceof ApiError && err.status === 412 && id) {
      try {
        const fresh = remember(await api.get(id));
        set(m.replaced(state, id, fresh));
        view.showMessage(`${name} was changed somewhere else, so your change was not applied. It now shows the latest version.`);
      } catch (again) {
        await failed(again, couldNot, id);
      }
      return;
    }
    if (err instanceof ApiError && err.status === 404 && id) {
      confirmed.delete(id);
      set(m.removed(state, [id]));
      view.showMessage(`${name} no longer exists: it was deleted somewhere else.`);
      return;
    }
    if (id && todo) set(m.replaced(state, id, todo));
    view.showMessage(`${couldNot}: ${reason(err)}`);
  }

  function update(id: string, changes: { title?: string; completed?: boolean }, couldNot: string, done: () => void, onFail?: () => void): void {
    set(m.changed(state, id, changes));
    inflight.set(id, (inflight.get(id) ?? 0) + 1);
    serially(id, async () => {
      const base = confirmed.get(id);
      try {
        if (!base) return;
        const saved = remember(await api.update(id, base.version, changes));
        const shown = m.find(state, id);
        // A later change is still on its way: keep showing it, take only the new version.
        const later = (inflight.get(id) ?? 0) > 1 && shown;
        set(m.replaced(state, id, later ? { ...saved, title: shown.title, completed: shown.completed } : saved));
        done();
      } catch (err) {
        await failed(err, couldNot, id);
        onFail?.();
      } finally {
        inflight.set(id, (inflight.get(id) ?? 1) - 1);
      }
    });
  }

  const intents = {
    add(title: string): void {
      const tempId = `pending-${crypto.randomUUID()}`;
      const now = new Date().toISOString();
      view.newTitle.value = "";
      set(m.added(state, { id: tempId, title, completed: false, dueDate: null, createdAt: now, updatedAt: now, version: 0, pending: true }));
      api.create(title, crypto.randomUUID()).then(
        (todo) => {
          set(m.replaced(state, tempId, remember(todo)));
          announce(`Added “${todo.title}”.`);
        },
        async (err) => {
          set(m.removed(state, [tempId]));
          // Give the text back unless something new has been typed meanwhile.
          if (view.newTitle.value === "") view.newTitle.value = title;
          await failed(err, `Could not add “${title}”`);
        },
      );
    },

    toggle(id: string): void {
      const item = m.find(state, id);
      if (!item || item.pending) return;
      const completed = !item.completed;
      update(id, { completed }, `Could not save the change to “${item.title}”`, () => announce(`“${item.title}” marked as ${completed ? "done" : "not done"}.`));
    },

    startEdit(id: string): void {
      const item = m.find(state, id);
      if (item && !item.pending) set(m.withEditing(state, id));
    },

    cancelEdit(id: string): void {
      if (state.editing === id) set(m.withEditing(state, null));
    },

    saveEdit(id: string, text: string): void {
      if (state.editing !== id) return;
      const item = m.find(state, id);
      const title = text.trim();
      set(m.withEditing(state, null));
      if (!item || title === item.title) return;
      if (title === "") {
        intents.remove(id);
        return;
      }
      update(id, { title }, `Could not save your edit of “${item.title}”`, () => announce(`Renamed to “${title}”.`), () => {
        // Re-open the editor with what was typed, so nothing is lost.
        if (!m.find(state, id) || state.editing !== null) return;
        view.keepDraft(id, text);
        set(m.withEditing(state, id));
      });
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
