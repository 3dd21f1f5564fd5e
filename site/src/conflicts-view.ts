/**
 * Conflicts, shown until the person decides (and the words for a change refused for good): a change made here met a newer version made on
 * another device. Both versions are shown side by side; "Keep mine" sends mine on top of theirs,
 * "Keep theirs" lets mine go. Rebuilt on each render (there are few), text through textContent.
 */
import type { Kit } from "./kit";
import type { Conflict, Fields, Intent } from "./replica";

export type Choice = "mine" | "theirs";

function describe({ formatDay }: Kit, f: Fields, today: string, locale: string): string {
  const due = f.dueDate ? `, due ${formatDay(f.dueDate, today, locale)}` : "";
  return `“${f.title}”${due}, ${f.completed ? "done" : "not done"}`;
}

/** The sentence and the two buttons' words for one conflict. */
export function conflictText(
  kit: Kit,
  c: Conflict,
  today: string,
  locale: string,
): { say: string; mine: string; theirs: string; keep: [string, string] } {
  const mine = c.deleted ? "deleted" : describe(kit, c.seen, today, locale);
  const theirs = c.theirs ? describe(kit, c.theirs, today, locale) : "deleted";
  if (c.deleted) {
    return {
      say: `You deleted “${c.title}”, but it was changed on another device meanwhile.`,
      mine,
      theirs,
      keep: ["Delete it", "Keep their version"],
    };
  }
  if (!c.theirs) {
    return {
      say: `“${c.title}” was deleted on another device while you changed it here.`,
      mine,
      theirs,
      keep: ["Keep mine", "Let it go"],
    };
  }
  return {
    say: `“${c.title}” was changed on another device while you changed it here.`,
    mine,
    theirs,
    keep: ["Keep mine", "Keep theirs"],
  };
}

export function renderConflicts(kit: Kit, box: HTMLElement, conflicts: readonly Conflict[], today: string, locale: string): void {
  const { el } = kit;
  box.hidden = conflicts.length === 0;
  const list = box.querySelector("ul")!;
  const key = JSON.stringify(conflicts.map((c) => c.id));
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(
    ...conflicts.map((c) => {
      const t = conflictText(kit, c, today, locale);
      const item = el(
        "li",
        { className: "conflict" },
        el("p", {}, t.say),
        el("dl", {}, el("dt", {}, "Yours"), el("dd", { dir: "auto" }, t.mine), el("dt", {}, "Theirs"), el("dd", { dir: "auto" }, t.theirs)),
        el("button", { type: "button", className: "secondary" }, t.keep[0]),
        " ",
        el("button", { type: "button", className: "secondary" }, t.keep[1]),
      );
      item.dataset.id = c.id;
      const [mineButton, theirsButton] = item.querySelectorAll("button");
      mineButton.dataset.choice = "mine";
      theirsButton.dataset.choice = "theirs";
      return item;
    }),
  );
}

/** What "Keep mine" queues for a conflict. */
export function keepMine({ createIntent, fieldsOf }: Kit, c: Conflict): Intent[] {
  const { listId } = c;
  if (c.deleted) return c.theirs ? [{ kind: "delete", listId, id: c.todoId, base: c.theirs.version, was: fieldsOf(c.theirs) }] : [];
  if (c.theirs) return [{ kind: "update", listId, id: c.todoId, base: c.theirs.version, changes: c.mine, was: fieldsOf(c.theirs) }];
  return [createIntent(listId, c.seen)];
}

/** The start of the message for an intent the server refused for good (fetched with this chunk: the rare case). */
export function couldNot(intent: Intent): string {
  if (intent.kind === "create") return `Could not add “${intent.title}”`;
  if (intent.kind === "markAll") return `Could not mark all as ${intent.completed ? "done" : "not done"}`;
  if (intent.kind === "clearCompleted") return "Could not clear the completed to-dos";
  if (intent.kind === "update" || intent.kind === "delete") return `Could not save the change to “${intent.was.title}”`;
  if (intent.kind === "createList") return `Could not make the list “${intent.name}”`;
  if (intent.kind === "deleteList") return `Could not delete the list “${intent.name}”`;
  if (intent.kind === "updateList") return "Could not change the list";
  if (intent.kind === "invite") return `Could not invite ${intent.email}`;
  return "Could not change who is in the list";
}

/** A refusal of a change to a list, in words: 403 (a viewer now), 404 (the list is gone), else the server's own. */
export function refusal({ explain }: Kit, err: unknown): string {
  const status = (err as { status?: unknown } | null)?.status;
  if (status === 403) return "you can only view this list. Ask its owner to make you an editor.";
  if (status === 404) return "the list or to-do is no longer there: it was deleted, or you are no longer a member of the list.";
  return explain(err);
}
