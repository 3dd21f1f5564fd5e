/**
 * The list's geometry, so that only the rows on screen (and a margin) are in the DOM at any list
 * size. Rows have one fixed height (styles.css clamps a title to one line, its date and editor
 * to a second; the height itself is measured from a rendered row, so the font size may change
 * it); the one exception is the row whose editor is open, which is as tall as its editor and is
 * measured. Fixed rather than estimated heights: a row's place is then exact arithmetic, so the
 * scroll height is right before any row is rendered and nothing jumps when rows arrive (layout
 * shift), at the price of a long title showing whole only in its editor and to screen readers.
 * Pure: test/site runs it under Node.
 */
export interface Geometry {
  /** Rows in the list. */
  readonly count: number;
  /** Height of every row but the editing one, in px. */
  readonly row: number;
  /** Index of the row whose editor is open (-1: none) and its height. */
  readonly editing: number;
  readonly editHeight: number;
}

/** Where row `i` starts (px below the list's top); `offsetOf(g, g.count)` is the list's height. */
export const offsetOf = (g: Geometry, i: number): number => i * g.row + (g.editing >= 0 && i > g.editing ? g.editHeight - g.row : 0);

/** The row at `y` px below the list's top, clamped to 0…count. */
export function indexAt(g: Geometry, y: number): number {
  const editTop = g.editing >= 0 ? offsetOf(g, g.editing) : Infinity;
  const i =
    y < editTop
      ? Math.floor(y / g.row)
      : y < editTop + g.editHeight
        ? g.editing
        : g.editing + 1 + Math.floor((y - editTop - g.editHeight) / g.row);
  return Math.min(Math.max(i, 0), g.count);
}

/** The rows [start, end) that meet the band from `top` to `bottom` (px below the list's top). */
export const rangeOf = (g: Geometry, top: number, bottom: number): [number, number] => [
  indexAt(g, top),
  Math.min(indexAt(g, bottom) + 1, g.count),
];

/**
 * A list up to this size is rendered whole: the browser's find-in-page sees every row, and 150
 * rows of about 12 elements each stay well under the 3,000 DOM nodes a page may hold.
 */
export const WHOLE_UP_TO = 150;
