/**
 * The web app's end of the push channel (issue 18): one WebSocket in AppSync Events' protocol
 * (common/push.ts has the names and the wire format), listening on the person's own channel for
 * pokes. It says when the channel is up (subscribed) and when it is down, and calls `poked` on
 * each poke; what to pull is the app's business (app.ts).
 *
 * - Each (re)connect asks for the ID token again (`idToken`): a fresh one, never the one a dead
 *   connection used. It rides in the `header-…` subprotocol and in the subscribe message.
 * - Up = `subscribe_success`. Down = anything else: refused at the upgrade, `subscribe_error`
 *   (not my channel, bad token), the socket closed, or no "ka" within `connectionTimeoutMs` of the
 *   last one (AppSync Events developer guide, "Understanding the Event API WebSocket protocol":
 *   the connection_ack's connectionTimeoutMs; "ka" messages keep the connection alive
 *   https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html).
 * - Down, it tries again after an exponential backoff with jitter (half fixed, half random), so a
 *   fleet of devices does not reconnect in step after an outage; `close()` stops for good.
 * Plain browser WebSocket: Node 24's global WebSocket runs it unchanged (test/site/push.test.ts).
 */
import { authProtocol, channelOf, CONNECTION_TIMEOUT_MS, EVENT_WS_PROTOCOL, readPoke, REALTIME_PATH } from "../../common/push";

export interface PushOptions {
  /** `wss://…/event/realtime` (AppSync) or this origin's REALTIME_PATH (the local stack). */
  readonly url: string;
  /** The `host` the authorization names (AppSync: the Event API's HTTP domain). */
  readonly host: string;
  /** The person's `sub`: their channel is channelOf(sub). */
  readonly sub: string;
  /** A valid ID token (auth.ts); called on every (re)connect. */
  idToken(): Promise<string>;
  /** A poke arrived: something the person can see changed; `from`: the device that made every change of it (common/push.ts). */
  poked(poke: { readonly from?: string }): void;
  /** true: subscribed. false: a try failed (refused, unreachable, no token), the link was lost, or close(). */
  up(on: boolean): void;
  /** The first retry's delay and the longest. @default PUSH_BACKOFF */
  readonly backoff?: { readonly firstMs: number; readonly maxMs: number };
}

/** 1 s, 2 s, 4 s … up to 5 minutes between tries: a refused or unreachable channel costs a try every 5 minutes at most. */
export const PUSH_BACKOFF = { firstMs: 1000, maxMs: 300_000 } as const;

/** The channel on this page's own origin (the local stack's; SiteConfig.push without realtimeUrl). */
export const sameOrigin = (): string => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${REALTIME_PATH}`;

interface Message {
  readonly type?: string;
  readonly connectionTimeoutMs?: number;
  /** A "data" message's event: the poke's JSON text. */
  readonly event?: unknown;
}

export function connectPush(options: PushOptions): { close(): void } {
  const backoff = options.backoff ?? PUSH_BACKOFF;
  let ws: WebSocket | undefined;
  let closed = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let dead: ReturnType<typeof setTimeout> | undefined;
  let timeoutMs = CONNECTION_TIMEOUT_MS;

  /** No "ka" (or ack) within timeoutMs from now: the link is dead. */
  const watch = () => {
    clearTimeout(dead);
    dead = setTimeout(() => down(), timeoutMs);
  };

  function down(): void {
    clearTimeout(dead);
    const old = ws;
    ws = undefined;
    if (old) {
      old.onclose = old.onmessage = old.onerror = null;
      old.close();
    }
    options.up(false);
    if (closed) return;
    const wait = Math.min(backoff.maxMs, backoff.firstMs * 2 ** failures++);
    retry = setTimeout(() => void open(), wait / 2 + (Math.random() * wait) / 2);
  }

  async function open(): Promise<void> {
    let token: string;
    try {
      token = await options.idToken();
    } catch {
      return down(); // offline, or the refresh failed: try again later (sign-out closes this)
    }
    if (closed) return;
    const auth = { host: options.host, Authorization: token };
    const socket = (ws = new WebSocket(options.url, [EVENT_WS_PROTOCOL, authProtocol(auth)]));
    timeoutMs = CONNECTION_TIMEOUT_MS;
    watch();
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init" }));
    socket.onclose = socket.onerror = () => down();
    socket.onmessage = (event: MessageEvent) => {
      let message: Message;
      try {
        message = JSON.parse(String(event.data)) as Message;
      } catch {
        return;
      }
      if (message.type === "connection_ack") {
        timeoutMs = message.connectionTimeoutMs || CONNECTION_TIMEOUT_MS;
        watch();
        socket.send(JSON.stringify({ type: "subscribe", id: crypto.randomUUID(), channel: channelOf(options.sub), authorization: auth }));
      } else if (message.type === "ka") watch();
      else if (message.type === "subscribe_success") {
        failures = 0;
        options.up(true);
      } else if (message.type === "subscribe_error") down();
      else if (message.type === "data") options.poked(readPoke(message.event));
    };
  }

  void open();
  return {
    close(): void {
      closed = true;
      clearTimeout(retry);
      down();
    },
  };
}
