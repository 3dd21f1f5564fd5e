/**
 * Every rule Cognito applies to a new password (common/auth-policy.ts), checked before anything
 * is sent, as sentences: the sign-in screen's forms (auth-view.ts) and "Your account"
 * (account.ts) use it. Not part of auth.ts, so the list screen's first page does not carry the
 * policy.
 */
import { passwordProblems as policyProblems } from "../../common/auth-policy";

/** The rules the password breaks, as sentences; none when it is acceptable. */
export function passwordProblems(password: string): string[] {
  return policyProblems(password).map((problem) => problem.message);
}
