/**
 * Search over the device copy (issue 19): instant at 10,000 to-dos, online or not. A query's
 * words must each be found in the title, in any order, ignoring case and accents ("cafe" finds
 * "Café"). A title's folded form is kept per to-do object (to-dos are immutable values in the
 * copy: a changed to-do is a new object), so a keystroke folds only the query.
 */
const folded = new WeakMap<object, string>();

/** Lower case, without accents or other combining marks, compatibility forms made plain (ｅ→e, ﬁ→fi). */
export const fold = (text: string): string =>
  text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLocaleLowerCase();

/** The query's words, folded; none for a blank query. */
export const queryWords = (query: string): string[] => fold(query).split(/\s+/).filter(Boolean);

/** A test for the query, or null when the query is blank (everything matches). */
export function matcher(query: string): (<T extends { readonly title: string }>(todo: T) => boolean) | null {
  const words = queryWords(query);
  if (words.length === 0) return null;
  return (todo) => {
    let title = folded.get(todo);
    if (title === undefined) folded.set(todo, (title = fold(todo.title)));
    return words.every((word) => title.includes(word));
  };
}
