/**
 * Moves between to-dos with the same position key (site/src/order.ts): two devices moving into
 * one gap at once, or to-dos made in the same millisecond, leave equal keys, and a move between
 * them must still land where the person put it. Property style: random lists full of equal keys,
 * random moves (by drag and by step, with and without a filter), checked after every move.
 */
import { expect } from "chai";
import { keyBetween, POSITION_PATTERN, topPosition } from "../../handlers/positions";
import { keysBetween, moveKeys as moveKeysWith } from "../../site/src/order";
import { byPosition, positionOf, type Item } from "../../site/src/replica";

/** The page's key functions, as kit.ts hands them to the code loaded on demand. */
const moveKeys = (...args: Parameters<typeof moveKeysWith> extends [unknown, ...infer R] ? R : never) =>
  moveKeysWith({ keyBetween, topPosition, positionOf }, ...args);

const valid = new RegExp(POSITION_PATTERN);
const T0 = Date.parse("2026-12-06T10:00:00.000Z");

/** A small deterministic random source (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const item = (n: number, ms: number, position?: string, completed = false): Item => ({
  listId: "L",
  id: `01${String(n).padStart(24, "0")}`,
  title: `t${n}`,
  completed,
  dueDate: null,
  createdAt: new Date(ms).toISOString(),
  updatedAt: new Date(ms).toISOString(),
  version: 1,
  ...(position !== undefined && { position }),
});

describe("moving between equal position keys (site/src/order.ts)", () => {
  it("puts a to-do between two with the same key, rewriting only the run of that key", () => {
    const key = topPosition(T0);
    // b, c, d share one key (two devices moved into one gap; then a third); a is above, e below.
    const list = [item(1, T0 + 9), item(2, T0, key), item(3, T0, key), item(4, T0, key), item(5, T0 - 9)].sort(byPosition);
    const [b, c] = list.filter((t) => positionOf(t) === key);
    const e = list.at(-1)!;
    const placed = moveKeys(list, e.id, { before: c.id }, { now: T0 + 100 })!;
    expect(placed[0].id).to.equal(e.id);
    expect(placed.map((p) => p.id)).to.have.members(
      list
        .filter((t) => positionOf(t) === key && t.id !== b.id)
        .map((t) => t.id)
        .concat(e.id),
    );
    const after = apply(list, placed);
    expect(after.map((t) => t.id)).to.deep.equal([list[0].id, b.id, e.id, c.id, list[3].id]);
    expect(strictlyIncreasing(after.map(positionOf))).to.equal(true);
    // Without a tie a move is one to-do, as before.
    expect(moveKeys(after, b.id, { step: 1 })).to.have.length(1);
  });

  it("keeps fresh keys short: 200 equal keys get keys of a few more digits", () => {
    const keys = keysBetween(keyBetween, "V", "W", 200);
    expect(strictlyIncreasing(["V", ...keys, "W"])).to.equal(true);
    expect(Math.max(...keys.map((k) => k.length))).to.be.at.most(4);
    for (const k of keys) expect(k).to.match(valid);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`lands every move where it was asked and rewrites at most the moved to-do and the equal run (seed ${seed})`, () => {
      const rnd = random(seed);
      // 30 to-dos on 6 instants: runs of equal keys everywhere, some completed (the filter hides them).
      let list = Array.from({ length: 30 }, (_, n) => item(n, T0 + rnd(6), topPosition(T0 + rnd(6)), rnd(3) === 0)).sort(byPosition);
      for (let step = 0; step < 200; step++) {
        const filtered = rnd(4) === 0;
        const shown = filtered ? list.filter((t) => !t.completed) : list;
        if (shown.length < 2) continue;
        const moved = shown[rnd(shown.length)];
        const others = shown.filter((t) => t.id !== moved.id);
        const to: { step: 1 | -1 } | { before: string | null } =
          rnd(3) === 0 ? { step: rnd(2) ? 1 : -1 } : { before: rnd(others.length + 1) === 0 ? null : others[rnd(others.length)].id };
        const from = shown.indexOf(moved);
        const at = "step" in to ? from + to.step : to.before === null ? others.length : others.findIndex((t) => t.id === to.before);
        const placed = moveKeys(shown, moved.id, to, { all: list, now: T0 + 1000 + step });
        if (at < 0 || at > others.length || at === from) {
          expect(placed, `step ${step}`).to.equal(null);
          continue;
        }
        expect(placed, `step ${step}: a move between ${at} and ${at + 1} gave up`).to.not.equal(null);
        // Rewritten: the moved one, and only to-dos at the key shared by both new neighbours.
        expect(placed![0].id).to.equal(moved.id);
        const [above, below] = [others[at - 1], others[at]];
        const tie = above && below && positionOf(above) === positionOf(below) ? positionOf(above) : null;
        for (const p of placed!.slice(1)) expect(tie !== null && positionOf(list.find((t) => t.id === p.id)!) === tie).to.equal(true);
        expect(placed!.length).to.be.at.most(1 + (tie === null ? 0 : list.filter((t) => positionOf(t) === tie).length - 1));
        for (const p of placed!) expect(p.position).to.match(valid);

        const after = apply(list, placed!);
        const shownAfter = (filtered ? after.filter((t) => !t.completed) : after).map((t) => t.id);
        // Where it was asked: between its new neighbours on screen, everything else in its order.
        expect(shownAfter, `step ${step}`).to.deep.equal([
          ...others.slice(0, at).map((t) => t.id),
          moved.id,
          ...others.slice(at).map((t) => t.id),
        ]);
        const rest = (ts: Item[]) => ts.filter((t) => t.id !== moved.id).map((t) => t.id);
        expect(rest(after)).to.deep.equal(rest(list));
        // Strictly ordered around it: its key is strictly between its neighbours' keys.
        const i = after.findIndex((t) => t.id === moved.id);
        const keys = after.map(positionOf);
        if (tie !== null) expect(strictlyIncreasing(keys.slice(Math.max(0, i - 1), i + 2)), `step ${step}`).to.equal(true);
        list = after;
      }
    });
  }
});

function apply(list: readonly Item[], placed: readonly { id: string; position: string }[]): Item[] {
  const at = new Map(placed.map((p) => [p.id, p.position]));
  return list.map((t) => (at.has(t.id) ? { ...t, position: at.get(t.id)! } : t)).sort(byPosition);
}

function strictlyIncreasing(keys: readonly string[]): boolean {
  return keys.every((k, i) => i === 0 || keys[i - 1] < k);
}
