/**
 * What the to-do screen shows, derived from the device's copy (replica.ts): the person's lists
 * with their counts, the current list whole with the unsent changes applied, its members, the
 * filter, the open editor. Counts and filters are over whole lists, so they are exact at any
 * size. Pure functions: test/site runs them under Node.
 */
import {
  byPosition,
  isLocalId,
  project,
  projectLists,
  projectMembers,
  type Conflict,
  type Item,
  type ListRow,
  type MemberRow,
} from "./replica";
import type { Snapshot } from "./replica";
import { matcher } from "./search";

export type { Item, Todo } from "./replica";

/** A list in the switcher: with its number of to-dos not done. */
export type ListEntry = ListRow & { readonly active: number };

/** "due": what has a due date and is not done, soonest first (overdue, then today, then later). */
export type Filter = "all" | "active" | "completed" | "due";

export interface State {
  /** The person's id (their member id; their first list's id). */
  readonly me: string;
  readonly lists: readonly ListEntry[];
  /** The list shown (from the URL; the first list when it names none, or one gone). */
  readonly listId: string | null;
  /** The current list's members (empty until the first sync). */
  readonly members: readonly MemberRow[];
  /** The current list, whole, in its order. */
  readonly items: readonly Item[];
  /** How many of the list's to-dos are not done (counted once, with the lists' counts). */
  readonly left: number;
  /**
   * To-dos of the list after `items` not read yet: a glance (db.ts, glance.ts) holds only the top
   * of the list, painted while the whole copy is read. Undefined: `items` is the whole list.
   */
  readonly more?: number;
  readonly filter: Filter;
  /** What the search field holds (search.ts): only matching to-dos show. */
  readonly query: string;
  /** Id of the to-do being edited (its title and due date). */
  readonly editing: string | null;
  /**
   * The to-do as its editor opened it: saving is based on this version (If-Match), so a change
   * made elsewhere meanwhile meets the conflict rules instead of being overwritten. It also keeps
   * the row (and what was typed) when the to-do is deleted elsewhere under the editor.
   */
  readonly opened: Item | null;
  /**
   * The open editor's to-do as it is now in another list the person can see, when it was moved
   * there elsewhere while the editor was open (same id: a move keeps it): saving goes to it.
   */
  readonly moved: Item | null;
  /** The device holds the whole list (a full sync completed once). */
  readonly loaded: boolean;
  /** Changes made here and not yet confirmed by the server. */
  readonly waiting: number;
  readonly conflicts: readonly Conflict[];
}

export const initialState: State = {
  me: "",
  lists: [],
  listId: null,
  members: [],
  items: [],
  left: 0,
  filter: "all",
  query: "",
  editing: null,
  opened: null,
  moved: null,
  loaded: false,
  waiting: 0,
  conflicts: [],
};

export const FILTERS: readonly Filter[] = ["all", "active", "completed", "due"];

