/**
 * Listening and closing, the same way for the three local servers (dynalite, cognito-local and
 * the site + API origin): 127.0.0.1 only, a port in use named with the variable that moves it,
 * and a close that ends kept-alive connections instead of waiting for them.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A port another process holds: the CLI turns this into a clear message and exit code. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly variable: string,
  ) {
    super(
      `Port ${port} on 127.0.0.1 (${what}) is already in use. Stop the program using it, or choose another port: ${variable}=${port + 1} npm start`,
    );
    this.name = "PortInUseError";
  }
}

/** What listens on a port, for the message when that port is taken. */
export interface PortName {
  /** e.g. "DynamoDB (dynalite)" */
  readonly what: string;
  /** The environment variable that chooses the port, e.g. "DYNAMO_PORT". */
  readonly variable: string;
}

/**
 * Listens on 127.0.0.1 (never all interfaces: cognito-local's signing key is public) and resolves
 * the port, which is the one asked for or, for 0, a free one. EADDRINUSE becomes a PortInUseError
 * when the port has a name.
 */
export function listen(server: Server, port: number, name?: PortName): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" && name ? new PortInUseError(port, name.what, name.variable) : err);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and drops every open connection, kept-alive ones included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
