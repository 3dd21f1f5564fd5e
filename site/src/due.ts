/**
 * Due dates: the API stores a calendar day ("2025-12-03", no time, no zone). "Today" is the
 * person's own calendar day; a day is shown in their language ("Due 3 Dec", "Due Dec 3"), with
 * the year only when it is not this year. Pure functions: test/site runs them under Node.
 */

/** The calendar day of `now` where the person is, as YYYY-MM-DD. */
export function localDay(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Overdue: due before today and not done. YYYY-MM-DD strings compare as days. */
export const isOverdue = (todo: { readonly dueDate: string | null; readonly completed: boolean }, today: string): boolean =>
  todo.dueDate !== null && !todo.completed && todo.dueDate < today;

/**
 * The locale dates are shown in: the page is English, so the person's first English variant
 * ("en-GB": 3 Dec, "en-US": Dec 3), else plain "en". Month names never switch language mid-line.
 */
export const pageLocale = (languages: readonly string[]): string => languages.find((l) => /^en(-|$)/i.test(l)) ?? "en";

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * "3 Dec" (or "Dec 3": the order is the locale's), "3 Dec 2026" when not in today's year.
 * The day is formatted as a UTC date in UTC, so no time zone can move it to the day before.
 */
export function formatDay(day: string, today: string, locale: string): string {
  const [y, mo, d] = day.split("-").map(Number);
  const withYear = day.slice(0, 4) !== today.slice(0, 4);
  const key = `${locale}|${withYear}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", ...(withYear && { year: "numeric" }), timeZone: "UTC" });
    formats.set(key, format);
  }
  return format.format(new Date(Date.UTC(y, mo - 1, d)));
}

/** Days from `from` to `to` (both YYYY-MM-DD), by the calendar: UTC arithmetic, so no zone or DST moves it. */
export function daysBetween(from: string, to: string): number {
  const utc = (day: string) => {
    const [y, mo, d] = day.split("-").map(Number);
    return Date.UTC(y, mo - 1, d);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

const weekdays = new Map<string, Intl.DateTimeFormat>();

/**
 * A due date as a calendar reads it: "Due today", "Due tomorrow", "Due yesterday", the weekday
 * within the coming week ("Due Friday"), else the day ("Due 3 Dec", "Due 3 Dec 2026").
 * Whether it is overdue is said apart (row.ts), as a done to-do is never overdue.
 */
export function dueText(day: string, today: string, locale: string): string {
  const days = daysBetween(today, day);
  if (days === 0) return "Due today";
  if (days === 1) return "Due tomorrow";
  if (days === -1) return "Due yesterday";
  if (days > 1 && days < 7) {
    let format = weekdays.get(locale);
    if (!format) weekdays.set(locale, (format = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" })));
    const [y, mo, d] = day.split("-").map(Number);
    return `Due ${format.format(new Date(Date.UTC(y, mo - 1, d)))}`;
  }
  return `Due ${formatDay(day, today, locale)}`;
}

/** What an edit changes: only the fields that differ; null when nothing does. */
export function editChanges(
  item: { readonly title: string; readonly dueDate: string | null },
  title: string,
  dueDate: string | null,
): { title?: string; dueDate?: string | null } | null {
  const changes = {
    ...(title !== item.title && { title }),
    ...(dueDate !== item.dueDate && { dueDate }),
  };
  return Object.keys(changes).length > 0 ? changes : null;
}

/**
 * The sentence a screen reader hears after a saved edit: "Renamed to “Tax”.",
 * "“Tax” is now due 3 Dec.", "“Tax” no longer has a due date.", "Renamed to “Tax”, due 3 Dec."
 */
export function editedText(before: string, changes: { title?: string; dueDate?: string | null }, today: string, locale: string): string {
  const name = `“${changes.title ?? before}”`;
  const day = changes.dueDate ? formatDay(changes.dueDate, today, locale) : "";
  if (changes.title === undefined) return day ? `${name} is now due ${day}.` : `${name} no longer has a due date.`;
  if (changes.dueDate === undefined) return `Renamed to ${name}.`;
  return `Renamed to ${name}, ${day ? `due ${day}` : "no due date"}.`;
}
