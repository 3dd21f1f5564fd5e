/**
 * Deleting an account (issue 19, and issue 17's hand-over): the shapes the store's deletion
 * works with (store-account.ts implements AccountStore), the port to what lives outside the
 * table (AccountAdmin: Cognito and the sweep's timer), and the sweep's timing. What the deletion
 * does to each kind of item, and why it holds without transactions, is in table.ts
 * ("Invariants without transactions"); the README says it for people.
 */
import { TOKEN_VALIDITY } from "../common/auth-policy";

/** Who is deleted: the token's claims on the first call; the marker's copy on every later one. */
export interface Account {
  readonly sub: string;
  readonly email?: string;
  /** The token's `cognito:username` (what Cognito's admin calls take). */
  readonly username?: string;
}

/** What the marker (`u#<sub>`/`~deleted`) keeps: enough for the sweep, which has no token. */
export interface MarkedAccount {
  readonly sub: string;
  readonly email: string;
  readonly username: string;
  readonly deletedAt: string;
}

/** Where a call stopped: inside the deletion of one list (after this sort key), or at the top. */
export interface AccountStop {
  readonly listId?: string;
  readonly after?: string;
}

export interface AccountDeletionOptions {
  readonly stop?: AccountStop;
  readonly timeLeft: () => number;
  /** Runs once the marker is written (every call): ends the sessions, schedules the sweep. */
  readonly marked?: (account: MarkedAccount) => Promise<void>;
}

export interface AccountDeletion {
  /** Absent once everything is gone: else where the next call continues. */
  readonly stop?: AccountStop;
  readonly account: MarkedAccount;
  /** Lists this call handed to another member, deleted, and left. */
  readonly handedOver: number;
  readonly deleted: number;
  readonly left: number;
}

export interface AccountStore {
  /** True once the account's deletion began (its marker exists). */
  accountDeleted(sub: string): Promise<boolean>;
  /** Marks the account deleted (first), then removes its data step by step; call again while `stop`. */
  deleteAccount(account: Account, now: string, options: AccountDeletionOptions): Promise<AccountDeletion>;
}

/** What deleting an account needs outside the table. Each call may be repeated. */
export interface AccountAdmin {
  /** Cognito AdminUserGlobalSignOut: refresh tokens stop working; a deleted user counts as done. */
  endSessions(username: string): Promise<void>;
  /** Cognito AdminDeleteUser; a user already gone counts as done. */
  deleteUser(username: string): Promise<void>;
  /** Runs the deletion again for `sub` at `at` (the sweep); one already scheduled counts as done. */
  scheduleSweep(sub: string, at: Date): Promise<void>;
}

/** The event the sweep's schedule sends the deletion function (not an API Gateway event). */
export interface SweepEvent {
  readonly sweep: { readonly sub: string };
}

export const isSweepEvent = (event: unknown): event is SweepEvent =>
  typeof (event as SweepEvent | null)?.sweep?.sub === "string" && (event as SweepEvent).sweep.sub !== "";

/**
 * When the sweep runs after the deletion began: once every ID token the person held has expired
 * (API Gateway's Cognito authorizer accepts one until then, global sign-out or not: only refresh
 * tokens are revoked, AdminUserGlobalSignOut's API reference), plus the longest request (a
 * function may run 29 s, API Gateway's limit), plus a minute for the schedule's 60 s precision
 * (EventBridge Scheduler user guide, "Schedule types").
 */
export const SWEEP_DELAY_MS = TOKEN_VALIDITY.accessAndIdTokenMinutes * 60_000 + 29_000 + 60_000;

/** How long the marker stays (DynamoDB TTL): long after the sweep, so a repeated call still finds it. */
export const MARKER_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/** A continuation of an unfinished sweep runs this much later. */
export const SWEEP_RETRY_MS = 60_000;

/**
 * The sweep: the whole deletion once more (the marker keeps who it is for), then the Cognito
 * user (gone already, normally). Unfinished within its time: another sweep a minute later.
 */
export async function sweepAccount(
  store: Pick<AccountStore, "deleteAccount">,
  admin: AccountAdmin,
  sub: string,
  now: Date,
  timeLeft: () => number,
): Promise<AccountDeletion> {
  const result = await store.deleteAccount({ sub }, now.toISOString(), { timeLeft });
  if (result.stop) await admin.scheduleSweep(sub, new Date(now.getTime() + SWEEP_RETRY_MS));
  else await admin.deleteUser(result.account.username);
  return result;
}
