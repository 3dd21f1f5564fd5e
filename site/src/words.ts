/** Failures in plain words, for the messages on screen. */
import { ApiError, OfflineError } from "./api";
import { AuthError } from "./auth";

/** No answer at all: the person is offline or the server is down. */
export const isOffline = (err: unknown): boolean => err instanceof OfflineError || (err instanceof AuthError && err.code === "Offline");

export function explain(err: unknown): string {
  if (isOffline(err)) return "the server could not be reached. Check your connection.";
  return err instanceof ApiError || err instanceof AuthError ? err.message : "something went wrong. Try again.";
}

/** A refusal of a change to a list, in words: 403 (a viewer now), 404 (the list is gone). */
export function refusal(err: unknown): string {
  if (err instanceof ApiError && err.status === 403) return "you can only view this list. Ask its owner to make you an editor.";
  if (err instanceof ApiError && err.status === 404)
    return "the list or to-do is no longer there: it was deleted, or you are no longer a member of the list.";
  return explain(err);
}
