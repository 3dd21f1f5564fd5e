/**
 * What the screen does when the server refuses a change for good, or cannot be reached: the
 * refusal said in words with what was typed given back (a refused add's title in the form, or
 * its editor kept with its text; a refused edit's editor re-opened with it), and a message about
 * the trouble that goes once the server answers again. Part of the screen's controller (app.ts).
 */
import type * as Later from "./later";
import * as m from "./model";
import type { Intent } from "./replica";
import type { TodoView } from "./view";
import { kit } from "./kit";
import { explain, troubleText } from "./words";

export function createSetbacks(app: {
  view: TodoView;
  /** The code fetched after the first paint (the words for what could not be done are there). */
  later: Promise<typeof Later>;
  state(): m.State;
  set(next: m.State): void;
  alive(): boolean;
}) {
  const { view, later } = app;
  /** The message on screen about a failure to reach the server ("" if none): it goes once that works. */
  let trouble = "";
  return {
    refused(intent: Intent, err: unknown): void {
      // Said in words fetched after the first paint (this is the rare case).
      void later.then(
        (code) => app.alive() && view.showMessage(`${code.couldNot(intent)}: ${code.refusal(kit, err)}`),
        () => app.alive() && view.showMessage(`Could not save a change: ${explain(err)}`),
      );
      trouble = "";
      const state = app.state();
      // A refused add: its title back in the form, unless its editor is open (it keeps what is typed there).
      if (intent.kind === "create" && state.editing !== intent.id) view.restoreNew(intent.title, intent.dueDate);
      // A refused edit of the title or date: the editor re-opens with what was typed.
      if (intent.kind !== "update" || state.editing !== null || !m.find(state, intent.id)) return;
      const { id, changes, was } = intent;
      if ("title" in changes || "dueDate" in changes) {
        view.keepDraft(id, {
          title: changes.title ?? was.title,
          dueDate: "dueDate" in changes ? (changes.dueDate ?? null) : was.dueDate,
        });
        app.set(m.withEditing(state, id));
      }
    },
    trouble(err: unknown): void {
      if (err === null) {
        view.loadFailed(false);
        if (trouble) view.showMessage("");
        trouble = "";
        return;
      }
      const state = app.state();
      if (!state.loaded) view.loadFailed(true);
      // Offline is shown by the banner and the count of changes waiting; the rest says why and what is kept.
      const text = troubleText(err, { waiting: state.waiting, loaded: state.loaded, online: navigator.onLine });
      if (text !== trouble) view.showMessage(text);
      trouble = text;
    },
  };
}
