/**
 * What the screen shows, derived step by step (issue 19: 10,000 to-dos on a phone). A tick, an
 * edit, an add or a delete, and the server's answer to each, change a few to-dos; working out the
 * projection (replica.ts `project`) and the list shown with its counts (model.ts `fromSnapshot`)
 * whole again for each took most of the time between a click and its frame. From the last result
 * and what changed since (the copy's keys, from applyTx's `lineageOf`; the intents that came,
 * went or were rewritten), only those to-dos are worked out again, each on its own (the queue
 * applied to it alone, by replica.ts `applyQueue`: one definition for both), and moved in a copy
 * of the last order by binary search. A step with an intent about a whole list coming or going
 * (mark all, clear completed, a list deleted or left), a copy changed by more than a few to-dos,
 * or anything unexpected is worked out whole. Fetched after the first paint (later.ts): the first
 * paint is whole anyway. test/site/projection.test.ts holds both ways equal.
 */
import type { Kit } from "./kit";
import type { Item as ModelItem, Split } from "./model";
import type { Intent, Item, Projected, Queued, Todo, TodoIntent } from "./replica";

type Parts = Pick<Kit, "applyQueue" | "insertOrdered" | "placeOf" | "keyOf" | "lineageOf" | "steps" | "splitting" | "CARRY_MAX">;

/** How a result of `project` came from the one before it. */
interface Step {
  readonly from: readonly Item[];
  /** Rows of `from` that are not in the result as they were (each to-do changed, as it showed in each list). */
  readonly gone: readonly Item[];
  /** Rows of the result that were not in `from` as they are. */
  readonly came: readonly Item[];
}

/** Intents that change a whole list's to-dos. */
const wholeList = (i: Intent): boolean =>
  i.kind === "markAll" || i.kind === "clearCompleted" || i.kind === "deleteList" || (i.kind === "removeMember" && !!i.leave);
const aboutTodo = (i: Intent): i is TodoIntent => i.kind === "create" || i.kind === "update" || i.kind === "delete";

/** From now on, `project` and `fromSnapshot` derive each result from the last when they can. */
export function deriveStepwise(k: Parts): void {
  const stepped = new WeakMap<readonly Item[], Step>();

  /** Takes the row of `t`'s list and id, shown as `t`, out of `order`; false: it is not there. */
  const remove = (order: Todo[], t: Todo): boolean => {
    const at = k.placeOf(order, t);
    if (order[at]?.id !== t.id || order[at].listId !== t.listId) return false;
    order.splice(at, 1);
    return true;
  };

  /** One to-do (`id`) as the screen shows it in each of `lists`: the queue applied to it alone. */
  const projectOne = (todos: ReadonlyMap<string, Todo>, queue: readonly Queued[], id: string, lists: ReadonlySet<string>): Item[] => {
    const over = new Map<string, Item | null>();
    const current = (listId: string): Item | undefined =>
      over.has(listId) ? (over.get(listId) ?? undefined) : todos.get(k.keyOf(listId, id));
    k.applyQueue(queue, {
      current: (listId, of) => (of === id ? current(listId) : undefined),
      set: (listId, of, item) => {
        if (of === id) over.set(listId, item);
      },
      inList: (listId) => {
        const t = lists.has(listId) ? current(listId) : undefined;
        return t ? [t] : [];
      },
    });
    return [...lists].flatMap((listId) => current(listId) ?? []);
  };

  k.steps.project = (prev: Projected, todos: ReadonlyMap<string, Todo>, queue: readonly Queued[]) => {
    let keys: ReadonlySet<string> = new Set();
    if (todos !== prev.todos) {
      const line = k.lineageOf(todos);
      if (line?.from !== prev.todos) return null;
      keys = line.keys;
    }
    // The intents that came, went or were rewritten (by sequence number).
    const before = new Map(prev.queue.map((q) => [q.seq, q]));
    const changed: Intent[] = [];
    for (const q of queue) {
      const was = before.get(q.seq);
      before.delete(q.seq);
      if (was !== q) changed.push(q.intent, ...(was ? [was.intent] : []));
    }
    for (const q of before.values()) changed.push(q.intent);
    if (changed.some(wholeList)) return null;
    /** The to-dos to work out again, each with the lists it may show in, before or after. */
    const dirty = new Map<string, Set<string>>();
    const mark = (listId: string, id: string) => (dirty.get(id) ?? dirty.set(id, new Set()).get(id)!).add(listId);
    for (const key of keys) mark(key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1));
    for (const i of changed) if (aboutTodo(i)) mark(i.listId, i.id);
    if (dirty.size > k.CARRY_MAX) return null;
    if (!dirty.size) return prev.items;
    for (const { intent: i } of [...prev.queue, ...queue]) {
      if (!aboutTodo(i) || !dirty.has(i.id)) continue;
      mark(i.listId, i.id);
      if (i.kind === "update" && i.changes.listId) mark(i.changes.listId, i.id);
    }
    const gone: Item[] = [];
    const came: Item[] = [];
    for (const [id, lists] of dirty) {
      gone.push(...projectOne(prev.todos, prev.queue, id, lists));
      came.push(...projectOne(todos, queue, id, lists));
    }
    const items = prev.items.slice();
    for (const t of gone) if (!remove(items, t)) return null;
    for (const t of came) k.insertOrdered(items, t);
    stepped.set(items, { from: prev.items, gone, came });
    return items;
  };

  k.splitting.step = (last: Split, all: readonly ModelItem[], listId: string | null): Split | null => {
    if (last.listId !== listId) return null;
    if (last.all === all) return last;
    const step = stepped.get(all);
    if (step?.from !== last.all) return null;
    const items = last.items.slice();
    const active = new Map(last.active);
    const count = (t: Item, by: number) => {
      if (!t.completed) active.set(t.listId, (active.get(t.listId) ?? 0) + by);
    };
    for (const t of step.gone) {
      count(t, -1);
      if (t.listId === listId && !remove(items, t)) return null;
    }
    for (const t of step.came) {
      count(t, 1);
      if (t.listId === listId) k.insertOrdered(items, t);
    }
    return { all, listId, items, active };
  };
}
