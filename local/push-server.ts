/**
 * The local push channel: AppSync Events' WebSocket protocol (common/push.ts) on the local
 * origin's REALTIME_PATH, so the client written for AppSync Events runs unchanged on `npm start`.
 * - Connecting: the `header-…` subprotocol must carry an ID token the local Cognito authorizer
 *   accepts (local/authorizer.ts, as AppSync's Cognito auth with `appIdClientRegex`); otherwise the
 *   upgrade is refused with 401 and no WebSocket opens.
 * - Subscribing: the subscribe message's own `authorization` is checked the same way, then the
 *   namespace's onSubscribe handler runs: the very text PushChannel deploys (ON_SUBSCRIBE_CODE),
 *   with `util.unauthorized()`; a refusal is a `subscribe_error` with UnauthorizedException.
 * - Publishing: only the server does (`publish`); a client's `publish` message is refused, as
 *   AppSync refuses a Cognito caller on a namespace that publishes with IAM only.
 * Differences from AppSync, on purpose: "ka" every `keepAliveMs` (AppSync: about every minute),
 * the ack's `connectionTimeoutMs` settable, no limits on connections or subscriptions, and two
 * test hooks that play a network's failures: `dropConnections()` (every link cut at once) and
 * `stall()` (links stay open but nothing more arrives on them: a dead link only the missing "ka"
 * reveals).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  CONNECTION_TIMEOUT_MS,
  EVENT_WS_PROTOCOL,
  ON_SUBSCRIBE_CODE,
  PUSH_NAMESPACE,
  REALTIME_PATH,
  readAuthProtocol,
} from "../common/push";
import type { Authorizer, Claims } from "./authorizer";
import { acceptUpgrade, refuseUpgrade, type WebSocketConnection } from "./websocket";

/** What `util.unauthorized()` throws here (AppSync's refuses the subscription the same way: by throwing). */
export class Unauthorized extends Error {}
export type OnSubscribe = (ctx: unknown) => void;
/**
 * ON_SUBSCRIBE_CODE as a function, with APPSYNC_JS's `util`: the very text AppSync runs, so the
 * local channel and the tests cannot drift from what is deployed. The text is this repository's
 * own constant, never input.
 */
export function compileOnSubscribe(): OnSubscribe {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the deployed handler text itself (see above)
  const factory = new Function("util", ON_SUBSCRIBE_CODE.replace("export function", "return function")) as (util: object) => OnSubscribe;
  return factory({
    unauthorized: () => {
      throw new Unauthorized("Unauthorized");
    },
  });
}
const onSubscribe = compileOnSubscribe();

const UNAUTHORIZED = { errorType: "UnauthorizedException", message: "You are not authorized to make this request." };

export interface PushServer {
  /** Takes an 'upgrade' of the origin; false when the path is not the channel's (the caller refuses it). */
  handleUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** Sends `text` as an event to every subscription on `channel`. */
  publish(channel: string, text: string): void;
  /** Open connections (for tests). */
  readonly connections: number;
  /** Cuts every open connection without a close frame, as a network drop does (for tests). */
  dropConnections(): void;
  /** Sends nothing more, not even "ka", on the connections open now, and leaves them open (for tests). */
  stall(): void;
  close(): void;
}

