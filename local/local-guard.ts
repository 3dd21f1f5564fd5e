/**
 * What keeps the local stack to its own: the servers it starts on 127.0.0.1 (dynalite,
 * cognito-local) answer local tools and the app's own pages, not every page open in the
 * developer's browser; and the data folder is readable by its owner only.
 *
 * Any web page can send requests to 127.0.0.1. CORS only decides whether the page may read the
 * answer: an AdminSetUserPassword does its harm unread. So the rule is applied at the door,
 * before the server sees the request:
 * - `Host` must name the server as 127.0.0.1:<port> or localhost:<port>. A page whose own name
 *   was made to point at 127.0.0.1 (DNS rebinding) sends that name and is refused.
 * - No `Origin`: a local tool (the AWS SDK, the API host, the tests). It passes. Browsers send
 *   `Origin` with every cross-origin fetch and every POST; what a page can send without it
 *   (a GET for an image or a link) changes nothing on these servers.
 * - The app's own origin: passes only for the calls its pages make (`browserMayCall`), with
 *   `Access-Control-Allow-Origin: <that origin>`.
 * - Any other origin: 403 with the reason, no CORS headers (preflights included).
 * The CORS headers are the guard's alone: the ones the servers set themselves (`*`) are dropped.
 */
import { chmodSync, mkdirSync, statSync } from "node:fs";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";

/** The two names of this machine's loopback address a local server answers to. */
const LOOPBACK_NAMES = ["127.0.0.1", "localhost"] as const;

/** The origins of a page served on `port` of this machine: the app's own, whichever name is typed. */
export function loopbackOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

export interface DoorRule {
  /** Names the server in refusals, e.g. "DynamoDB (dynalite)". */
  readonly name: string;
  /** Origins whose pages may call the server (the app's own). @default none: no browser at all */
  readonly origins?: readonly string[];
  /** Of the requests from those origins, the ones a page may make. @default every one */
  readonly browserMayCall?: (req: IncomingMessage) => boolean;
  /** Request headers a page may send (its preflight's answer). @default none */
  readonly browserHeaders?: readonly string[];
  /** Where refusals are told (so a developer sees why a page got a 403). @default nowhere */
  readonly log?: (line: string) => void;
}

/** Puts the rule in front of every request listener `server` has (call it before requests arrive). */
export function guardServer(server: Server, rule: DoorRule): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on(
    "request",
    guarded((req, res) => listeners.forEach((listener) => listener(req, res)), rule),
  );
}

function guarded(listener: RequestListener, rule: DoorRule): RequestListener {
  return (req, res) => {
    const origin = req.headers.origin;
    const own = origin !== undefined && (rule.origins ?? []).includes(origin);
    const cors: Record<string, string> = own ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : { Vary: "Origin" };
    const reason = refusal(req, rule, origin, own);
    if (reason) {
      // The app's own pages get their CORS headers here too, so the page can read why.
      rule.log?.(`${rule.name} refused ${req.method} ${req.url} from ${origin ?? "a request without Origin"}: ${reason}`);
      req.resume(); // read (and drop) the body, so the answer is not lost to a reset
      res.writeHead(403, { ...cors, "Content-Type": "application/json" });
      res.end(JSON.stringify({ __type: "AccessDeniedException", message: reason }));
      return;
    }
    if (own && req.method === "OPTIONS") {
      req.resume();
      res.writeHead(204, {
        ...cors,
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": (rule.browserHeaders ?? []).join(", "),
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return;
    }
    keepCorsHeaders(res, cors);
    listener(req, res);
  };
}

/** Why the request may not pass, or undefined when it may. */
function refusal(req: IncomingMessage, rule: DoorRule, origin: string | undefined, own: boolean): string | undefined {
  const port = req.socket.localPort;
  const host = req.headers.host?.toLowerCase();
  if (!LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    return `This local server answers to Host 127.0.0.1:${port} or localhost:${port} only, not ${JSON.stringify(host ?? "")}.`;
  }
  if (origin === undefined) return undefined;
  if (!own) {
    return `${rule.name} does not answer web pages from ${origin}: only local tools${rule.origins?.length ? " and the app's own pages" : ""} reach it.`;
  }
  if (req.method === "OPTIONS" || (rule.browserMayCall?.(req) ?? true)) return undefined;
  const what = req.headers["x-amz-target"] ?? `${req.method} ${req.url}`;
  return `${String(what)} is not a call for web pages, not even the app's own: only local tools may make it.`;
}

/** Drops every Access-Control-* header the server behind sets, and sends `cors` instead. */
function keepCorsHeaders(res: ServerResponse, cors: Readonly<Record<string, string>>): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const isCors = (name: string) => name.toLowerCase().startsWith("access-control-");
  res.writeHead = (...args: unknown[]) => {
    for (const name of res.getHeaderNames()) if (isCors(name)) res.removeHeader(name);
    const vary = res.getHeader("vary");
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (vary !== undefined && !/\borigin\b/i.test(String(vary))) res.setHeader("Vary", `${String(vary)}, Origin`);
    // writeHead(status, [message,] headers): headers given here are filtered the same way.
    const cleaned = args.map((arg) =>
      arg && typeof arg === "object" && !Array.isArray(arg)
        ? Object.fromEntries(Object.entries(arg).filter(([name]) => !isCors(name)))
        : arg,
    );
    return writeHead(...cleaned);
  };
}

/**
 * Creates `dir` (and missing parents) readable by its owner only (0700), or makes an existing one
 * so, saying it in `log`: cognito-local keeps passwords in plain text in the data folder.
 */
export function privateDir(dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    try {
      chmodSync(dir, 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
      throw new Error(`${dir} is open to other users (mode ${mode.toString(8)}) and not yours to change: choose another data folder.`, {
        cause: err,
      });
    }
    log(`Made ${dir} readable by its owner only (it was mode ${mode.toString(8)}): local passwords and to-dos are kept there.`);
  }
}

/**
 * The Cognito calls a page may make: the ones Cognito itself answers without AWS credentials
 * (a client id, a session or the user's own access token). Everything else (Admin*, ListUsers,
 * CreateUserPool, DescribeUserPool, …) needs IAM credentials on AWS, which no page holds; here
 * it is for local tools only.
 */
export const COGNITO_BROWSER_CALLS: ReadonlySet<string> = new Set([
  "SignUp",
  "ConfirmSignUp",
  "ResendConfirmationCode",
  "InitiateAuth",
  "RespondToAuthChallenge",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "ChangePassword",
  "GetUser",
  "UpdateUserAttributes",
  "DeleteUserAttributes",
  "VerifyUserAttribute",
  "GetUserAttributeVerificationCode",
  "DeleteUser",
  "GlobalSignOut",
  "RevokeToken",
  "AssociateSoftwareToken",
  "VerifySoftwareToken",
  "SetUserMFAPreference",
]);

const COGNITO_TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

/** cognito-local's door: the app's pages (`origins`) may make COGNITO_BROWSER_CALLS, nothing else. */
export function cognitoDoor(origins: readonly string[], log?: (line: string) => void): DoorRule {
  return {
    name: "Cognito (cognito-local)",
    origins,
    browserMayCall: (req) => {
      const target = req.headers["x-amz-target"];
      return (
        req.method === "POST" &&
        req.url === "/" &&
        typeof target === "string" &&
        target.startsWith(COGNITO_TARGET_PREFIX) &&
        COGNITO_BROWSER_CALLS.has(target.slice(COGNITO_TARGET_PREFIX.length))
      );
    },
    browserHeaders: ["Content-Type", "X-Amz-Target"],
    log,
  };
}
