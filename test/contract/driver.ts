/**
 * The API contract is one suite run over two transports: in-process (the Lambda handlers called
 * with proxy events, test/handlers) and real HTTP against the local stack (test/local).
 * A driver hides the transport; the suite states the expectations once.
 */
export type User = "alice" | "bob";

export interface ApiRequest {
  readonly method: string;
  /** Path with query string, e.g. "/api/todos?limit=5". */
  readonly path: string;
  /** Sent as JSON with Content-Type application/json unless `rawBody` is given. */
  readonly body?: unknown;
  /** Sent as-is (string or bytes); set Content-Type yourself in `headers`. */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: any;
}

export interface ApiDriver {
  /** Sends a request as a signed-in user, or with no credentials when `user` is null. */
  send(user: User | null, request: ApiRequest): Promise<ApiResponse>;
  /** Every item in the table (a Scan), to prove that refused requests changed nothing. */
  tableItems(): Promise<Record<string, unknown>[]>;
  /** Deletes every item, so each test starts from an empty table. */
  reset(): Promise<void>;
  close(): Promise<void>;
}
