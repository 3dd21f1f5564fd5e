/**
 * The API's limits the site needs too, in a module holding nothing else: the site imports them
 * from here, not from schemas.ts, whose schema objects esbuild cannot prove unused and would
 * otherwise carry into the first page (about 1.8 KB). schemas.ts re-exports them.
 */
/** A to-do's title: at most this many characters after trimming. */
export const TITLE_MAX_LENGTH = 500;
/** The most changes one page of GET /api/changes holds. */
export const CHANGES_LIMIT_MAX = 500;
