/**
 * The share dialog (members and roles; invite, change a role, remove; leave), loaded on demand
 * when first opened (lists-view.ts): the first page does not carry it. Its members are on the
 * page only while it is open. All text goes in through textContent.
 */
import type { Kit } from "./kit";
import type { State } from "./model";
import type { InviteRole } from "./replica";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What the dialog asks of the lists (lists-view.ts's ListIntents has these among others). */
export interface MemberIntents {
  invite(email: string, role: InviteRole): void;
  setRole(memberId: string, role: InviteRole): void;
  removeMember(memberId: string): void;
}

export type ShareDialog = ReturnType<typeof createShareDialog>;

export function createShareDialog({ el, currentList, isOwner }: Kit, intents: MemberIntents, current: () => State | null) {
  const dialog = $<HTMLDialogElement>("share");
  const members = $("members");
  $("share-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => members.replaceChildren());
  $("invite").addEventListener("submit", (event) => {
    event.preventDefault();
    const email = $<HTMLInputElement>("invite-email");
    if (!email.checkValidity() || !email.value.trim()) {
      email.reportValidity();
      return;
    }
    intents.invite(email.value.trim(), $<HTMLSelectElement>("invite-role").value as InviteRole);
    email.value = "";
  });
  members.addEventListener("change", (event) => {
    const select = event.target as HTMLSelectElement;
    intents.setRole(select.closest("li")!.dataset.id!, select.value as InviteRole);
  });
  members.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest("button");
    if (button) intents.removeMember(button.closest("li")!.dataset.id!);
  });
  $("leave").addEventListener("click", () => {
    const state = current();
    const list = state && currentList(state);
    if (!list || !confirm(`Leave “${list.name}”? Its to-dos leave this device; the owner can invite you again.`)) return;
    dialog.close();
    intents.removeMember(state.me);
  });

  /** Only while the dialog is open (nothing of it is on the page otherwise). */
  function render(s: State): void {
    if (!dialog.open) return;
    const owner = isOwner(s);
    const rows = s.members.map((mb) => {
      const li = el("li", {}, el("span", { className: "email" }, mb.email + (mb.id === s.me ? " (you)" : "")), " ");
      li.dataset.id = mb.id;
      if (owner && mb.role !== "owner") {
        const select = el("select");
        select.setAttribute("aria-label", `Role of ${mb.email}`);
        for (const role of ["editor", "viewer"]) select.append(el("option", { value: role, selected: mb.role === role }, role));
        li.append(
          select,
          " ",
          el("button", { type: "button", className: "link" }, "Remove", el("span", { className: "sr-only" }, ` ${mb.email}`)),
        );
      } else li.append(el("span", { className: "role" }, mb.role));
      return li;
    });
    members.replaceChildren(...rows);
  }

  return {
    open(): void {
      if (!dialog.open) dialog.showModal();
      const s = current();
      if (s) render(s);
    },
    render,
  };
}
