/**
 * Keeps the tabs of one browser in step:
 * - a BroadcastChannel says "the device copy changed" (the others re-read it at once), "pull
 *   now" (a visible tab asks the sending tab) and "signed out" (every tab signs out);
 * - a Web Lock elects the one tab that sends the queue and pulls: the lock passes to another
 *   tab when its holder closes. Without Web Locks, every tab leads (the server's Idempotency-Key
 *   and If-Match still keep each change once).
 */
export type TabMessage =
  | { type: "changed" }
  | { type: "pull"; timer: boolean } // `timer`: asked by the POLL_MS timer, not by a look at the tab
  | { type: "signed-out"; message: string; keepEmail: boolean };

const CHANNEL = "tasklane";
const LOCK = "tasklane-sender";

export function createTabs(hear: (message: TabMessage) => void, lead: (on: boolean) => void) {
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  if (channel) channel.onmessage = (event: MessageEvent<TabMessage>) => hear(event.data);
  const abort = new AbortController();
  let release = () => {};
  if (navigator.locks) {
    navigator.locks
      .request(LOCK, { signal: abort.signal }, () => {
        lead(true);
        return new Promise<void>((done) => (release = done));
      })
      .catch(() => undefined); // aborted: this tab closed or signed out before leading
  } else lead(true);

  return {
    tell(message: TabMessage): void {
      channel?.postMessage(message);
    },
    close(): void {
      lead(false);
      abort.abort();
      release();
      channel?.close();
    },
  };
}
