/** Failures in plain words, for the messages on screen. */
import { ApiError, OfflineError } from "./api";
import { AuthError } from "./auth";

/** No answer at all: the person is offline or the server is down. */
export const isOffline = (err: unknown): boolean => err instanceof OfflineError || (err instanceof AuthError && err.code === "Offline");

export function explain(err: unknown): string {
  if (isOffline(err)) return "the server could not be reached. Check your connection.";
  return err instanceof ApiError || err instanceof AuthError ? err.message : "something went wrong. Try again.";
}
