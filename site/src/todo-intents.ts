/**
 * What the person does to the to-dos of the list shown, as intents for the sync engine (app.ts
 * queues them): add, tick, edit (saved on the version the editor opened, so a change made
 * elsewhere meanwhile meets the conflict rules; a to-do deleted or moved under its editor keeps
 * the text), delete, "Mark all" and "Clear completed" (both with Undo), order by hand, move to
 * another list. Each says what it did to screen readers (`announce`).
 */
import { editedText, formatDay, localDay } from "./due";
import { cleanTitle, createIntent, saveIntent } from "./edits";
import { kit } from "./kit";
import type * as Later from "./later";
import * as m from "./model";
import { fieldsOf, type Intent, type Snapshot, type UndoableIntent } from "./replica";
import { announce, type TodoView } from "./view";

export interface TodoContext {
  /** The person's id (their first list's id). */
  readonly me: string;
  readonly state: () => m.State;
  readonly set: (next: m.State) => void;
  /** The server's copy as the device holds it (the versions a change is based on). */
  readonly snapshot: () => Snapshot;
  readonly queue: (...intents: Intent[]) => void;
  /** Queues a change held for Undo, and offers it. */
  readonly undoable: (intent: UndoableIntent, said: string, restored: string) => void;
  readonly view: Pick<TodoView, "clearNew" | "locale" | "newTitle">;
  /** The code fetched after the first paint (order.ts's keys come with it). */
  readonly later: Promise<typeof Later>;
}

export function createTodoIntents({ me, state: current, set, snapshot, queue, undoable, view, later }: TodoContext) {
  const today = () => localDay(new Date());
  const listId = () => current().listId ?? me;
  const baseOf = (id: string) => snapshot().todos.get(`${listId()}/${id}`)?.version ?? 0;

  /** Deletes a to-do (of the list shown, or one moved to another list under its editor), with Undo. */
  function removeTodo(item: m.Item): void {
    const state = current();
    if (state.editing === item.id) set(m.withEditing(state, null)); // not "deleted elsewhere"
    const base = snapshot().todos.get(`${item.listId}/${item.id}`)?.version ?? 0;
    undoable(
      { kind: "delete", listId: item.listId, id: item.id, base, was: fieldsOf(item) },
      `Deleted “${item.title}”.`,
      `Restored “${item.title}”.`,
    );
  }

  return {
    add(text: string, dueDate: string | null): void {
      const title = cleanTitle(text);
      if (!title) return;
      view.clearNew();
      queue(createIntent(listId(), { title, dueDate }));
      announce(`Added “${title}”${dueDate ? `, due ${formatDay(dueDate, today(), view.locale)}` : ""}.`);
    },
    toggle(id: string): void {
      const state = current();
      const item = m.find(state, id);
      if (!item) return;
      const completed = !item.completed;
      queue({ kind: "update", listId: listId(), id, base: baseOf(id), changes: { completed }, was: fieldsOf(item) });
      announce(`“${item.title}” marked as ${completed ? "done" : "not done"}.`);
    },
    startEdit(id: string): void {
      const state = current();
      // One deleted elsewhere under its editor waits for Restore or Discard first.
      if (m.editedGone(state)) return announce("First restore or discard the to-do deleted on another device.");
      if (m.find(state, id)) set(m.withEditing(state, id));
    },
    cancelEdit(id: string): void {
      const state = current();
      if (state.editing !== id) return;
      if (m.editedGone(state)) announce(`Discarded “${state.opened?.title}”.`);
      set(m.withEditing(state, null));
    },
    saveEdit(id: string, text: string, due: string | null | undefined): void {
      const state = current();
      if (state.editing !== id) return;
      // Moved to another list elsewhere while open: saved there (on the version it opened, so a
      // change made with the move meets the conflict rules, as any change underneath does).
      const movedTo = m.movedTo(state);
      const [opened, now] = [state.opened, m.find(state, id) ?? (movedTo ? state.moved! : undefined)];
      const title = cleanTitle(text);
      set(m.withEditing(state, null));
      if (!opened) return;
      if (title === "" && now) return removeTodo(now);
      const intent = saveIntent(opened, now, title, due);
      if (!intent) return;
      queue(intent);
      if (intent.kind === "create") announce(`${opened.pending ? "Added" : "Restored"} “${title}”.`);
      else if (intent.kind === "update")
        announce(editedText(opened.title, intent.changes, today(), view.locale) + (movedTo ? ` It is in ${movedTo.name}.` : ""));
    },
    remove(id: string): void {
      const state = current();
      const item = m.find(state, id);
      if (item) removeTodo(item);
    },
    toggleAll(): void {
      const state = current();
      const completed = m.markAllTarget(state);
      const n = state.items.filter((t) => t.completed !== completed).length;
      undoable(
        { kind: "markAll", listId: listId(), completed },
        `Marked ${n} to-dos as ${completed ? "done" : "not done"}.`,
        `Undone: ${n} to-dos are as they were.`,
      );
    },
    clearCompleted(): void {
      const state = current();
      const n = m.completedCount(state);
      if (state.editing && m.find(state, state.editing)?.completed) set(m.withEditing(state, null));
      view.newTitle.focus();
      undoable(
        { kind: "clearCompleted", listId: listId() },
        `Deleted ${n} completed ${n === 1 ? "to-do" : "to-dos"}.`,
        `Restored ${n} completed ${n === 1 ? "to-do" : "to-dos"}.`,
      );
    },
    /**
     * Moves a to-do in the manual order: `before` is the to-do it goes above (null: to the
     * bottom), or a step (-1 up, +1 down) among those shown. One PATCH of that to-do only.
     */
    reorder(id: string, to: { before: string | null } | { step: -1 | 1 }): void {
      // order.ts comes with the code fetched after the first paint (later.ts): the first page's
      // weight is budgeted, and a move comes after the first paint.
      void later.then(({ reorder }) => reorder(kit, { state: current, snapshot, queue }, id, to));
    },
    /** Moves a to-do to another list the person can write to. */
    moveTo(id: string, target: string): void {
      const state = current();
      const item = m.find(state, id);
      const to = state.lists.find((l) => l.id === target);
      if (!item || !to || to.id === item.listId) return;
      set(m.withEditing(state, null));
      queue({ kind: "update", listId: listId(), id, base: baseOf(id), changes: { listId: target }, was: fieldsOf(item) });
      announce(`Moved “${item.title}” to ${to.name}.`);
    },
  };
}
