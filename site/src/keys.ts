/**
 * The page's keyboard shortcuts (the table and the matching are shortcuts.ts, in the code fetched
 * after the first paint): acted on here, never a typed letter. A key pressed before that code is
 * there acts once it is (its default is not stopped). Part of the screen's controller (app.ts).
 */
import type * as Later from "./later";
import type { ShortcutAction } from "./shortcuts";
import type { createUndo } from "./undo";
import type { TodoView } from "./view";

export function listenToKeys(app: { later: Promise<typeof Later>; undo: ReturnType<typeof createUndo>; view: TodoView; alive(): boolean }) {
  const { later, undo, view } = app;
  let shortcutOf: ((event: KeyboardEvent) => ShortcutAction | null) | undefined;
  void later.then((code) => (shortcutOf = code.shortcutOf)).catch(() => undefined);
  /** True: acted. */
  const act = (event: KeyboardEvent): boolean => {
    const action = shortcutOf?.(event);
    if (action === "undo" && undo.offered) void undo.undo();
    else if (action === "newTodo") view.newTitle.focus();
    else if (action === "search") view.search.focus();
    else if (action === "next" || action === "previous") view.focusRow(action === "next" ? 1 : -1);
    else if (action === "help") view.showHelp();
    else return false;
    return true;
  };
  const onKey = (event: KeyboardEvent) =>
    shortcutOf ? act(event) && event.preventDefault() : void later.then(() => app.alive() && act(event)).catch(() => undefined);
  document.addEventListener("keydown", onKey);
  return { stop: () => document.removeEventListener("keydown", onKey) };
}
