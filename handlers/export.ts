/**
 * Export: a person's to-dos as a file to download (JSON, or CSV for spreadsheets). Pure: to-dos
 * in, the file's text and headers out.
 */
import { ResponseTooLargeError } from "./errors";
import { JSON_CONTENT_TYPE } from "../common/gateway";
import type { Todo } from "./todos";

/**
 * Lambda returns at most 6 MB (payload and headers): a larger export is refused with a clear
 * message instead of failing inside API Gateway. Headroom is kept for headers.
 */
export const EXPORT_MAX_BYTES = 6 * 1024 * 1024 - 64 * 1024;

const CSV_COLUMNS = ["id", "title", "completed", "dueDate", "createdAt", "updatedAt", "version"] as const satisfies readonly (keyof Todo)[];

/** A CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
function csvField(value: string | number | boolean | null): string {
  let text = value === null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

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
      : // A BOM so that spreadsheet programs read the file as UTF-8; CRLF line ends, as RFC 4180 says.
        `\uFEFF${[CSV_COLUMNS.join(","), ...todos.map((t) => CSV_COLUMNS.map((c) => csvField(t[c])).join(","))].join("\r\n")}\r\n`;
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