/** The filter named by a location hash such as "#/active"; anything else is "all". */
export function filterFromHash(hash: string): Filter {
  const name = hash.replace(/^#\/?/, "");
  return (FILTERS as readonly string[]).includes(name) ? (name as Filter) : "all";
}

export const hashOf = (filter: Filter): string => (filter === "all" ? "#/" : `#/${filter}`);

/** The list named by the URL (`?list=<id>`), or null. */
export const listFromSearch = (search: string): string | null => new URLSearchParams(search).get("list");

/**
 * The state for a snapshot of the copy, showing list `wanted` (null or gone: the first list).
 * `me`: the person's id. An open editor stays open even when its to-do is gone (deleted
 * elsewhere): what was typed is the person's until they restore or discard it; or moved elsewhere
 * to another list the person can see (`moved`): saving saves it there. It closes when another
 * list is shown.
 */
export function fromSnapshot(s: Snapshot, state: State, me: string, wanted: string | null = state.listId): State {
  const all = project(s.todos, s.queue);
  const rows = projectLists(s.lists, s.queue, me);
  const listId = rows.some((l) => l.id === wanted) ? wanted : (rows[0]?.id ?? wanted);
  const { items, active } = (split = (split && splitting.step?.(split, all, listId)) ?? splitWhole(all, listId));
  const lists = rows.map((l) => ({ ...l, active: active.get(l.id) ?? 0 }));
  // A to-do made here changes id when the server creates it: the app moves its editor to the new
  // id first (the engine says which, Tx `renamed`). An editor still on a local id whose to-do is
  // gone had its creation refused: it stays open with what was typed, as for a to-do deleted
  // elsewhere, to be added again or discarded (the refusal says why).
  const { editing } = state;
  // Another list shown (not the same list getting its real id from the server): the editor closes.
  const switched = state.listId !== null && listId !== state.listId && !isLocalId(state.listId);
  if (editing !== null && switched) state = withEditing(state, null);
  const members = listId === null ? [] : projectMembers(s.members, s.queue, listId);
  const conflicts = s.conflicts.filter((c) => c.listId === listId);
  // Gone from this list under its open editor: moved (the same id in another list shown here), or deleted.
  const { editing: open } = state;
  const moved =
    open === null || items.some((t) => t.id === open)
      ? null
      : (all.find((t) => t.id === open && t.listId !== listId && lists.some((l) => l.id === t.listId)) ?? null);
  return {
    ...state,
    me,
    lists,
    listId,
    members,
    items,
    left: active.get(listId) ?? 0,
    moved,
    loaded: s.synced,
    waiting: s.queue.length,
    conflicts,
  };
}

/** The list shown's to-dos and every list's count of those not done, as last worked out from a projection. */
export interface Split {
  readonly all: readonly Item[];
  readonly listId: string | null;
  readonly items: readonly Item[];
  readonly active: ReadonlyMap<string | null, number>;
}
let split: Split | null = null;

/** How a split is derived from the last (null: it cannot; work it out whole), once stepwise.ts has said. */
export const splitting: { step?: (last: Split, all: readonly Item[], listId: string | null) => Split | null } = {};

/** One pass over every to-do (10,000 on a phone: each pass counts): the list shown, and each list's count. */
function splitWhole(all: readonly Item[], listId: string | null): Split {
  const active = new Map<string | null, number>();
  const items: Item[] = [];
  for (const t of all) {
    if (t.listId === listId) items.push(t);
    if (!t.completed) active.set(t.listId, (active.get(t.listId) ?? 0) + 1);
  }
  return { all, listId, items, active };
}

/** The open editor's to-do left this list while it was open, to nowhere the person can see (deleted elsewhere). */
export const editedGone = (state: State): boolean => state.editing !== null && !find(state, state.editing) && !state.moved;

/** The list the open editor's to-do was moved to (elsewhere) while it was open, or undefined. */
export const movedTo = (state: State): ListEntry | undefined =>
  state.moved && state.editing !== null && !find(state, state.editing) ? state.lists.find((l) => l.id === state.moved!.listId) : undefined;

/** The rows on screen: the visible to-dos, and one gone or moved under its open editor (kept for its text, where it was). */
export function shown(state: State): readonly Item[] {
  const items = visible(state);
  return (editedGone(state) || movedTo(state)) && state.opened ? [...items, state.opened].sort(byPosition) : items;
}

export const currentList = (state: State): ListEntry | undefined => state.lists.find((l) => l.id === state.listId);
/** Whether the person may change the current list's to-dos (a viewer may not). */
export const canWrite = (state: State): boolean => currentList(state)?.role !== "viewer";
export const isOwner = (state: State): boolean => currentList(state)?.role === "owner";

/**
 * The to-dos the filter and the search let through, in the list's order (by due date in "due").
 * Answers are kept for the list as it is: one change asks more than once (a filter switch: the
 * render and what is announced), switching back and forth asks again, and at 10,000 to-dos each
 * pass counts on a phone. Each filter's without a search; the last one with a search.
 */
export function visible(state: State): readonly Item[] {
  const { filter, items, query } = state;
  if (query) {
    if (last?.items !== items || last.filter !== filter || last.query !== query)
      last = { items, filter, query, shown: pass(items, filter, query) };
    return last.shown;
  }
  let kept = byFilter.get(items);
  if (!kept) byFilter.set(items, (kept = {}));
  return (kept[filter] ??= pass(items, filter, ""));
}
let last: { items: readonly Item[]; filter: Filter; query: string; shown: readonly Item[] } | undefined;
const byFilter = new WeakMap<readonly Item[], Partial<Record<Filter, readonly Item[]>>>();

function pass(items: readonly Item[], filter: Filter, query: string): readonly Item[] {
  const test = matcher(query);
  if (filter === "all") return test ? items.filter(test) : items;
  if (filter === "due") return items.filter((t) => t.dueDate !== null && !t.completed && (!test || test(t))).sort(byDueDate);
  const wanted = filter === "completed";
  return items.filter((t) => t.completed === wanted && (!test || test(t)));
}

/** Soonest first; a stable sort, so one day's to-dos keep the list's order. */
const byDueDate = (a: Item, b: Item): number => (a.dueDate! < b.dueDate! ? -1 : a.dueDate! > b.dueDate! ? 1 : 0);

export const activeCount = (state: State): number => state.left;
export const completedCount = (state: State): number => state.items.length + (state.more ?? 0) - state.left;

export function itemsLeftText(state: State): string {
  const n = activeCount(state);
  return `${n} ${n === 1 ? "item" : "items"} left`;
}

/** "2 changes waiting to be saved", or "" when none. */
export const waitingText = (n: number): string => (n === 0 ? "" : `${n} ${n === 1 ? "change" : "changes"} waiting to be saved`);

export const find = (state: State, id: string): Item | undefined => state.items.find((t) => t.id === id);

export const withFilter = (state: State, filter: Filter): State => ({ ...state, filter });
export const withQuery = (state: State, query: string): State => ({ ...state, query });
export const withEditing = (state: State, id: string | null): State => ({
  ...state,
  editing: id,
  opened: id === null ? null : (find(state, id) ?? null),
  moved: null,
});

/** "Mark all": done when any is still to do, else all back to not done. */
export const markAllTarget = (state: State): boolean => state.left > 0;
