/**
 * What the person's edits become as intents, as pure functions (test/site runs them under Node):
 * a title cleaned the way the server takes it, an editor's save based on the version the editor
 * opened, a to-do restored from an editor whose to-do was deleted elsewhere. ("Keep mine" and the
 * words for a refused change are in conflicts-view.ts, fetched after the first paint.)
 */
import { editChanges } from "./due";
import type { Item } from "./model";
import { fieldsOf, type Intent } from "./replica";

/**
 * A title the API accepts: line breaks and tabs (pasted text) become one space, other control
 * characters and U+FFFD (broken encoding) are dropped, ends trimmed. Everything else stays:
 * letters of any script, emoji (joiners and variation selectors are not control characters).
 * The API refuses C0 controls, DEL and U+FFFD (handlers/schemas.ts, test/site holds the two equal).
 */
export function cleanTitle(text: string): string {
  return (
    text
      .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, " ")
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "")
      .trim()
  );
}

/** A new to-do in list `listId` (a local id until the server answers; the key makes a retried POST one to-do). */
export function createIntent(listId: string, fields: { title: string; dueDate: string | null; completed?: boolean }): Intent {
  const key = crypto.randomUUID();
  const { title, dueDate, completed = false } = fields;
  return { kind: "create", listId, id: `local-${key}`, key, title, dueDate, completed, createdAt: new Date().toISOString() };
}

/**
 * What saving an editor queues. `opened` is the to-do as the editor opened it: the change is
 * what the person changed from that, sent with If-Match of that version, so a change made
 * elsewhere meanwhile meets the conflict rules (a 412, then "Changed in two places") instead of
 * being overwritten. `now` is the to-do now (undefined: deleted meanwhile; saving restores it).
 * `dueDate` undefined: the date field was left half typed, so the date stays as it opened.
 * A restore goes to the list the to-do was in when the editor opened; a change to the list `now`
 * is in (moved to another list elsewhere meanwhile: the change follows it there).
 */
export function saveIntent(opened: Item, now: Item | undefined, title: string, dueDate: string | null | undefined): Intent | null {
  const due = dueDate === undefined ? opened.dueDate : dueDate;
  if (!now) return title ? createIntent(opened.listId, { title, dueDate: due, completed: opened.completed }) : null;
  const changes = editChanges(opened, title, due);
  return changes && { kind: "update", listId: now.listId, id: opened.id, base: opened.version, changes, was: fieldsOf(opened) };
}
