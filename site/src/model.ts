/**
 * The to-do list state and its updates. Every update returns a new state (the old one is never
 * mutated), so the view can compare and an optimistic change can be undone by putting back the
 * server's copy. Nothing here touches the DOM or the network: it runs under Node in test/site.
 */

import type { Todo } from "../../handlers/todos";

/** A to-do as the API returns it: the API core's own type (a type import, so nothing is bundled). */
export type { Todo };

/** A to-do on screen: `pending` while its creation has not been confirmed. */
export interface Item extends Todo {
  readonly pending?: boolean;
}

export type Filter = "all" | "active" | "completed";

export interface State {
  /** Newest first, as the API lists them. */
  readonly items: readonly Item[];
  /** Cursor of the next page, or null when every to-do is loaded. */
  readonly nextCursor: string | null;
  readonly filter: Filter;
  /** Id of the to-do being edited (its title and due date). */
  readonly editing: string | null;
  readonly loaded: boolean;
}

export const initialState: State = { items: [], nextCursor: null, filter: "all", editing: null, loaded: false };

export const FILTERS: readonly Filter[] = ["all", "active", "completed"];

/** The filter named by a location hash such as "#/active"; anything else is "all". */
export function filterFromHash(hash: string): Filter {
  const name = hash.replace(/^#\/?/, "");
  return (FILTERS as readonly string[]).includes(name) ? (name as Filter) : "all";
}

export const hashOf = (filter: Filter): string => (filter === "all" ? "#/" : `#/${filter}`);

export function visible(state: State): readonly Item[] {
  if (state.filter === "all") return state.items;
  const wanted = state.filter === "completed";
  return state.items.filter((t) => t.completed === wanted);
}

export const activeCount = (state: State): number => state.items.filter((t) => !t.completed).length;
export const completedCount = (state: State): number => state.items.filter((t) => t.completed).length;

/** "3 items left", or "3 items left so far" while pages remain unloaded. */
export function itemsLeftText(state: State): string {
  const n = activeCount(state);
  return `${n} ${n === 1 ? "item" : "items"} left${state.nextCursor ? " so far" : ""}`;
}

export const find = (state: State, id: string): Item | undefined => state.items.find((t) => t.id === id);

/** Replaces the first page (a fresh load). */
export const loadedFirstPage = (state: State, items: readonly Todo[], nextCursor: string | null): State => ({
  ...state,
  items: [...items],
  nextCursor,
  loaded: true,
});

/** Appends a further page, skipping to-dos already on screen. */
export function loadedMore(state: State, items: readonly Todo[], nextCursor: string | null): State {
  const known = new Set(state.items.map((t) => t.id));
  return { ...state, items: [...state.items, ...items.filter((t) => !known.has(t.id))], nextCursor };
}

/** Puts a to-do first (a new one, newest first). */
export const added = (state: State, item: Item): State => ({ ...state, items: [item, ...state.items] });

/** Replaces the to-do with this id; `replacement` may carry a new id (a confirmed creation). */
export function replaced(state: State, id: string, replacement: Item): State {
  return { ...state, items: state.items.map((t) => (t.id === id ? replacement : t)) };
}

/** What a PATCH may change, and so what an optimistic edit applies. */
export type Changes = Partial<Pick<Todo, "title" | "completed" | "dueDate">>;

/** Applies a partial change to one to-do (an optimistic edit). */
export function changed(state: State, id: string, changes: Changes): State {
  return { ...state, items: state.items.map((t) => (t.id === id ? { ...t, ...changes } : t)) };
}

export function removed(state: State, ids: readonly string[]): State {
  const gone = new Set(ids);
  return {
    ...state,
    items: state.items.filter((t) => !gone.has(t.id)),
    editing: state.editing !== null && gone.has(state.editing) ? null : state.editing,
  };
}

/**
 * Puts to-dos back where they were (a rolled-back delete): each returns at its old index,
 * or after the to-dos now on screen that are newer than it.
 */
export function restored(state: State, before: readonly Item[]): State {
  const present = new Set(state.items.map((t) => t.id));
  const back = before.filter((t) => !present.has(t.id));
  if (back.length === 0) return state;
  const items = [...state.items, ...back].sort((a, b) => order(before, a, b));
  return { ...state, items };
}

/** Newest first by id (ULIDs sort by time); pending items, newest of all, come first. */
function order(before: readonly Item[], a: Item, b: Item): number {
  if (a.pending !== b.pending) return a.pending ? -1 : 1;
  const ia = before.findIndex((t) => t.id === a.id);
  const ib = before.findIndex((t) => t.id === b.id);
  if (ia !== -1 && ib !== -1) return ia - ib;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export const withFilter = (state: State, filter: Filter): State => ({ ...state, filter });
export const withEditing = (state: State, id: string | null): State => ({ ...state, editing: id });

/** The to-dos "toggle all" changes, and to what. */
export function toggleAllPlan(state: State): { readonly completed: boolean; readonly ids: readonly string[] } {
  const settled = state.items.filter((t) => !t.pending);
  const completed = settled.some((t) => !t.completed);
  return { completed, ids: settled.filter((t) => t.completed !== completed).map((t) => t.id) };
}
