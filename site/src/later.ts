/**
 * What the first paint does not need, in one chunk fetched on first use (site/build.ts): the
 * share dialog, the conflict view, "Your account", a row's editor (fetched as soon as the list
 * shows, so it is there by the first double-click), the keys a move in the manual order writes,
 * the keyboard shortcuts (the page's own controls work without them; they answer from the moment
 * this chunk is there, about as soon as the list shows), the screen derived step by step from the
 * last (stepwise.ts; whole until then), the glance a reload paints first (glance.ts). One chunk, not three: the code it shares with
 * the page then goes in one shared chunk, not one per combination of users (each file gzips on
 * its own, so fewer files weigh less).
 */
export { createAccountView } from "./account";
export { couldNot, keepMine, refusal, renderConflicts } from "./conflicts-view";
export { patchEditor } from "./editor";
export { createShareDialog } from "./share";
export { createListIntents } from "./list-intents";
export { SHORTCUTS, shortcutOf } from "./shortcuts";
export { reorder } from "./order";
export { deriveStepwise } from "./stepwise";
export { keepGlances } from "./glance";
