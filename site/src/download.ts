/**
 * "Download my data": every list the person is a member of (its id, name, the person's role) with
 * all its to-dos, as one JSON or CSV file (CSV: one line a to-do, the list's id, name and role
 * first). The site gathers it from the per-list export (`GET /api/lists/{id}/todos/export`), a
 * call per list, instead of one `GET /api/export`: the limits allow 100 lists of 10,000 to-dos,
 * and one list's export is what one function call is measured to carry (5 s, 6 MB; README
 * "Limits"), so a person's whole data may be up to a hundred times more than one call can answer.
 * The browser holds it as one part per list (a Blob is made of them; no single giant string).
 */
import { csvHead, csvLine, TODO_CSV_COLUMNS } from "../../common/csv";
import type { Todo } from "../../handlers/todos";

export type ExportFormat = "json" | "csv";

export interface ExportedList {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly todos: readonly Todo[];
}

/** The CSV's columns: the list's, then the to-do's (the same as the per-list export's). */
export const DOWNLOAD_CSV_COLUMNS = ["listId", "list", "role", ...TODO_CSV_COLUMNS] as const;

/** What gathering needs of the API client. */
export interface ExportSource {
  lists(): Promise<{ items: readonly { id: string; name: string; role: string }[] }>;
  /** One list's to-dos; rejects with a 404 ApiError when the list is gone (deleted, or left, since `lists()`). */
  exportList(listId: string): Promise<{ todos: Todo[] }>;
}

/** Lists fetched at once: a few, so 100 lists take seconds, not minutes, without a burst of 100 calls. */
const AT_ONCE = 4;

/** Every list the person is a member of, in their order, with its to-dos. A list gone meanwhile is left out. */
export async function gatherExport(source: ExportSource): Promise<ExportedList[]> {
  const { items } = await source.lists();
  const found: (ExportedList | undefined)[] = items.map(() => undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const { id, name, role } = items[i];
      try {
        found[i] = { id, name, role, todos: (await source.exportList(id)).todos };
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
  return found.filter((list): list is ExportedList => list !== undefined);
}

/** The file: its parts (one per list, to make a Blob of), media type and name. */
export function downloadFile(
  lists: readonly ExportedList[],
  format: ExportFormat,
  now: string,
): { parts: string[]; type: string; filename: string } {
  const filename = `tasklane-todos-${now.slice(0, 10)}.${format}`;
  if (format === "csv") {
    const parts = [csvHead(DOWNLOAD_CSV_COLUMNS)];
    for (const list of lists) {
      parts.push(list.todos.map((t) => csvLine([list.id, list.name, list.role, ...TODO_CSV_COLUMNS.map((c) => t[c])])).join(""));
    }
    return { parts, type: "text/csv;charset=utf-8", filename };
  }
  const parts = [`{"exportedAt":${JSON.stringify(now)},"lists":[`];
  lists.forEach((list, i) =>
    parts.push((i ? "," : "") + JSON.stringify({ id: list.id, name: list.name, role: list.role, todos: list.todos })),
  );
  parts.push("]}");
  return { parts, type: "application/json", filename };
}
