/**
 * The manual order of a list's to-dos: the new position keys a move writes (positions.ts,
 * fractional keys). Normally only the moved to-do is rewritten. When its new neighbours hold the
 * same key (two devices moved to-dos into one gap at once, or two were made in one millisecond),
 * there is no key between them: the run of to-dos at that key gets fresh keys, in its order, the
 * moved one among them; the first of the run keeps its key. Nothing outside the run changes.
 * Pure: test/site runs it under Node. Loaded on demand (later.ts), with the page's key functions
 * handed over (kit.ts).
 */
import type { Kit } from "./kit";
import type { State } from "./model";
import type { Intent, Item, Snapshot } from "./replica";

/** What it uses of the page's code (kit.ts: it is loaded on demand with later.ts). */
export type OrderKit = Pick<Kit, "keyBetween" | "topPosition" | "positionOf">;

/**
 * `n` keys strictly between `above` and `below`, in increasing order, spread by halving (so they
 * grow by about one digit per doubling of `n`, not one per key). As with `keyBetween`, `above`
 * should be a real key (not null) unless the keys are to go above every later `topPosition`.
 */
export function keysBetween(keyBetween: OrderKit["keyBetween"], above: string | null, below: string | null, n: number): string[] {
  if (n <= 0) return [];
  const mid = keyBetween(above, below);
  const before = Math.floor((n - 1) / 2);
  return [...keysBetween(keyBetween, above, mid, before), mid, ...keysBetween(keyBetween, mid, below, n - 1 - before)];
}

/** A to-do's new position (one PATCH). */
export interface Placement {
  readonly id: string;
  readonly position: string;
}

/**
 * The keys that put `id` above `before` (null: at the bottom), or one step up or down among
 * `shown` (the to-dos on screen, in order); `all` is the whole list in order (the same as `shown`
 * without a filter or search). The moved to-do comes first. Null when it does not move. The top
 * uses `topPosition(now)`, as positions.ts asks, so later new to-dos still go above it.
 */
export function moveKeys(
  { keyBetween, topPosition, positionOf }: OrderKit,
  shown: readonly Item[],
  id: string,
  to: { before: string | null } | { step: -1 | 1 },
  { all = shown, now = Date.now() }: { all?: readonly Item[]; now?: number } = {},
): Placement[] | null {
  const from = shown.findIndex((t) => t.id === id);
  if (from < 0) return null;
  const others = shown.filter((t) => t.id !== id);
  let at: number;
  if ("step" in to) at = from + to.step;
  else at = to.before === null ? others.length : others.findIndex((t) => t.id === to.before);
  if (at < 0 || at > others.length || at === from) return null;
  if (at === 0) return [{ id, position: topPosition(now) }];
  const above = positionOf(others[at - 1]);
  const below = at < others.length ? positionOf(others[at]) : null;
  try {
    if (below === null || above < below) return [{ id, position: keyBetween(above, below) }];
    if (above > below) return null; // not in order: nothing sensible to do
    // Equal neighbours: the run at that key (in the whole list), the moved one put just under
    // `others[at - 1]`; the first keeps the key, the rest get keys up to the next key after it.
    const rest = all.filter((t) => t.id !== id);
    const run = rest.filter((t) => positionOf(t) === above).map((t) => t.id);
    const next = rest.map(positionOf).find((p) => p > above) ?? null;
    const cut = run.indexOf(others[at - 1].id) + 1;
    const order = [...run.slice(0, cut), id, ...run.slice(cut)];
    const keys = keysBetween(keyBetween, above, next, order.length - 1);
    const placed = order.slice(1).map((t, i) => ({ id: t, position: keys[i] }));
    return [...placed.filter((p) => p.id === id), ...placed.filter((p) => p.id !== id)];
  } catch {
    return null; // keyBetween refuses a key that is not one (the API only stores valid ones)
  }
}

/** What a move needs of the app (todo-intents.ts hands it over). */
export interface ReorderContext {
  readonly state: () => State;
  readonly snapshot: () => Snapshot;
  readonly queue: (...intents: Intent[]) => void;
}

/**
 * Moves a to-do in the manual order: `before` is the to-do it goes above (null: to the bottom),
 * or a step (-1 up, +1 down) among those shown. Usually one PATCH of that to-do; a move between
 * two to-dos with the same key also rewrites that run (`moveKeys`).
 */
export function reorder(kit: Kit, ctx: ReorderContext, id: string, to: { before: string | null } | { step: -1 | 1 }): void {
  const { announce, visible, find, canWrite, fieldsOf } = kit;
  const state = ctx.state();
  const shown = visible(state);
  const item = find(state, id);
  if (!item || !canWrite(state)) return;
  // "Due" is in date order: a place in it means nothing in the list's own order.
  if (state.filter === "due") return announce("To order by hand, show All, Active or Completed.");
  const all = state.items;
  const placed = moveKeys(kit, shown, id, to, { all });
  if (placed === null) return;
  ctx.queue(
    ...placed.map(({ id, position }): Intent => {
      const t = all.find((t) => t.id === id)!;
      const base = ctx.snapshot().todos.get(`${t.listId}/${id}`)?.version ?? 0;
      return { kind: "update", listId: t.listId, id, base, changes: { position }, was: fieldsOf(t) };
    }),
  );
  const at = visible(ctx.state()).findIndex((t) => t.id === id);
  announce(`“${item.title}” moved to place ${at + 1} of ${shown.length}.`);
}
