/**
 * Conflicts, shown until the person decides: a change made here met a newer version made on
 * another device. Both versions are shown side by side; "Keep mine" sends mine on top of theirs,
 * "Keep theirs" lets mine go. Rebuilt on each render (there are few), text through textContent.
 */
import type { Kit } from "./kit";
import type { Conflict, Fields } from "./replica";

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
