/**
 * CSV as spreadsheets read it, one owner for the server's per-list export (handlers/export.ts)
 * and the site's whole download (site/src/download.ts): RFC 4180 quoting, CRLF line ends, a BOM
 * so that spreadsheet programs read the file as UTF-8, and a leading = + - @ defused so a title
 * is never run as a formula.
 */

/** The to-do fields a CSV export has, in column order (the site's download puts the list's before them). */
export const TODO_CSV_COLUMNS = ["id", "title", "completed", "dueDate", "createdAt", "updatedAt", "version"] as const;

export type CsvValue = string | number | boolean | null | undefined;

/** A CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvField(value: CsvValue): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (with its CRLF). */
export const csvLine = (values: readonly CsvValue[]): string => `${values.map(csvField).join(",")}\r\n`;

/** The start of a CSV file: the BOM and the header line. */
export const csvHead = (columns: readonly string[]): string => `\uFEFF${csvLine(columns)}`;
