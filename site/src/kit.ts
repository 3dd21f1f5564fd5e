/**
 * What the code loaded on demand (later.ts) uses of the page's own code, handed to it when it is
 * called instead of imported: an import would make esbuild move these modules into a chunk of
 * their own that the first page must fetch too (each file gzips on its own: more bytes), while
 * this way the first page stays one script and the later chunk imports nothing.
 */
import { keyBetween, topPosition } from "../../handlers/positions";
import { $, announce } from "./dom";
import { formatDay } from "./due";
import { createIntent } from "./edits";
import { canWrite, currentList, find, isOwner, splitting, visible } from "./model";
import { applyQueue, CARRY_MAX, fieldsOf, insertOrdered, keyOf, lineageOf, placeOf, positionOf, steps } from "./replica";
import { el, named, quoted, setText } from "./row";
import { explain } from "./words";

export const kit = {
  $,
  el,
  named,
  quoted,
  setText,
  formatDay,
  explain,
  currentList,
  isOwner,
  announce,
  keyBetween,
  topPosition,
  positionOf,
  fieldsOf,
  visible,
  find,
  canWrite,
  createIntent,
  applyQueue,
  insertOrdered,
  placeOf,
  keyOf,
  lineageOf,
  steps,
  splitting,
  CARRY_MAX,
};
export type Kit = typeof kit;
