export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Renders rows as a Markdown table; the first row's keys are the header. */
export function markdownTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]);
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(keys), line(keys.map(() => "---")), ...rows.map((r) => line(keys.map((k) => r[k] ?? "")))].join("\n");
}
