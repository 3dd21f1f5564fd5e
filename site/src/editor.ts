/**
 * A row's open editor (row.ts builds and patches the rest of the row): the title and due date as
 * typed, "Clear date", "Move to another list", and what happened to the to-do underneath
 * (changed, moved to another list, or deleted elsewhere, with Restore and Discard). Loaded on
 * demand with the rest of later.ts (fetched as soon as the list shows, so it is there by the
 * first double-click); it
 * reaches the page's code through the kit, as later.ts's other modules do, and takes the title's
 * length limit from the new-to-do field (the build writes it there from handlers/limits.ts).
 */
import type { Kit } from "./kit";
import type { Draft, RowContext } from "./row";
import type { Item } from "./model";

/**
 * What the open editor says about its to-do now, against the version it opened (`opened`):
 * deleted elsewhere, moved elsewhere to list `movedTo` and/or changed elsewhere (with the other
 * text), or nothing.
 */
export function underneathText(
  k: Kit,
  item: Item,
  opened: Item | null,
  gone: boolean,
  today: string,
  locale: string,
  movedTo: string | null = null,
): string {
  // Not saved yet (a local to-do) and gone: the server refused to add it (the message says why).
  if (gone && item.pending)
    return "Not added: the server refused it (the message above says why). Add it again with your text, or discard it.";
  if (gone) return "Deleted on another device. Restore it with your text, or discard it.";
  const moved = movedTo === null ? "" : `Moved to ${k.quoted(movedTo)} on another device`;
  if (!opened || (opened.title === item.title && opened.dueDate === item.dueDate))
    return moved && `${moved}. Saving saves your text there.`;
  const due = item.dueDate ? `, due ${k.formatDay(item.dueDate, today, locale)}` : "";
  return `${moved ? `${moved} and changed` : "Changed on another device"}: ${k.quoted(item.title)}${due}. Saving keeps both for you to choose.`;
}

/** Opens `row`'s editor (with `draft()` if one was kept, else the to-do) or patches the open one. */
export function patchEditor(
  k: Kit,
  row: HTMLLIElement,
  item: Item,
  today: string,
  locale: string,
  draft: () => Draft | undefined,
  context: RowContext,
): void {
  const { el, named, quoted, setText } = k;
  const part = <T extends HTMLElement = HTMLElement>(name: string) => row.querySelector(`.${name}`) as T;
  const gone = context.gone ?? false;
  let editor = part<HTMLDivElement>("editor");
  const opening = !editor;
  if (opening) {
    const { title, dueDate } = draft() ?? item;
    editor = el(
      "div",
      { className: "editor" },
      el("input", {
        type: "text",
        className: "edit-input",
        dir: "auto",
        maxLength: (document.getElementById("new-title") as HTMLInputElement).maxLength,
        value: title,
      }),
      el(
        "span",
        { className: "edit-due-field" },
        el("input", { type: "date", className: "edit-due", value: dueDate ?? "" }),
        named("edit-clear", "Clear date"),
      ),
      el("p", { className: "edit-note", role: "status" }),
      el(
        "span",
        { className: "edit-gone", hidden: true },
        el("button", { type: "button", className: "secondary restore" }, "Restore with my text"),
        " ",
        el("button", { type: "button", className: "secondary discard" }, "Discard"),
      ),
    );
    if (context.targets.length) {
      const select = el(
        "select",
        { className: "move-to" },
        el("option", { value: "" }, "Move to another list…"),
        ...context.targets.map((t) => el("option", { value: t.id }, t.name)),
      );
      select.setAttribute("aria-label", `Move ${quoted(item.title)} to another list`);
      editor.append(select);
    }
    const edit = part("edit");
    part("text").hidden = true;
    edit.hidden = true;
    row.insertBefore(editor, edit);
  }
  const [input, date, clear] = [part<HTMLInputElement>("edit-input"), part<HTMLInputElement>("edit-due"), part("edit-clear")];
  input.setAttribute("aria-label", `Edit ${quoted(item.title)}; Enter saves, Escape cancels`);
  date.setAttribute("aria-label", `Due date of ${quoted(item.title)}; Enter saves, Escape cancels`);
  setText(clear.lastElementChild!, ` of ${quoted(item.title)}`);
  // Always in the page (empty when nothing happened): a live region must exist before it speaks.
  const moved = context.moved ?? null;
  setText(part("edit-note"), underneathText(k, moved?.now ?? item, context.opened ?? null, gone, today, locale, moved?.to ?? null));
  part("edit-gone").hidden = !gone;
  setText(part("restore"), item.pending ? "Add again with my text" : "Restore with my text");
  const move = part("move-to");
  // Already in another list (moved elsewhere): saving goes there; a further move starts from there.
  if (move) move.hidden = gone || !!moved;
  if (opening) {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
}
