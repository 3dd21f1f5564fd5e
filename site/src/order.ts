/**
 * The manual order of a list's to-dos: the new position key of one moved to-do (positions.ts,
 * fractional keys: only the moved to-do is rewritten). Pure: test/site runs it under Node.
 */
import { keyBetween, topPosition } from "../../handlers/positions";
import { positionOf, type Item } from "./replica";

/**
 * The key that puts `id` above `before` (null: at the bottom), or one step up or down among
 * `shown` (the to-dos on screen, in order). Null when it does not move. The top uses
 * `topPosition(now)`, as positions.ts asks, so later new to-dos still go above it.
 */
export function moveKey(
  shown: readonly Item[],
  id: string,
  to: { before: string | null } | { step: -1 | 1 },
  now = Date.now(),
): string | null {
  const from = shown.findIndex((t) => t.id === id);
  if (from < 0) return null;
  const others = shown.filter((t) => t.id !== id);
  let at: number;
  if ("step" in to) at = from + to.step;
  else at = to.before === null ? others.length : others.findIndex((t) => t.id === to.before);
  if (at < 0 || at > others.length || at === from) return null;
  if (at === 0) return topPosition(now);
  const above = positionOf(others[at - 1]);
  const below = at < others.length ? positionOf(others[at]) : null;
  try {
    return keyBetween(above, below);
  } catch {
    return null; // two to-dos with the same key (made in the same millisecond): no room between
  }
}
