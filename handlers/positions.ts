/**
 * Manual order of to-dos: fractional-index keys (as Figma and rocicorp's `fractional-indexing`
 * use). A position is a string of base-62 digits read as a fraction in (0, 1), compared as plain
 * strings; it never ends in "0", so there is always room between two of them. Moving a to-do
 * rewrites that to-do's key only: `keyBetween(above, below)`.
 *
 * A new to-do goes on top without reading the list: its key is `topPosition(now)`, which is
 * smaller for a later instant. Every key made by `keyBetween` of two such keys, or after the last
 * one, is larger than any later `topPosition`, so a new to-do is always above every to-do that
 * exists when it is made, provided "move to the top" also uses `topPosition` (not
 * `keyBetween(null, first)`, which could go below a later `topPosition`).
 *
 * Keys grow by at most one digit a move; only moving into the same gap again and again (always
 * just under one neighbour) does that every time: about 60 such moves reach the 64 digits the API
 * takes, and a client then gives the neighbourhood fresh keys (one PATCH per to-do moved).
 *
 * Two to-dos may hold the same key (each device moved one into the same gap at once, or two were
 * made in the same millisecond): there is no key between them. Every client orders equal keys
 * the same way (newest first: site/src/replica.ts `byPosition`), and a move into such a run gives
 * the run fresh keys (site/src/order.ts `keysBetween`). The server keeps no order of its own:
 * it pages by id and stores whatever key a client sends.
 */
export const POSITION_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** A position as the API accepts it: base-62 digits, not ending in 0, at most 64 of them. */
export const POSITION_PATTERN = "^[0-9A-Za-z]{0,63}[1-9A-Za-z]$";
/** 2^48: larger than any millisecond a ULID can hold. */
const TIME_SPAN = 2 ** 48;
/** Digits of the time part: 62^9 > 2^48. */
const TIME_WIDTH = 9;

/** The key of a to-do made (or moved to the top) at `ms`: later instants give smaller keys. */
export function topPosition(ms: number): string {
  let n = TIME_SPAN - 1 - ms;
  let out = "";
  for (let i = 0; i < TIME_WIDTH; i++, n = Math.floor(n / 62)) out = POSITION_DIGITS[n % 62] + out;
  // A middle digit last: never a trailing 0, and room on both sides.
  return `${out}V`;
}

function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? "0") === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a ? POSITION_DIGITS.indexOf(a[0]) : 0;
  const digitB = b !== null ? POSITION_DIGITS.indexOf(b[0]) : POSITION_DIGITS.length;
  if (digitB - digitA > 1) return POSITION_DIGITS[Math.round((digitA + digitB) / 2)];
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return POSITION_DIGITS[digitA] + midpoint(a.slice(1), null);
}

/** A key strictly between `above` and `below` (null: no bound on that side). */
export function keyBetween(above: string | null, below: string | null): string {
  const valid = new RegExp(POSITION_PATTERN);
  for (const key of [above, below]) if (key !== null && !valid.test(key)) throw new Error(`Not a position: ${key}`);
  if (above !== null && below !== null && above >= below) throw new Error(`${above} is not above ${below}`);
  return midpoint(above ?? "", below);
}