export function createPushServer(options: { authorize: Authorizer; keepAliveMs?: number; connectionTimeoutMs?: number }): PushServer {
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS;
  const subscribers = new Map<string, Map<WebSocketConnection, Set<string>>>();
  const open = new Set<WebSocketConnection>();
  /** Each connection's socket, for dropConnections(); stalled ones send nothing. */
  const sockets = new Map<WebSocketConnection, Duplex>();
  const stalled = new Set<WebSocketConnection>();
  const sendOn = (ws: WebSocketConnection, text: string): void => {
    if (!stalled.has(ws)) ws.send(text);
  };

  const claimsOf = async (auth: { Authorization?: unknown } | undefined): Promise<Claims | undefined> =>
    typeof auth?.Authorization === "string" ? options.authorize(auth.Authorization) : undefined;

  async function onMessage(ws: WebSocketConnection, text: string): Promise<void> {
    let message: { type?: string; id?: string; channel?: string; authorization?: { Authorization?: unknown } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return sendOn(ws, JSON.stringify({ type: "error", errors: [{ errorType: "BadRequestException", message: "Not JSON" }] }));
    }
    const send = (reply: object) => sendOn(ws, JSON.stringify(reply));
    switch (message.type) {
      case "connection_init":
        return send({ type: "connection_ack", connectionTimeoutMs });
      case "subscribe": {
        const { id, channel } = message;
        const claims = await claimsOf(message.authorization);
        const segments = String(channel ?? "")
          .split("/")
          .filter(Boolean);
        if (!id || !channel || !claims) return send({ type: "subscribe_error", id, errors: [UNAUTHORIZED] });
        try {
          onSubscribe({
            identity: { sub: claims.sub, username: claims["cognito:username"] ?? claims.sub, issuer: claims.iss, claims },
            info: { channel: { path: channel, segments }, channelNamespace: { name: segments[0] ?? "" }, operation: "SUBSCRIBE" },
            request: { headers: {} },
            stash: {},
          });
        } catch (err) {
          if (err instanceof Unauthorized) return send({ type: "subscribe_error", id, errors: [UNAUTHORIZED] });
          throw err;
        }
        if (segments[0] !== PUSH_NAMESPACE) return send({ type: "subscribe_error", id, errors: [UNAUTHORIZED] });
        const onChannel = subscribers.get(channel) ?? new Map<WebSocketConnection, Set<string>>();
        onChannel.set(ws, (onChannel.get(ws) ?? new Set()).add(id));
        subscribers.set(channel, onChannel);
        return send({ type: "subscribe_success", id });
      }
      case "unsubscribe": {
        for (const onChannel of subscribers.values()) onChannel.get(ws)?.delete(String(message.id));
        return send({ type: "unsubscribe_success", id: message.id });
      }
      case "publish":
        return send({ type: "publish_error", id: message.id, errors: [UNAUTHORIZED] });
      default:
        return send({ type: "error", errors: [{ errorType: "UnsupportedOperation", message: `Unknown type ${message.type}` }] });
    }
  }

  return {
    handleUpgrade(req, socket) {
      if ((req.url ?? "").split("?")[0] !== REALTIME_PATH) return false;
      const offered = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((p) => p.trim());
      if (!offered.includes(EVENT_WS_PROTOCOL)) {
        refuseUpgrade(socket, 400, "Bad Request");
        return true;
      }
      void claimsOf(readAuthProtocol(offered)).then(
        (claims) => {
          if (!claims) return refuseUpgrade(socket, 401, "Unauthorized");
          const ws = acceptUpgrade(req, socket, EVENT_WS_PROTOCOL);
          if (!ws) return;
          open.add(ws);
          sockets.set(ws, socket);
          const ka = setInterval(() => sendOn(ws, JSON.stringify({ type: "ka" })), keepAliveMs);
          ws.onMessage((text) => void onMessage(ws, text).catch(() => ws.close(1011, "server error")));
          ws.onClose(() => {
            clearInterval(ka);
            open.delete(ws);
            sockets.delete(ws);
            stalled.delete(ws);
            for (const onChannel of subscribers.values()) onChannel.delete(ws);
          });
        },
        () => refuseUpgrade(socket, 500, "Internal Server Error"),
      );
      return true;
    },
    publish(channel, text) {
      for (const [ws, ids] of subscribers.get(channel) ?? [])
        for (const id of ids) sendOn(ws, JSON.stringify({ type: "data", id, event: text }));
    },
    get connections() {
      return open.size;
    },
    dropConnections() {
      for (const socket of [...sockets.values()]) socket.destroy();
    },
    stall() {
      for (const ws of open) stalled.add(ws);
    },
    close() {
      for (const ws of [...open]) ws.close(1001, "going away");
    },
  };
}
