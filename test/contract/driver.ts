/**
 * The API contract is one suite run over two transports: in-process (the Lambda handlers called
 * with proxy events, test/handlers) and real HTTP against the local stack (test/local).
 * A driver hides the transport; the suite states the expectations once.
 */
/** alice and bob: the to-do suites' two people; carol and dave join them in the sharing suite. */
export type User = "alice" | "bob" | "carol" | "dave";
export const USERS: readonly User[] = ["alice", "bob", "carol", "dave"];

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
  /**
   * Writes items straight into the user's partition (BatchWrite; the driver fills in the
   * partition key): big lists are seeded this way rather than through thousands of requests.
   */
  seed(user: User, items: readonly Record<string, unknown>[]): Promise<void>;
  /** The user id (the token's `sub`) the API sees for this user. */
  userId(user: User): string;
  /** The (verified) e-mail address the API sees for this user. */
  email(user: User): string;
  /**
   * Shrinks the time a request may work (undefined: back to the default), so bulk changes stop
   * early and hand out continuation cursors. Only transports that build the handlers can.
   */
  setTimeBudget?(ms: number | undefined): void;
  /** Deletes every item, so each test starts from an empty table. */
  reset(): Promise<void>;
  close(): Promise<void>;
}
