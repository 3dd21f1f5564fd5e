/**
 * Cursors: opaque strings that carry a position (where a page, a sync or a bulk change stopped)
 * back to the route that issued them.
 *
 * Each carries the position and a seal: a hash of the position, the route and the user it was
 * issued to. A cursor from another user or another route, or one whose bytes were edited,
 * appended to or re-encoded, is refused (400) instead of being followed. The seal is not keyed
 * with a secret: a user who knows the scheme could forge a cursor, but only for a position in
 * their own partition (the adapter always queries the caller's own `userId`), so a forgery can
 * never reach another user's data; the worst it does is skip or repeat the forger's own items.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "./errors";

const CURSOR_VERSION = 3;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("base64url");

function seal(userId: string, route: string, position: unknown): string {
  return sha256(`${CURSOR_VERSION}\n${route}\n${userId}\n${JSON.stringify(position)}`).slice(0, 22);
}

/** A cursor for `position` (any JSON value), valid only for this user on this route. */
export function sealCursor(userId: string, route: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, k: position, s: seal(userId, route, position) })).toString("base64url");
}

export function invalidCursor(): ValidationError {
  return new ValidationError(
    "The cursor is not valid here: start again without one.",
    [{ field: "cursor", message: "is not a cursor this route issued to you" }],
    "invalid_cursor",
  );
}

/**
 * The position inside a cursor this route issued to this user. `read` checks its shape and
 * returns it typed, or undefined when it is not one this route writes.
 */
export function openCursor<T>(userId: string, route: string, cursor: string, read: (position: unknown) => T | undefined): T {
  if (!BASE64URL.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (parsed === null || typeof parsed !== "object" || !("k" in parsed)) throw invalidCursor();
  const position = parsed.k;
  // Re-encoding must give back the very same string: that checks the version, the seal (user,
  // route and position), and that nothing was added, dropped or encoded differently.
  if (sealCursor(userId, route, position) !== cursor) throw invalidCursor();
  const typed = read(position);
  if (typed === undefined) throw invalidCursor();
  return typed;
}
