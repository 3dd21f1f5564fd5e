/**
 * This browser's device id (issue 18): a random UUID made once per browser profile, in
 * localStorage so every tab of the browser has the same one (one leader tab holds the push
 * connection and sends the writes). Every write names it (api.ts, `X-Tasklane-Device`); a poke
 * whose changes all came from it is not pulled (live.ts). Read from storage each time, not
 * cached: two tabs that make one at the same moment end with the last one written, and a stale
 * id only costs a pull (the poke reads as "from elsewhere").
 *
 * Forgotten at sign-out with everything else of the person (list-screen.ts `stop`): the next
 * person on this browser gets a new id, so no id links two accounts' writes in the table.
 */
import { DEVICE_HEADER, DEVICE_ID } from "../../common/device";

const KEY = "tasklane.device";
/** Where storage is refused (a locked-down profile): one id for this page's life. */
let fallback: string | undefined;

export function deviceId(storage?: Storage): string {
  try {
    const store = storage ?? localStorage;
    let id = store.getItem(KEY);
    if (id === null || !DEVICE_ID.test(id)) store.setItem(KEY, (id = crypto.randomUUID()));
    return id;
  } catch {
    return (fallback ??= crypto.randomUUID());
  }
}

/** The header that names this device on a write (api.ts sends it). */
export const deviceHeaders = (): Record<string, string> => ({ [DEVICE_HEADER]: deviceId() });

export function forgetDevice(storage?: Storage): void {
  fallback = undefined;
  try {
    (storage ?? localStorage).removeItem(KEY);
  } catch {
    // nothing stored
  }
}
