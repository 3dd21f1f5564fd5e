/**
 * The lists around the to-dos: the switcher (a nav landmark; a sidebar on a wide screen, a drawer
 * at 320 px that takes focus when it opens and gives it back when it closes), the current list's
 * heading, people and options (rename, order, delete after a confirmation), the button of the
 * share dialog (share.ts, loaded when first opened) and the invitations to the person.
 * A viewer's screen has no way to edit. All text goes in through textContent.
 */
import { $ } from "./dom";
import { currentList, isOwner, type State } from "./model";
import { el } from "./row";
import { kit } from "./kit";
import type { MemberIntents, ShareDialog } from "./share";

/** Fetched once, on first use (a chunk of its own: see site/build.ts). */
export const loadShare = () => import("./later").then((m) => m.createShareDialog);

export interface ListIntents extends MemberIntents {
  selectList(id: string): void;
  newList(name: string): void;
  renameList(id: string, name: string): void;
  deleteList(id: string): void;
  moveList(id: string, step: -1 | 1): void;
  answerInvitation(id: string, accept: boolean): void;
}

const count = (n: number) => `${n} to do`;

export function createListsView(intents: ListIntents) {
  const nav = $("lists-nav");
  const opener = $<HTMLButtonElement>("lists-open");
  const dialog = $<HTMLDialogElement>("share");
  let state: State | null = null;
  const listId = () => state?.listId ?? "";

  function drawer(open: boolean): void {
    nav.classList.toggle("open", open);
    opener.setAttribute("aria-expanded", String(open));
    if (open) nav.querySelector<HTMLElement>("[aria-current]")?.focus();
    else if (nav.contains(document.activeElement)) opener.focus();
  }
  opener.addEventListener("click", () => drawer(true));
  $("lists-close").addEventListener("click", () => drawer(false));
  nav.addEventListener("keydown", (event) => event.key === "Escape" && nav.classList.contains("open") && drawer(false));
  // A list chosen in the drawer: the drawer closes, focus goes to the list's heading.
  $("lists").addEventListener("click", (event) => {
    const link = (event.target as HTMLElement).closest("a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    intents.selectList(new URLSearchParams(link.search).get("list")!);
    if (nav.classList.contains("open")) drawer(false);
    setTimeout(() => $("app-title").focus());
  });
  $("new-list").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>("new-list-name");
    const name = input.value.trim();
    if (!name) {
      input.reportValidity();
      return;
    }
    input.value = "";
    intents.newList(name);
    if (nav.classList.contains("open")) drawer(false);
    $("new-title").focus();
  });
  $("rename-list").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $<HTMLInputElement>("rename-list-name").value.trim();
    if (name) intents.renameList(listId(), name);
    $<HTMLDetailsElement>("list-menu").open = false;
  });
  $("list-up").addEventListener("click", () => intents.moveList(listId(), -1));
  $("list-down").addEventListener("click", () => intents.moveList(listId(), 1));
  $("list-delete").addEventListener("click", () => {
    const list = state && currentList(state);
    if (!list) return;
    const n = state!.items.length;
    const todos = `${n} ${n === 1 ? "to-do" : "to-dos"}`;
    if (!confirm(`Delete the list “${list.name}” and its ${todos}, for everyone in it? This cannot be undone.`)) return;
    intents.deleteList(list.id);
  });

  // The share dialog is code of its own (share.ts), loaded when first opened: not on the first page.
  let share: ShareDialog | undefined;
  $("share-open").addEventListener("click", () => {
    loadShare().then(
      (make) => {
        share ??= make(kit, intents, () => state);
        share.open();
      },
      () => undefined, // not fetched (offline, no worker yet): nothing opens; the next click tries again
    );
  });
  $("invitations").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-answer]");
    if (button) intents.answerInvitation(button.closest("li")!.dataset.id!, button.dataset.answer === "accept");
  });

  function renderLists(s: State): void {
    const ul = $("lists");
    const items = s.lists.map((l) => {
      const link = el("a", { href: `?list=${encodeURIComponent(l.id)}`, dir: "auto" }, el("span", { className: "name" }, l.name), " ");
      link.append(el("span", { className: "count" }, count(l.active)));
      if (l.id === s.listId) link.setAttribute("aria-current", "page");
      return el("li", {}, link);
    });
    // Rebuilt only when something in it changed: focus on a link survives other renders.
    const key = JSON.stringify(s.lists.map((l) => [l.id, l.name, l.active, l.id === s.listId]));
    if (ul.dataset.key !== key) {
      const focused = ul.contains(document.activeElement)
        ? [...ul.querySelectorAll("a")].indexOf(document.activeElement as HTMLAnchorElement)
        : -1;
      ul.replaceChildren(...items);
      ul.dataset.key = key;
      if (focused >= 0) ul.querySelectorAll("a")[Math.min(focused, items.length - 1)]?.focus();
    }
  }

  return {
    render(s: State): void {
      state = s;
      renderLists(s);
      const list = currentList(s);
      const owner = isOwner(s);
      const title = $("app-title");
      title.tabIndex = -1;
      title.textContent = list?.name ?? "Your to-dos";
      document.title = list ? `${list.name}: tasklane` : "tasklane: your to-do list";
      const others = s.members.filter((mb) => mb.id !== s.me);
      $("list-people").textContent = others.length ? `Shared with ${others.map((mb) => mb.email).join(", ")}` : "";
      $("share-open").textContent = owner ? "Share" : "Members";
      $("share-open").hidden = !list || list.pending === true || (!owner && others.length === 0);
      $("list-menu").hidden = !list;
      $<HTMLInputElement>("rename-list-name").defaultValue = list?.name ?? "";
      for (const id of ["rename-list", "list-delete"]) $(id).hidden = !owner;
      // The first list (its id is the person's) holds their to-dos from before lists: it stays.
      $("list-delete").hidden = !owner || list?.id === s.me;
      $("share-title").textContent = list ? `Share “${list.name}”` : "Share";
      $("invite").hidden = !owner;
      $("leave").hidden = owner;
      share?.render(s);
      if (!list && dialog.open) dialog.close();
    },
  };
}
