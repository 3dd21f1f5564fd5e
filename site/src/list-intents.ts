/**
 * What the person does with lists and their members, as intents for the sync engine (create,
 * rename, delete, order a list; invite, change a role, remove, leave), plus the invitations to
 * them, which are read and answered online (an invitation is not part of the device copy).
 * Loaded on demand (later.ts), with the page's own helpers handed over (kit.ts).
 */
import type { Api, Invitation } from "./api";
import type { Kit } from "./kit";
import type * as m from "./model";
import type { Intent, InviteRole, Snapshot } from "./replica";

export interface ListContext {
  readonly api: Api;
  readonly me: string;
  readonly queue: (...intents: Intent[]) => void;
  /** What it shows on the page (view.ts has it). */
  readonly view: { showMessage(text: string): void };
  state(): m.State;
  snapshot(): Snapshot;
  select(id: string): void;
  pull(): void;
}

/** The invitations to the person, each with Accept and Decline (lists-view.ts handles the clicks by `data-answer`). */
function renderInvitations({ $, el }: Kit, items: readonly Invitation[]): void {
  const section = $("invitations");
  section.hidden = items.length === 0;
  section.querySelector("ul")!.replaceChildren(
    ...items.map((inv) => {
      const li = el(
        "li",
        {},
        el("span", {}, `${inv.invitedBy} invites you to “${inv.listName}” as ${inv.role}.`),
        " ",
        el("button", { type: "button", className: "primary" }, "Accept", el("span", { className: "sr-only" }, ` “${inv.listName}”`)),
        " ",
        el("button", { type: "button", className: "secondary" }, "Decline", el("span", { className: "sr-only" }, ` “${inv.listName}”`)),
      );
      li.dataset.id = inv.id;
      const [accept, decline] = li.querySelectorAll("button");
      accept.dataset.answer = "accept";
      decline.dataset.answer = "decline";
      return li;
    }),
  );
}

export function createListIntents(kit: Kit, ctx: ListContext) {
  const { announce, explain, keyBetween, topPosition } = kit;
  const { api, me, queue, view } = ctx;
  const list = (id: string) => ctx.state().lists.find((l) => l.id === id);
  const current = () => ctx.state().listId ?? me;
  const base = (id: string) => ctx.snapshot().lists.get(id)?.version ?? 0;
  let invitations: readonly Invitation[] = [];

  async function answer(inv: Invitation, accept: boolean): Promise<void> {
    try {
      await (accept ? api.accept(inv.id) : api.decline(inv.id));
      invitations = invitations.filter((i) => i.id !== inv.id);
      renderInvitations(kit, invitations);
      if (accept) {
        announce(`You joined “${inv.listName}”.`);
        ctx.pull();
        ctx.select(inv.listId);
      } else announce(`Declined the invitation to “${inv.listName}”.`);
    } catch (err) {
      view.showMessage(`Could not answer the invitation to “${inv.listName}”: ${explain(err)}`);
    }
  }

  const intents = {
    newList(name: string): void {
      const key = crypto.randomUUID();
      const id = `local-${key}`;
      queue({ kind: "createList", id, key, name, createdAt: new Date().toISOString() });
      ctx.select(id);
      announce(`Made the list “${name}”.`);
    },
    renameList(id: string, name: string): void {
      const l = list(id);
      if (!l || l.name === name) return;
      queue({ kind: "updateList", listId: id, base: base(id), name });
      announce(`Renamed “${l.name}” to “${name}”.`);
    },
    deleteList(id: string): void {
      const l = list(id);
      if (!l) return;
      queue({ kind: "deleteList", listId: id, name: l.name });
      announce(`Deleted the list “${l.name}” and its to-dos.`);
    },
    /** One place up or down in the person's own order of lists. */
    moveList(id: string, step: -1 | 1): void {
      const lists = ctx.state().lists;
      const from = lists.findIndex((l) => l.id === id);
      const others = lists.filter((l) => l.id !== id);
      const at = from + step;
      if (from < 0 || at < 0 || at > others.length) return;
      const order = [...others.slice(0, at), lists[from], ...others.slice(at)];
      const above = at === 0 ? null : order[at - 1].position;
      const below = at < others.length ? order[at + 1].position : null;
      if (order.every((l) => l.position !== null) && (above === null || below === null || above < below)) {
        queue({
          kind: "updateList",
          listId: id,
          base: base(id),
          position: above === null ? topPosition(Date.now()) : keyBetween(above, below),
        });
      } else {
        // Lists still in the default order have no key, or the new neighbours share one (two
        // devices moved lists into one gap at once: no key lies between): key them all, in the
        // new order, once (a person has at most 100 lists).
        let key: string | null = null;
        for (const l of order) queue({ kind: "updateList", listId: l.id, base: base(l.id), position: (key = keyBetween(key, null)) });
      }
      announce(`“${lists[from].name}” moved to place ${at + 1} of ${lists.length}.`);
    },
    invite(email: string, role: InviteRole): void {
      queue({ kind: "invite", listId: current(), email, role });
      announce(`Invited ${email} as ${role}. They will see the invitation when they sign in.`);
    },
    setRole(memberId: string, role: InviteRole): void {
      queue({ kind: "setRole", listId: current(), memberId, role });
      announce(`Role changed to ${role}.`);
    },
    removeMember(memberId: string): void {
      const leaving = memberId === me;
      const name = list(current())?.name ?? "";
      queue({ kind: "removeMember", listId: current(), memberId, leave: leaving });
      announce(leaving ? `You left “${name}”.` : "Removed from the list.");
    },
    answerInvitation(id: string, accept: boolean): void {
      const inv = invitations.find((i) => i.id === id);
      if (inv) void answer(inv, accept);
    },
  };

  return {
    intents,
    /** Reads the invitations waiting for the person (online only; offline keeps what is shown). */
    loadInvitations(): void {
      api.invitations().then(
        (r) => {
          invitations = r.items;
          renderInvitations(kit, invitations);
        },
        () => undefined,
      );
    },
  };
}
