/**
 * AccountAdmin on the local stack: cognito-local's admin API (AdminUserGlobalSignOut, which it
 * lacks, is played by cognito-patch.ts; AdminDeleteUser is its own), and the sweep as a timer in
 * this process instead of an EventBridge Scheduler one-time schedule. The timer waits until the
 * time the deletion asked for, or `sweepDelayMs` when given (tests shorten it); a stack closed
 * before then drops it, as a stack destroyed on AWS would drop its schedules. A sweep running when
 * the stack closes stops at its next step (its time budget ends) and is waited for: its Queries
 * must not outlive the table (a CI run saw dynalite's "Iterator is not open" after the account test).
 */
import { sweepAccount, type AccountAdmin, type AccountStore } from "../handlers/account";
import { sweepScheduleName } from "../handlers/account-admin";
import { DEFAULT_TIME_BUDGET_MS } from "../handlers/http";

export interface LocalAccountAdminOptions {
  readonly cognitoEndpoint: string;
  readonly userPoolId: string;
  readonly store: AccountStore;
  /** Run each sweep this long after it is scheduled, whatever time it asked for. @default the time asked */
  readonly sweepDelayMs?: number;
  /** Where a failed sweep is reported. @default console.error */
  readonly log?: (line: string) => void;
}

export interface LocalAccountAdmin extends AccountAdmin {
  /** Drops the sweeps not yet run, and ends the running ones (waits for them). */
  close(): Promise<void>;
}

export function localAccountAdmin(options: LocalAccountAdminOptions): LocalAccountAdmin {
  const log = options.log ?? ((line: string) => console.error(line));
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;
  const call = async (action: string, username: string) => {
    const res = await fetch(options.cognitoEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}` },
      body: JSON.stringify({ UserPoolId: options.userPoolId, Username: username }),
    });
    const text = await res.text();
    // A user already gone counts as done (as the AWS admin reads UserNotFoundException).
    if (!res.ok && !text.includes("UserNotFoundException")) throw new Error(`${action} failed: ${res.status} ${text}`);
  };
  const admin: LocalAccountAdmin = {
    endSessions: (username) => call("AdminUserGlobalSignOut", username),
    deleteUser: (username) => call("AdminDeleteUser", username),
    scheduleSweep(sub, at) {
      const name = sweepScheduleName(sub, at);
      // Scheduled already, as CreateSchedule's ConflictException says; or the stack is closing.
      if (timers.has(name) || closed) return Promise.resolve();
      const delay = options.sweepDelayMs ?? Math.max(0, at.getTime() - Date.now());
      const timer = setTimeout(() => {
        timers.delete(name);
        const deadline = Date.now() + DEFAULT_TIME_BUDGET_MS;
        const sweep = sweepAccount(options.store, admin, sub, new Date(), () => (closed ? 0 : deadline - Date.now())).then(
          () => undefined,
          (err: unknown) => void (closed || log(`The sweep of a deleted account failed: ${String(err)}`)),
        );
        running.add(sweep);
        void sweep.finally(() => running.delete(sweep));
      }, delay);
      timer.unref();
      timers.set(name, timer);
      return Promise.resolve();
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running]);
    },
  };
  return admin;
}
