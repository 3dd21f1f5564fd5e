/**
 * AccountAdmin on the local stack: cognito-local's admin API (AdminUserGlobalSignOut, which it
 * lacks, is played by cognito-patch.ts; AdminDeleteUser is its own), and the sweep as a timer in
 * this process instead of an EventBridge Scheduler one-time schedule. The timer waits until the
 * time the deletion asked for, or `sweepDelayMs` when given (tests shorten it); a stack closed
 * before then drops it, as a stack destroyed on AWS would drop its schedules.
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
  /** Drops the sweeps not yet run. */
  close(): void;
}

export function localAccountAdmin(options: LocalAccountAdminOptions): LocalAccountAdmin {
  const log = options.log ?? ((line: string) => console.error(line));
  const timers = new Map<string, NodeJS.Timeout>();
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
      if (timers.has(name)) return Promise.resolve(); // scheduled already, as CreateSchedule's ConflictException says
      const delay = options.sweepDelayMs ?? Math.max(0, at.getTime() - Date.now());
      const timer = setTimeout(() => {
        timers.delete(name);
        const deadline = Date.now() + DEFAULT_TIME_BUDGET_MS;
        sweepAccount(options.store, admin, sub, new Date(), () => deadline - Date.now()).catch((err: unknown) =>
          log(`The sweep of a deleted account failed: ${String(err)}`),
        );
      }, delay);
      timer.unref();
      timers.set(name, timer);
      return Promise.resolve();
    },
    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
  return admin;
}
