/** Failures in plain words, for the messages on screen. */
import { ApiError, OfflineError } from "./api";
import { AuthError } from "./auth";

/** No answer at all: the person is offline or the server is down. */
export const isOffline = (err: unknown): boolean => err instanceof OfflineError || (err instanceof AuthError && err.code === "Offline");

export function explain(err: unknown): string {
  if (isOffline(err)) return "the server could not be reached. Check your connection.";
  return err instanceof ApiError || err instanceof AuthError ? err.message : "something went wrong. Try again.";
}

/**
 * What the screen says while sending or pulling fails, given what is at stake: changes waiting
 * (kept on this device, sent later), or a first load (the list is not here yet), or neither.
 * "" when the offline banner already says it all (the browser knows it is offline).
 */
export function troubleText(err: unknown, at: { waiting: number; loaded: boolean; online: boolean }): string {
  const unreachable = isOffline(err);
  if (unreachable && !at.online) return "";
  const why = unreachable ? "the server cannot be reached right now" : explain(err).replace(/\.$/, "");
  const n = at.waiting;
  if (n > 0) {
    const kept = `Your ${n === 1 ? "change is" : `${n} changes are`} kept on this device`;
    return unreachable
      ? `The server cannot be reached right now. ${kept} and will be sent when it answers.`
      : `${kept} but could not be saved yet: ${why}. ${n === 1 ? "It" : "They"} will be sent again.`;
  }
  if (!at.loaded) return `Your list could not be loaded: ${why}. Trying again…`;
  return `Could not check for changes from your other devices: ${why}. Trying again…`;
}
