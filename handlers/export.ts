/**
 * Export: a person's to-dos as a file to download (JSON, or CSV for spreadsheets). Pure: to-dos
 * in, the file's text and headers out.
 */
import { ResponseTooLargeError } from "./errors";
import { JSON_CONTENT_TYPE } from "../common/gateway";
import { csvHead, csvLine, TODO_CSV_COLUMNS } from "../common/csv";
import type { Todo } from "./todos";

/**
 * Lambda returns at most 6 MB (payload and headers): a larger export is refused with a clear
 * message instead of failing inside API Gateway. Headroom is kept for headers.
 */
export const EXPORT_MAX_BYTES = 6 * 1024 * 1024 - 64 * 1024;

export function exportFile(
  todos: readonly Todo[],
  format: "json" | "csv",
  now: string,
  maxBytes = EXPORT_MAX_BYTES,
): { text: string; headers: Record<string, string> } {
  const day = now.slice(0, 10);
  const text =
    format === "json"
      ? JSON.stringify({ exportedAt: now, todos })
      : csvHead(TODO_CSV_COLUMNS) + todos.map((t) => csvLine(TODO_CSV_COLUMNS.map((c) => t[c]))).join("");
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new ResponseTooLargeError(
      "export_too_large",
      `Your ${todos.length} to-dos make a ${format.toUpperCase()} file of ${(bytes / 2 ** 20).toFixed(1)} MB, more than one download may carry (${(maxBytes / 2 ** 20).toFixed(1)} MB).${format === "json" ? " Try format=csv, which is smaller." : ""}`,
    );
  }
  return {
    text,
    headers: {
      "Content-Type": format === "json" ? JSON_CONTENT_TYPE : "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tasklane-todos-${day}.${format}"`,
    },
  };
}
