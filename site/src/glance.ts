/**
 * The glance (db.ts `Glance`): the top of the list shown, kept in the device copy once the screen
 * has been still for a moment (STILL_MS), so that a reload paints it at once while the whole copy (10,000
 * to-dos: most of a second on a phone) is still being read (list-screen.ts `paint`). It holds the
 * first TOP to-dos of the whole list in its order and how many follow. It is kept only while the
 * copy is what the screen was made from (db.ts `keepGlance`), and every write to the copy drops
 * it: a reload never paints what the copy no longer holds. In the code fetched after the first
 * paint (later.ts): the first page only reads it.
 */
import type { DeviceStore, Glance } from "./db";
import type { State } from "./model";
import type { Snapshot } from "./replica";

/** Rows a glance holds: more than a tall screen shows with its margin (view.ts renders a screen above and below). */
export const TOP = 100;
/**
 * How long the screen stays still before its glance is kept: a burst of changes (typing, a pull's
 * pages) writes one, and a reload half a second after a change still finds one.
 */
export const STILL_MS = 250;

/** The glance of `state`: its list, whole, from the top, as the URL shows it with no filter or search. */
export function glanceOf(state: State): Glance {
  const { items } = state;
  return {
    ...state,
    owner: state.me,
    items: items.slice(0, TOP),
    more: Math.max(0, items.length - TOP),
    filter: "all",
    query: "",
    editing: null,
    opened: null,
    moved: null,
  };
}

/**
 * What the app calls after each render: keeps the glance of the screen once it has been still
 * for STILL_MS, when it shows the synced copy with nothing of this tab not yet written
 * (`snapshot`: the copy as the engine last wrote or read it).
 */
export function keepGlances(store: DeviceStore, state: () => State, snapshot: () => Snapshot, alive: () => boolean): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const s = state();
      const copy = snapshot();
      if (alive() && s.loaded && s.waiting === copy.queue.length) void store.keepGlance(glanceOf(s), copy).catch(() => undefined);
    }, STILL_MS);
  };
}
