/**
 * An in-memory stand-in of the whole-list API (API-PLAN.md) for the sync engine's unit tests:
 * versions and If-Match, Idempotency-Key, tombstones, a changes feed with cursors (and 410 for
 * an expired one), mark-all and clear-completed in pages. It records every call, so tests can
 * count requests, and can fail the next calls on demand (offline, 500).
 */
import { ApiError, OfflineError } from "../../site/src/api";
import type { SyncApi } from "../../site/src/engine";
import type { Changes, FeedItem, ListRow, Todo } from "../../site/src/replica";

/** The person's id, and their first list's (the one list of these tests unless they make more). */
export const ME = "me";
/** The person's first list (its id is theirs), as the server gives it. */
export const FIRST_LIST: ListRow = {
  id: ME,
  name: "To-dos",
  role: "owner",
  ownerId: ME,
  position: null,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
type Change = Todo | { id: string; listId: string; deleted: true; version: number; updatedAt: string };

type Row = (Todo | (Change & { deleted: true })) & { tick: number };

export class FakeServer implements SyncApi {
  rows = new Map<string, Row>();
  calls: string[] = [];
  /** Errors the next calls throw, in order (then calls work again). */
  failures: unknown[] = [];
  expired = new Set<string>();
  /** Items a bulk call handles before answering with a nextCursor (the server's time budget). */
  bulkPage = 50;
  private tick = 0;
  private ids = 0;
  private keys = new Map<string, string>();

  private async enter(call: string): Promise<void> {
    this.calls.push(call);
    const fail = this.failures.shift();
    await Promise.resolve();
    if (fail) throw fail as Error;
  }
  listRows = new Map<string, ListRow>([[ME, FIRST_LIST]]);
  /** Lists the person has left or lost since the last full sync (reported once by the feed). */
  removed = new Set<string>();
  private list(listId: string): void {
    if (!this.listRows.has(listId)) throw new ApiError(404, "not_found", "No such list.");
  }
  private write(t: Todo | (Change & { deleted: true })): void {
    this.rows.set(t.id, { ...t, tick: ++this.tick });
  }
  private live(id: string, listId?: string): Todo {
    const row = this.rows.get(id);
    // A to-do is found under its own list only (moved away: 404 where it was, as the server answers).
    if (!row || "deleted" in row || (listId !== undefined && row.listId !== listId)) throw new ApiError(404, "not_found", "No such to-do.");
    const { tick: _tick, ...todo } = row;
    return todo;
  }
  get todos(): Todo[] {
    return [...this.rows.values()].filter((r) => !("deleted" in r)).map((r) => this.live(r.id));
  }

  /** A to-do made by another device (no call recorded). */
  seed(fields: Partial<Todo> & { title: string }): Todo {
    const id = `01${String(++this.ids).padStart(24, "0")}`;
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.ids)).toISOString();
    const todo: Todo = { id, listId: ME, completed: false, dueDate: null, createdAt: now, updatedAt: now, version: 1, ...fields };
    this.write(todo);
    return todo;
  }
  /** An edit or deletion made on another device. */
  elsewhere(id: string, changes: Changes | "delete"): void {
    const t = this.live(id);
    if (changes === "delete") this.write({ id, listId: t.listId, deleted: true, version: t.version + 1, updatedAt: t.updatedAt });
    else this.write({ ...t, ...changes, version: t.version + 1 });
  }

  /** A move to another list made on another device, as the server does it: the to-do there (same id, version + 1), a tombstone where it was. */
  moveElsewhere(id: string, listId: string): void {
    const t = this.live(id);
    this.rows.set(`${t.listId}/${id}`, {
      id,
      listId: t.listId,
      deleted: true,
      version: t.version + 1,
      updatedAt: t.updatedAt,
      tick: ++this.tick,
    });
    this.write({ ...t, listId, version: t.version + 1 });
  }

  async create(listId: string, fields: { title: string; dueDate?: string | null; completed?: boolean }, key: string): Promise<Todo> {
    await this.enter(`create ${fields.title}`);
    this.list(listId);
    const known = this.keys.get(key);
    if (known) return this.live(known);
    const todo = this.seed({ listId, title: fields.title, dueDate: fields.dueDate ?? null, completed: fields.completed ?? false });
    this.keys.set(key, todo.id);
    return todo;
  }
  async get(listId: string, id: string): Promise<Todo> {
    await this.enter(`get ${id}`);
    return this.live(id, listId);
  }
  async update(listId: string, id: string, version: number, changes: Changes): Promise<Todo> {
    await this.enter(`update ${id} ${JSON.stringify(changes)}`);
    this.list(listId);
    const t = this.live(id, listId);
    if (t.version !== version) throw new ApiError(412, "precondition_failed", "Changed elsewhere.");
    this.elsewhere(id, changes);
    return this.live(id);
  }
  async remove(listId: string, id: string, version: number): Promise<void> {
    await this.enter(`remove ${id}`);
    const t = this.live(id, listId);
    if (t.version !== version) throw new ApiError(412, "precondition_failed", "Changed elsewhere.");
    this.elsewhere(id, "delete");
  }
  async markAll(_listId: string, completed: boolean, cursor: string | null): Promise<{ nextCursor: string | null }> {
    await this.enter(`markAll ${completed} ${cursor}`);
    const todo = this.todos.filter((t) => t.completed !== completed);
    for (const t of todo.slice(0, this.bulkPage)) this.elsewhere(t.id, { completed });
    return { nextCursor: todo.length > this.bulkPage ? `m${this.tick}` : null };
  }
  async clearCompleted(_listId: string, cursor: string | null): Promise<{ nextCursor: string | null }> {
    await this.enter(`clearCompleted ${cursor}`);
    const done = this.todos.filter((t) => t.completed);
    for (const t of done.slice(0, this.bulkPage)) this.elsewhere(t.id, "delete");
    return { nextCursor: done.length > this.bulkPage ? `x${this.tick}` : null };
  }
  async lists(): Promise<{ items: ListRow[] }> {
    await this.enter("lists");
    return { items: [...this.listRows.values()] };
  }
  async createList(name: string, key: string): Promise<ListRow> {
    await this.enter(`createList ${name}`);
    const known = this.keys.get(key);
    if (known) return this.listRows.get(known)!;
    const id = `L${++this.ids}`;
    const now = new Date().toISOString();
    this.listRows.set(id, { id, name, role: "owner", ownerId: ME, position: null, version: 1, createdAt: now, updatedAt: now });
    this.keys.set(key, id);
    return this.listRows.get(id)!;
  }
  async updateList(listId: string, _version: number | null, changes: { name?: string; position?: string }): Promise<ListRow> {
    await this.enter(`updateList ${listId}`);
    this.list(listId);
    const l = { ...this.listRows.get(listId)!, ...changes, version: this.listRows.get(listId)!.version + 1 };
    this.listRows.set(listId, l);
    return l;
  }
  async deleteList(listId: string): Promise<{ nextCursor: null }> {
    await this.enter(`deleteList ${listId}`);
    this.list(listId);
    this.listRows.delete(listId);
    return { nextCursor: null };
  }
  async invite(listId: string): Promise<unknown> {
    await this.enter(`invite ${listId}`);
    return {};
  }
  async setRole(listId: string, memberId: string, role: string): Promise<unknown> {
    await this.enter(`setRole ${listId} ${memberId} ${role}`);
    return { id: memberId, email: `${memberId}@example.com`, role, version: 2, joinedAt: "2026-01-01T00:00:00.000Z" };
  }
  async removeMember(listId: string, memberId: string): Promise<void> {
    await this.enter(`removeMember ${listId} ${memberId}`);
  }
  /** The person loses a list (removed by its owner): the next pull says so. */
  lose(listId: string): void {
    this.listRows.delete(listId);
    this.removed.add(listId);
  }
  async changes(cursor: string | null): Promise<{ items: FeedItem[]; nextCursor: string | null; hasMore: boolean }> {
    await this.enter(`changes ${cursor}`);
    if (cursor && this.expired.has(cursor)) throw new ApiError(410, "sync_expired", "Sync again from the start.");
    const after = cursor ? Number(cursor.slice(1)) : 0;
    const rows = [...this.rows.values()]
      .filter((r) => r.tick > after && !(cursor === null && "deleted" in r))
      .sort((a, b) => a.tick - b.tick);
    const page = rows.slice(0, 100);
    const lists: FeedItem[] = cursor === null ? [...this.listRows.values()].map((l) => ({ type: "list" as const, ...l })) : [];
    const gone: FeedItem[] = cursor === null ? [] : [...this.removed].map((id) => ({ type: "list" as const, id, removed: true as const }));
    this.removed.clear();
    const items: FeedItem[] = [
      ...lists,
      ...gone,
      ...page.filter((r) => this.listRows.has(r.listId)).map(({ tick: _tick, ...c }) => ({ type: "todo" as const, ...c })),
    ];
    return { items, nextCursor: `c${page.at(-1)?.tick ?? after}`, hasMore: rows.length > page.length };
  }
}

export const offline = (): OfflineError => new OfflineError();
export const serverError = (): ApiError => new ApiError(500, "internal", "The server had a problem.");
