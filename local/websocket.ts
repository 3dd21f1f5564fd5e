/**
 * The smallest WebSocket server the local push channel needs (RFC 6455), over node:http's
 * 'upgrade' event: the handshake, text frames both ways (fragmented ones reassembled), ping →
 * pong, close. Client frames must be masked (RFC 6455 §5.1); server frames are not. No
 * extensions (no permessage-deflate): the server never accepts one, so clients send plain frames.
 * Why not the `ws` package: it would be the only new dependency, for ~100 lines used by the local
 * stack alone (Lambda never runs it), and Node 24 already has the client (global WebSocket).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
/** A local client sends small JSON messages; anything larger is a mistake or an attack. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface WebSocketConnection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
}

/** Refuses an upgrade with an HTTP status (before any WebSocket exists). */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Completes the handshake with `protocol` as the chosen subprotocol; undefined when the request is not a valid upgrade. */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, protocol: string): WebSocketConnection | undefined {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || req.headers["sec-websocket-version"] !== "13") {
    refuseUpgrade(socket, 400, "Bad Request");
    return undefined;
  }
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const messageListeners: ((text: string) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let closed = false;

  const frame = (opcode: number, payload: Buffer) => {
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 65536
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
    if (!socket.destroyed) socket.write(Buffer.concat([header, payload]));
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    closeListeners.forEach((l) => l());
  };
  const close = (code = 1000, reason = "") => {
    if (!closed) {
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
      frame(CLOSE, payload);
    }
    socket.end();
    finish();
  };

  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (!masked || length > MAX_MESSAGE_BYTES) return close(1002, "protocol error");
      if (buffer.length < offset + 4 + length) return;
      const mask = buffer.subarray(offset, offset + 4);
      const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buffer = buffer.subarray(offset + 4 + length);
      if (opcode === CLOSE) return close();
      if (opcode === PING) frame(PONG, payload);
      else if (opcode === TEXT || opcode === 0x0) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString("utf8");
          fragments = [];
          messageListeners.forEach((l) => l(text));
        }
      }
    }
  });
  socket.on("close", finish);
  socket.on("error", finish);

  return {
    send: (text) => frame(TEXT, Buffer.from(text, "utf8")),
    close,
    onMessage: (l) => messageListeners.push(l),
    onClose: (l) => closeListeners.push(l),
  };
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}
