/**
 * Keeps the screen truthful while changes travel to the API (the app's intents use it):
 *
 * - Every change shows at once; if the API refuses it, the to-do goes back to the server's
 *   copy and a visible message (role=alert) says what happened.
 * - 412 (changed elsewhere): the to-do is re-read and shown as it now is; 404: it is removed.
 * - Calls about one to-do run one after another, each with the latest confirmed version in
 *   If-Match, so quick double toggles never conflict with themselves.
 */
import { ApiError, OfflineError, type Api } from "./api";
import { AuthError } from "./auth";
import * as m from "./model";
import type { TodoView } from "./view";

/** The refresh token was refused (revoked, expired) or is missing: only signing in again helps. */
export const sessionOver = (err: unknown): boolean =>
  err instanceof AuthError && (err.code === "NotAuthorizedException" || err.code === "SignedOut");

export function reason(err: unknown): string {
  if (err instanceof OfflineError || (err instanceof AuthError && err.code === "Offline")) {
    return "the server could not be reached. Check your connection.";
  }
  return err instanceof ApiError ? err.message : "something went wrong. Try again.";
}

export interface AppHooks {
  /** The session is gone (refresh refused): back to sign-in. */
  signedOut(message: string): void;
}

/** The app's state, which sync reads and replaces (each replacement renders). */
export interface StateBox {
  get(): m.State;
  set(next: m.State): void;
  /** False once signed out: late answers change nothing. */
  alive(): boolean;
}

export function createSync(api: Api, view: Pick<TodoView, "showMessage">, hooks: AppHooks, box: StateBox) {
  /** The server's copy of each to-do: what a failed change rolls back to. */
  const confirmed = new Map<string, m.Todo>();
  const queues = new Map<string, Promise<unknown>>();
  /** How many changes to each to-do are not answered yet. */
  const inflight = new Map<string, number>();

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
    if (!box.alive()) return;
    if (sessionOver(err)) {
      hooks.signedOut("Your session has ended. Sign in again; your to-dos are safe.");
      return;
    }
    const todo = id ? confirmed.get(id) : undefined;
    const name = todo ? `“${todo.title}”` : "the to-do";
    if (err instanceof ApiError && err.status === 412 && id) {
      try {
        const fresh = remember(await api.get(id));
        box.set(m.replaced(box.get(), id, fresh));
        view.showMessage(`${name} was changed somewhere else, so your change was not applied. It now shows the latest version.`);
      } catch (again) {
        await failed(again, couldNot, id);
      }
      return;
    }
    if (err instanceof ApiError && err.status === 404 && id) {
      confirmed.delete(id);
      box.set(m.removed(box.get(), [id]));
      view.showMessage(`${name} no longer exists: it was deleted somewhere else.`);
      return;
    }
    if (id && todo) box.set(m.replaced(box.get(), id, todo));
    view.showMessage(`${couldNot}: ${reason(err)}`);
  }

  /** Shows `changes` at once, then PATCHes them (If-Match: the confirmed version). */
  function update(id: string, changes: m.Changes, couldNot: string, done: () => void, onFail?: () => void): void {
    box.set(m.changed(box.get(), id, changes));
    inflight.set(id, (inflight.get(id) ?? 0) + 1);
    serially(id, async () => {
      const base = confirmed.get(id);
      try {
        if (!base) return;
        const saved = remember(await api.update(id, base.version, changes));
        const shown = m.find(box.get(), id);
        // A later change is still on its way: keep showing it, take only the new version.
        const later = (inflight.get(id) ?? 0) > 1 && shown;
        box.set(
          m.replaced(box.get(), id, later ? { ...saved, title: shown.title, completed: shown.completed, dueDate: shown.dueDate } : saved),
        );
        done();
      } catch (err) {
        await failed(err, couldNot, id);
        onFail?.();
      } finally {
        inflight.set(id, (inflight.get(id) ?? 1) - 1);
      }
    });
  }

  return { confirmed, remember, serially, failed, update };
}
