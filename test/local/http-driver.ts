/**
 * The HTTP transport of the API contract: real requests to the local stack's origin, signed in
 * as two users registered through the local Cognito (sign-up, confirmation code, password
 * sign-in), with their ID tokens in `Authorization`, as the site sends them. Everything between
 * (authorizer, validator, proxy event, handler, dynalite) is the stack's own.
 */
import { request as httpRequest, Agent } from "node:http";
import { createDocumentClient } from "../../handlers/store";
import { LOCAL_CREDENTIALS } from "../../local/dynamo";
import { startStack, type RunningStack, type StackOptions } from "../../local/stack";
import { USERS, type ApiDriver, type ApiRequest, type ApiResponse, type User } from "../contract/driver";
import { emptyTable, scanTable } from "../contract/table";
import { seedItems } from "../../dev/seed-table";
import { registerUser, type Tokens } from "../../dev/cognito-client";

export const TEST_CONFIRMATION_CODE = "424242";
export const TEST_PASSWORD = "correct horse battery";
/** carol and dave (the sharing suite's) use addresses no other local test signs up with. */
export const EMAILS: Readonly<Record<User, string>> = {
  alice: "alice@example.com",
  bob: "bob@example.com",
  carol: "carol.lists@example.com",
  dave: "dave.lists@example.com",
};

export interface HttpDriver extends ApiDriver {
  readonly stack: RunningStack;
  readonly tokens: Readonly<Record<User, Tokens>>;
  /** Sends with any Authorization header value (or none), for the authorizer tests. */
  sendWithAuthorization(authorization: string | undefined, request: ApiRequest): Promise<ApiResponse>;
}

/** One raw HTTP/1.1 request: paths and bytes go out exactly as given (no URL normalization). */
export function rawRequest(
  baseUrl: string,
  agent: Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The `sub` claim of a token (read, not verified: the stack verifies it). */
const subOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as { sub: string }).sub;

export async function signUpTestUsers(stack: RunningStack): Promise<Record<User, Tokens>> {
  const [alice, bob, carol, dave] = await Promise.all(
    USERS.map((user) => registerUser(stack.cognitoEndpoint, stack.userPoolClientId, EMAILS[user], TEST_PASSWORD, TEST_CONFIRMATION_CODE)),
  );
  return { alice, bob, carol, dave };
}

/**
 * Starts a stack (port 0, temp data) unless one is given, registers alice and bob, and returns
 * the driver. `close()` stops the stack only if the driver started it.
 */
export async function startHttpDriver(options: { stack?: RunningStack; stackOptions?: StackOptions } = {}): Promise<HttpDriver> {
  const own = !options.stack;
  const stack =
    options.stack ??
    (await startStack({ port: 0, confirmationCode: TEST_CONFIRMATION_CODE, log: () => undefined, ...options.stackOptions }));
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const doc = createDocumentClient({ endpoint: stack.dynamoEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
  let tokens: Record<User, Tokens>;
  try {
    tokens = await signUpTestUsers(stack);
  } catch (err) {
    doc.destroy();
    agent.destroy();
    if (own) await stack.close();
    throw err;
  }

  async function sendWithAuthorization(authorization: string | undefined, request: ApiRequest): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    let body: Buffer | undefined;
    if (request.rawBody !== undefined) {
      body = Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody, "utf8");
    } else if (request.body !== undefined) {
      body = Buffer.from(JSON.stringify(request.body), "utf8");
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
    }
    if (authorization !== undefined) headers.Authorization = authorization;
    const res = await rawRequest(stack.url, agent, request.method, request.path, headers, body);
    const text = res.body.toString("utf8");
    let parsed: unknown;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  return {
    stack,
    tokens,
    sendWithAuthorization,
    send: (user, request) => sendWithAuthorization(user === null ? undefined : tokens[user].idToken, request),
    tableItems: () => scanTable(doc, stack.tableName),
    seed: (user, items) => seedItems(doc, stack.tableName, subOf(tokens[user].idToken), items),
    userId: (user) => subOf(tokens[user].idToken),
    email: (user) => EMAILS[user],
    async reset() {
      await emptyTable(doc, stack.tableName);
    },
    async close() {
      doc.destroy();
      agent.destroy();
      if (own) await stack.close();
    },
  };
}
