/**
 * An in-memory stand-in of the whole-list API (API-PLAN.md) for the sync engine's unit tests:
 * versions and If-Match, Idempotency-Key, tombstones, a changes feed with cursors (and 410 for
 * an expired one), mark-all and clear-completed in pages. It records every call, so tests can
 * count requests, and can fail the next calls on demand (offline, 500).
 */
import { ApiError, OfflineError } from "../../site/src/api";
import type { SyncApi } from "../../site/src/engine";
import type { Change, Changes, Todo } from "../../site/src/replica";

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
  private write(t: Todo | (Change & { deleted: true })): void {
    this.rows.set(t.id, { ...t, tick: ++this.tick });
  }
  private live(id: string): Todo {
    const row = this.rows.get(id);
    if (!row || "deleted" in row) throw new ApiError(404, "not_found", "No such to-do.");
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
    const todo: Todo = { id, completed: false, dueDate: null, createdAt: now, updatedAt: now, version: 1, ...fields };
    this.write(todo);
    return todo;
  }
  /** An edit or deletion made on another device. */
  elsewhere(id: string, changes: Changes | "delete"): void {
    const t = this.live(id);
    if (changes === "delete") this.write({ id, deleted: true, version: t.version + 1, updatedAt: t.updatedAt });
    else this.write({ ...t, ...changes, version: t.version + 1 });
  }

  async create(fields: { title: string; dueDate?: string | null; completed?: boolean }, key: string): Promise<Todo> {
    await this.enter(`create ${fields.title}`);
    const known = this.keys.get(key);
    if (known) return this.live(known);
    const todo = this.seed({ title: fields.title, dueDate: fields.dueDate ?? null, completed: fields.completed ?? false });
    this.keys.set(key, todo.id);
    return todo;
  }
  async get(id: string): Promise<Todo> {
    await this.enter(`get ${id}`);
    return this.live(id);
  }
  async update(id: string, version: number, changes: Changes): Promise<Todo> {
    await this.enter(`update ${id} ${JSON.stringify(changes)}`);
    const t = this.live(id);
    if (t.version !== version) throw new ApiError(412, "precondition_failed", "Changed elsewhere.");
    this.elsewhere(id, changes);
    return this.live(id);
  }
  async remove(id: string, version: number): Promise<void> {
    await this.enter(`remove ${id}`);
    const t = this.live(id);
    if (t.version !== version) throw new ApiError(412, "precondition_failed", "Changed elsewhere.");
    this.elsewhere(id, "delete");
  }
  async markAll(completed: boolean, cursor: string | null): Promise<{ nextCursor: string | null }> {
    await this.enter(`markAll ${completed} ${cursor}`);
    const todo = this.todos.filter((t) => t.completed !== completed);
    for (const t of todo.slice(0, this.bulkPage)) this.elsewhere(t.id, { completed });
    return { nextCursor: todo.length > this.bulkPage ? `m${this.tick}` : null };
  }
  async clearCompleted(cursor: string | null): Promise<{ nextCursor: string | null }> {
    await this.enter(`clearCompleted ${cursor}`);
    const done = this.todos.filter((t) => t.completed);
    for (const t of done.slice(0, this.bulkPage)) this.elsewhere(t.id, "delete");
    return { nextCursor: done.length > this.bulkPage ? `x${this.tick}` : null };
  }
  async changes(cursor: string | null): Promise<{ items: Change[]; nextCursor: string | null; hasMore: boolean }> {
    await this.enter(`changes ${cursor}`);
    if (cursor && this.expired.has(cursor)) throw new ApiError(410, "sync_expired", "Sync again from the start.");
    const after = cursor ? Number(cursor.slice(1)) : 0;
    const rows = [...this.rows.values()]
      .filter((r) => r.tick > after && !(cursor === null && "deleted" in r))
      .sort((a, b) => a.tick - b.tick);
    const page = rows.slice(0, 100);
    const items: Change[] = page.map(({ tick: _tick, ...c }) => c);
    return { items, nextCursor: `c${page.at(-1)?.tick ?? after}`, hasMore: rows.length > page.length };
  }
}

export const offline = (): OfflineError => new OfflineError();
export const serverError = (): ApiError => new ApiError(500, "internal", "The server had a problem.");
