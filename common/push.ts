/**
 * The push channel's facts, written once (issue 18; STYLE.md "Push: poke, then pull"): the
 * channel a person listens on, the one message ever sent on it, the rule that a person may
 * listen only on their own channel, and the wire protocol's names. The poke function
 * (handlers/pokes.ts), PushChannel (components/push-channel.ts), the local channel
 * (local/push-server.ts) and, later, the web app import them from here.
 *
 * The protocol is AppSync Events' WebSocket protocol (AppSync Events developer guide,
 * "Understanding the Event API WebSocket protocol"
 * https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html):
 * - connect to `wss://<realtime domain>/event/realtime` offering two subprotocols,
 *   `aws-appsync-event-ws` and `header-<base64url(JSON of the authorization headers)>`; for
 *   Cognito user pools the headers are `{host: <HTTP domain>, Authorization: <ID token>}`;
 * - send `{"type":"connection_init"}`, receive `{"type":"connection_ack","connectionTimeoutMs"}`,
 *   then `{"type":"ka"}` keep-alives (no "ka" within connectionTimeoutMs: the link is dead);
 * - `{"type":"subscribe","id","channel","authorization"}` → `subscribe_success` or
 *   `subscribe_error` (`errors: [{errorType, message}]`); events arrive as
 *   `{"type":"data","id","event":"<JSON text>"}`; `unsubscribe` → `unsubscribe_success`.
 * The local stack speaks the same on its own origin, so one client serves both.
 */

/** The channel namespace of pokes. A namespace name is the channel path's first segment. */
export const PUSH_NAMESPACE = "pokes";

/** The channel one person listens on: `/pokes/<sub>` (the Cognito `sub` of their ID token). */
export const channelOf = (sub: string): string => `/${PUSH_NAMESPACE}/${sub}`;

/**
 * The only message sent on a channel. It says "something you can see changed; pull the change
 * feed". It carries no data: no ids, no titles, no count. One hint rides on it (issue 18): `from`,
 * the device whose requests made EVERY change the poke covers, set only when that device is the
 * poked person's own (the poke function knows whose device wrote each item: handlers/pokes.ts).
 * A device that reads its own id there skips the pull: its copy already holds its own writes
 * (their answers). Absent (changes from elsewhere, from several devices, from a migration, a
 * record without a device): pull. A wrong or lost hint costs latency (the next poke, the pull on
 * reconnect or on a look at the tab catch up), never correctness: every write still carries its
 * If-Match version, so a stale copy gets a 412, never overwrites.
 */
export interface Poke {
  readonly type: "poke";
  /** The device (DEVICE_ID) that made every change this poke covers, when it is the poked person's own. */
  readonly from?: string;
}

/** The poke's text on the wire: `{"type":"poke"}` or `{"type":"poke","from":"<device id>"}`. */
export const pokeText = (from?: string): string => JSON.stringify({ type: "poke", ...(from !== undefined && { from }) } satisfies Poke);

/** The poke without a hint (changes from elsewhere), and its text. */
export const POKE: Poke = { type: "poke" };
export const POKE_TEXT = pokeText();

/**
 * What a device reads of an event's text: anything but a poke with a string `from` is "from
 * elsewhere" (pull). The device compares `from` with its own id exactly, so a malformed one can
 * never pass for it: no pattern check here (it would put DEVICE_ID's module into the site's
 * push chunk and the first page's both, a chunk of its own: more bytes on the first page).
 */
export function readPoke(text: unknown): { readonly from?: string } {
  try {
    const from = (JSON.parse(String(text)) as { from?: unknown } | null)?.from;
    return typeof from === "string" ? { from } : {};
  } catch {
    return {};
  }
}

/**
 * The onSubscribe handler of the `pokes` namespace, as AppSync runs it (APPSYNC_JS): the caller
 * (already authenticated by the Cognito user pool) may subscribe to `/pokes/<their sub>` and to
 * nothing else: not another person's channel, not a wildcard (`/pokes/*`), not a deeper path.
 * `util.unauthorized()` refuses the subscription (`subscribe_error`, UnauthorizedException).
 * AppSync Events developer guide, "Process real-time events with AWS AppSync event handlers"
 * (onSubscribe) and "AWS AppSync Event API context reference" (`ctx.info.channel.segments`,
 * `ctx.identity.sub` for Cognito user pools):
 * https://docs.aws.amazon.com/appsync/latest/eventapi/channel-namespace-handlers.html
 * This text is what PushChannel deploys and what the local channel runs (local/push-server.ts),
 * so the rule has one owner; test/common/push.test.ts runs it with another user's identity.
 * Kept to plain ES2021 without try/catch or regular expressions, which APPSYNC_JS restricts.
 */
export const ON_SUBSCRIBE_CODE = `export function onSubscribe(ctx) {
  const segments = ctx.info.channel.segments;
  const sub = ctx.identity ? ctx.identity.sub : undefined;
  if (!sub || segments.length !== 2 || segments[0] !== "${PUSH_NAMESPACE}" || segments[1] !== sub) {
    util.unauthorized();
  }
}
`;

/** The WebSocket path of AppSync Events' real-time endpoint, and of the local channel. */
export const REALTIME_PATH = "/event/realtime";
/** The subprotocol that names AppSync Events' protocol. */
export const EVENT_WS_PROTOCOL = "aws-appsync-event-ws";
/** The prefix of the subprotocol that carries the authorization headers. */
export const AUTH_PROTOCOL_PREFIX = "header-";

/** Authorization headers for Cognito user pools: the HTTP domain and the ID token. */
export interface PushAuthorization {
  readonly host: string;
  readonly Authorization: string;
}

/** base64url without padding, of UTF-8 text; with btoa, so the browser and Node both run it. */
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The `header-…` subprotocol for these headers (base64url, no padding). */
export function authProtocol(auth: PushAuthorization): string {
  return AUTH_PROTOCOL_PREFIX + base64url(JSON.stringify(auth));
}

/** The headers a `header-…` subprotocol carries, or undefined when there is none or it is not JSON. */
export function readAuthProtocol(protocols: readonly string[]): Partial<PushAuthorization> | undefined {
  const carried = protocols.find((p) => p.startsWith(AUTH_PROTOCOL_PREFIX));
  if (!carried) return undefined;
  try {
    const value = JSON.parse(fromBase64url(carried.slice(AUTH_PROTOCOL_PREFIX.length))) as unknown;
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** AppSync's answer to a connection: how long the client waits for a "ka" before it gives up. */
export const CONNECTION_TIMEOUT_MS = 300_000;
