/**
 * The undo message (issue 19): after a delete, "Clear completed" or "Mark all", a bar at the
 * bottom of the screen says what happened, with an Undo button, for UNDO_MS. Keyboard: Tab
 * reaches the button; Ctrl+Z (⌘Z) anywhere outside a field is the same (shortcuts.ts). Undo
 * withdraws the held intents (engine.ts `withdraw`, replica.ts UNDO_MS): what was there shows
 * again exactly, and no device ever saw it change. Only the newest action can be undone: a new
 * one ends the offer (its intent sent the held one on its way); closing the bar (×) or hiding
 * the tab ends it too, and sends the change at once. The bar is fixed to the viewport,
 * so showing it moves nothing on the page (no layout shift).
 */
import { $ } from "./dom";
import { UNDO_MS } from "./replica";
import { announce } from "./view";

export interface UndoEngine {
  /** Takes the held intents back; false when too late. */
  withdraw(seqs: readonly number[]): Promise<boolean>;
  /** Ends their hold: send them now. */
  release(seqs: readonly number[]): Promise<void>;
}

export function createUndo(engine: UndoEngine, tooLate: (text: string) => void) {
  const bar = $("undo");
  const text = $("undo-text");
  let offer: { seqs: Promise<number[]>; restored: string } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Hides the offer; `final` (closed by the person, or the tab hidden): the change is sent now. */
  function dismiss(final = false): void {
    clearTimeout(timer);
    if (final && offer) void offer.seqs.then((seqs) => engine.release(seqs));
    offer = null;
    // Focus on the button would be lost with it: back to the add field.
    if (bar.contains(document.activeElement)) $("new-title").focus();
    bar.hidden = true;
  }

  async function undo(): Promise<void> {
    const taken = offer;
    if (!taken) return;
    dismiss();
    if (await engine.withdraw(await taken.seqs)) announce(taken.restored);
    else tooLate("Too late to undo: the change is being saved already.");
  }
  $("undo-button").addEventListener("click", () => void undo());
  $("undo-close").addEventListener("click", () => dismiss(true));

  return {
    /** Offers to undo the intents `seqs` will name; `said`: what happened; `restored`: what undo says. */
    offer(seqs: Promise<number[]>, said: string, restored: string): void {
      clearTimeout(timer);
      offer = { seqs, restored };
      text.textContent = said;
      bar.hidden = false;
      timer = setTimeout(dismiss, UNDO_MS);
    },
    dismiss,
    undo,
    get offered(): boolean {
      return offer !== null;
    },
  };
}

export type Undo = ReturnType<typeof createUndo>;
