/**
 * The change feed's rules (no SDK, no HTTP): what a sync cursor holds, when it is too old, and
 * where the next sync starts.
 *
 * Every change sets `updatedAt` to its Lambda's clock and bumps `version`. Writes in different
 * Lambda instances can commit out of the order of their timestamps, by at most the function
 * timeout plus clock skew; SYNC_OVERLAP_MS is longer than that. So once a sync pass that started
 * at `t` has read the feed to its end, every change stamped at or before `t - SYNC_OVERLAP_MS`
 * had committed before the pass began and was read: the next sync starts there. Changes stamped
 * later are read again by the next sync (the overlap); the client keeps the higher version of
 * an id, so nothing is missed and nothing is doubled. The start moves with the clock, not with
 * the last change, so a quiet list is not re-read, and a cursor only ages when its owner is away.
 */
import { GoneError } from "./errors";
import { TODO_ID_PATTERN } from "./schemas";
import type { FeedPosition } from "./todos";

/** Longer than the longest function timeout API Gateway allows (29 s), plus clock skew. */
export const SYNC_OVERLAP_MS = 60_000;
/** How long a tombstone is kept (DynamoDB TTL), so that a device away this long still learns of deletions. */
export const TOMBSTONE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/**
 * Where a feed page may stop: a to-do id, or (the index holds them too, filtered out of the to-do
 * feed) a list's meta or a membership (table.ts).
 */
const FEED_KEY = new RegExp(`${TODO_ID_PATTERN}|^~list$|^~member#[\\x21-\\x7E]{1,128}$`);

/** What a changes cursor holds. */
export interface SyncPosition {
  /** The feed is read from this instant on ("" for a first, full sync). */
  readonly since: string;
  /** Inside a pass: when its first page was read, and the last change returned so far. */
  readonly pass?: { readonly startedAt: string; readonly after: FeedPosition };
}

/** The compact JSON a cursor carries: `{s}` or `{s, t, u, i}`. */
export function syncPositionToJson(p: SyncPosition): Record<string, string> {
  return p.pass ? { s: p.since, t: p.pass.startedAt, u: p.pass.after.updatedAt, i: p.pass.after.id } : { s: p.since };
}

export function syncPositionFromJson(json: unknown): SyncPosition | undefined {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined;
  const { s, t, u, i, ...rest } = json as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof s !== "string" || (s !== "" && !ISO_INSTANT.test(s))) return undefined;
  if (t === undefined && u === undefined && i === undefined) return s === "" ? undefined : { since: s };
  if (typeof t !== "string" || !ISO_INSTANT.test(t) || typeof u !== "string" || !ISO_INSTANT.test(u)) return undefined;
  if (typeof i !== "string" || !FEED_KEY.test(i)) return undefined;
  return { since: s, pass: { startedAt: t, after: { updatedAt: u, id: i } } };
}

/** 410 when tombstones this cursor still needs may have expired: the client must sync from scratch. */
export function assertFresh(position: SyncPosition, now: string): void {
  const oldest = position.pass?.startedAt ?? position.since;
  if (Date.parse(now) - Date.parse(oldest) > TOMBSTONE_LIFETIME_MS) {
    throw new GoneError(
      "sync_expired",
      "This sync cursor is older than 30 days: deletions since then may be forgotten. Drop the local copy and sync again without a cursor.",
    );
  }
}

/** Where the next sync starts once a pass that began at `startedAt` has read the feed to its end. */
export function caughtUp(since: string, startedAt: string): SyncPosition {
  const safe = new Date(Date.parse(startedAt) - SYNC_OVERLAP_MS).toISOString();
  return { since: since > safe ? since : safe };
}
