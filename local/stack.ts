/**
 * The whole app on one machine, no AWS account: what `npm start` runs and what the HTTP and
 * browser tests start themselves.
 * - DynamoDB: dynalite on disk under `<dataDir>/dynamodb`, with TodoTable's key schema;
 * - Cognito: cognito-local under `<dataDir>/cognito`, one pool + app client like AuthPool;
 * - one origin (`url`): the site (CloudFront's part) and, under /api, the API (API Gateway's
 *   part: authorizer, validator, proxy events) in front of the same handler code as Lambda;
 * - the front door: a key made at each start that the origin adds to every /api request, as
 *   CloudFront adds TodoApi's edge key; the API host refuses requests without it, so its own
 *   listener (`stageUrl`, the stage's execute-api URL) answers a signed-in call with 403.
 * Everything listens on 127.0.0.1 only; dynalite and cognito-local refuse other web pages, and
 * the data folder is readable by its owner only (local-guard.ts). The origin listens first and
 * answers 503 (Retry-After) until the rest is ready, so nothing that connects early is left
 * hanging. The push channel (AppSync Events' protocol, local/push-server.ts) answers WebSocket
 * upgrades at REALTIME_PATH on the same origin; its pokes come from dynalite's own accepted
 * writes (local/change-tap.ts), through the poke function's who-to-poke (handlers/pokes.ts). Cognito keeps its port from one start to the next (local/cognito.ts), so tokens
 * issued before a restart still work.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_BASE } from "../handlers/routes";
import { API_KEY_HEADER, API_RESPONSE_HEADERS, errorBody, GATEWAY_ERRORS, JSON_CONTENT_TYPE } from "../common/gateway";
import { randomBytes, randomUUID } from "node:crypto";
import type { LogEntry } from "../handlers/http";
import { createDocumentClient, dynamoStoreFor } from "../handlers/store";
import { buildSite } from "../site/build";
import type { BuiltFile, SiteConfig } from "../common/hosting";
import { securityHeaders } from "../common/security-headers";
import { localAccountAdmin } from "./account-admin";
import { createApiHost } from "./api-host";
import { cognitoAuthorizer } from "./authorizer";
import { startCognito, type LocalCognito } from "./cognito";
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTodoTable, startDynalite, type LocalDynamo } from "./dynamo";
import { closeServer, listen } from "./listen";
import { loopbackOrigins, privateDir } from "./local-guard";
import { createSiteHost } from "./site-host";
import { createPushServer, type PushServer } from "./push-server";
import { listAudience, pokesFor, type AudienceOf, type ChangeRecord } from "../handlers/pokes";
import { membersReader } from "../handlers/store-audience";
import { REALTIME_PATH } from "../common/push";

export const LOCAL_TABLE_NAME = "tasklane-todos";

export interface StackOptions {
  /** Site + API origin port; 0 = pick a free one. The CLI passes env PORT or 3000. @default 0 */
  port?: number;
  /** Persist dynalite + cognito-local state here; undefined = a fresh temp dir deleted on close (tests). */
  dataDir?: string;
  /** Fixed sign-up confirmation code (the CLI reads TASKLANE_CONFIRMATION_CODE). @default random, logged */
  confirmationCode?: string;
  /** An already built site to serve. @default built with buildSite() into <dataDir>/site */
  siteDir?: string;
  /** Where the summary and confirmation codes go. @default console.log */
  log?: (line: string) => void;
  /** dynalite's port. @default 0 (a free port) */
  dynamoPort?: number;
  /** cognito-local's port. @default the one of the last start with this dataDir, else a free one */
  cognitoPort?: number;
  /** One entry per API request (the Lambda log line, or the gateway's rejection). @default none */
  requestLog?: (entry: LogEntry) => void;
  /**
   * Called once the origin listens, before anything else starts; start-up waits for it. Until
   * start-up ends, the origin answers 503. For tests of that window. @default none
   */
  onListening?: (url: string) => void | Promise<void>;
  /** How often the push channel sends "ka". @default 60000 */
  pushKeepAliveMs?: number;
  /**
   * When a deleted account's sweep runs (what an EventBridge Scheduler schedule does on AWS).
   * @default the time the deletion asks for: every ID token expired (handlers/account.ts SWEEP_DELAY_MS)
   */
  sweepDelayMs?: number;
  /** The push channel's connectionTimeoutMs (no "ka" this long: the client gives up). @default CONNECTION_TIMEOUT_MS */
  pushConnectionTimeoutMs?: number;
}

export interface RunningStack {
  /** http://127.0.0.1:<port>  (site + /api on one origin) */
  url: string;
  /**
   * http://127.0.0.1:<port> of the API host alone, as API Gateway's stage URL: nothing adds the
   * front door's key there, so every route answers 403 (401 without a token). Its answers still
   * carry CloudFront's response headers (one API host serves both doors).
   */
  stageUrl: string;
  /** http://127.0.0.1:<port> of cognito-local */
  cognitoEndpoint: string;
  dynamoEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
  region: string;
  /** Where the state lives (a temp dir when none was given). */
  dataDir: string;
  /** The push channel's test hooks (local/push-server.ts): a network's failures, played on purpose. */
  push: Pick<PushServer, "dropConnections" | "stall" | "connections">;
  close(): Promise<void>;
}

/** While the stack starts, every request gets this: never a connection left without an answer. */
export const STARTING = {
  status: 503,
  code: "starting",
  message: "The local stack is starting: try again in a moment.",
  retryAfterSeconds: 1,
} as const;

/** Answers 503 with Retry-After: the API's JSON error under /api, a line of text for the site. */
function answerStarting(req: IncomingMessage, res: ServerResponse): void {
  req.resume(); // read (and drop) any body, so the answer is not lost to a reset
  const headers = { "Retry-After": String(STARTING.retryAfterSeconds), ...API_RESPONSE_HEADERS };
  if (isApiPath(req.url)) {
    const requestId = randomUUID();
    res.writeHead(STARTING.status, { ...headers, "Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": requestId });
    res.end(JSON.stringify(errorBody(STARTING.code, STARTING.message, requestId)));
  } else {
    res.writeHead(STARTING.status, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
    res.end(`${STARTING.message}\n`);
  }
}

function isApiPath(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0];
  return path === API_BASE || path.startsWith(`${API_BASE}/`);
}

/**
 * What CloudFront's origin custom header does: the front door's key replaces any the viewer
 * sent. In rawHeaders too, since the proxy event is built from them.
 */
function addOriginKey(req: IncomingMessage, key: string): void {
  const kept: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== API_KEY_HEADER) kept.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  req.rawHeaders = [...kept, API_KEY_HEADER, key];
  req.headers[API_KEY_HEADER] = key;
}

/** API Gateway wants an API key of 20 characters or more; this one has 32. */
const newOriginKey = () => randomBytes(24).toString("base64url");

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tasklane-"));
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  if (temporary) cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));

  try {
    // The origin port first: the one a person chose, so a clash fails before anything else starts.
    // It answers from its first connection: 503 until everything behind it is ready.
    let serve: (req: IncomingMessage, res: ServerResponse) => void = answerStarting;
    const origin = createServer((req, res) => serve(req, res));
    // WebSocket upgrades: refused until the push channel is ready, as requests get 503.
    let upgrade = (_req: IncomingMessage, socket: import("node:stream").Duplex) =>
      void socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    origin.on("upgrade", (req: IncomingMessage, socket: import("node:stream").Duplex) => upgrade(req, socket));
    cleanups.push(() => closeServer(origin));
    const port = await listen(origin, options.port ?? 0, { what: "the site and API", variable: "PORT" });
    const url = `http://127.0.0.1:${port}`;
    await options.onListening?.(url);

    privateDir(dataDir, log);
    // The poke function's work, locally: each accepted write's keys → who can see it (the same
    // audience, a Query of each changed list's members through the local document client) → a
    // poke each. The channel and the document client start after Cognito (the channel checks
    // tokens); writes before them have nobody to poke.
    const push: { server?: PushServer; audience?: AudienceOf } = {};
    /**
     * Work that still reads the table (API requests, pokes' member Queries): closing waits for it
     * before the document client and dynalite go, so nothing reads a closed database.
     */
    const inFlight = new Set<Promise<unknown>>();
    let draining = false;
    const track = (work: Promise<unknown>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    const poke = (records: ChangeRecord[]) => {
      const { server, audience } = push;
      if (draining || !server || !audience) return;
      const work = pokesFor(records, audience).then(
        (pokes) => pokes.forEach(({ channel, text }) => server.publish(channel, text)),
        // The poke function's failure, locally: logged; the device's pull on focus catches up.
        (err: unknown) => options.requestLog?.({ level: "error", msg: "poke.failed", error: String(err) }),
      );
      track(work);
    };
    const dynamo: LocalDynamo = await startDynalite({
      port: options.dynamoPort ?? 0,
      path: join(dataDir, "dynamodb"),
      name: { what: "DynamoDB (dynalite)", variable: "DYNAMO_PORT" },
      log,
      onChange: { tableName: LOCAL_TABLE_NAME, listener: poke },
    });
    cleanups.push(() => dynamo.close());
    await ensureTodoTable(dynamo.endpoint, LOCAL_TABLE_NAME);

    const cognito: LocalCognito = await startCognito({
      port: options.cognitoPort,
      dataDir: join(dataDir, "cognito"),
      // The site calls Cognito from the browser (site/src/auth.ts), from this origin.
      browserOrigins: loopbackOrigins(port),
      confirmationCode: options.confirmationCode,
      log,
      name: { what: "Cognito (cognito-local)", variable: "COGNITO_PORT" },
    });
    cleanups.push(() => cognito.close());

    let siteDir = options.siteDir;
    let files: readonly BuiltFile[] | undefined;
    if (!siteDir) {
      ({ outDir: siteDir, files } = await buildSite(join(dataDir, "site")));
      chmodSync(siteDir, 0o700); // the build makes the folder anew each start, with the usual mode
    }
    const config: SiteConfig = {
      region: LOCAL_REGION,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      apiBase: API_BASE,
      cognitoEndpoint: cognito.endpoint,
      push: {}, // the channel is on this origin (REALTIME_PATH), as the API is
    };
    // CloudFront adds the same response-headers policy to the site and to /api/* (StaticSite).
    const edgeHeaders = securityHeaders({ cognitoOrigin: cognito.endpoint });
    const site = createSiteHost({ siteDir, files, config, headers: edgeHeaders });

    const originKey = newOriginKey();
    const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    cleanups.push(() => Promise.resolve(doc.destroy()));
    // Local-only rule (see authorizer.ts): cognito-local cannot mark e-mails verified.
    const authorize = cognitoAuthorizer({
      jwksUrl: cognito.jwksUrl,
      issuer: cognito.issuer,
      clientId: cognito.userPoolClientId,
      confirmedMeansVerifiedEmail: true,
    });
    const pushServer = createPushServer({
      authorize,
      keepAliveMs: options.pushKeepAliveMs,
      connectionTimeoutMs: options.pushConnectionTimeoutMs,
    });
    push.audience = listAudience(membersReader({ doc, name: LOCAL_TABLE_NAME }));
    push.server = pushServer;
    cleanups.push(() => Promise.resolve(pushServer.close()));
    // As on AWS: each request's writes carry its writer; the sweep's carry none.
    const storeFor = dynamoStoreFor(doc, LOCAL_TABLE_NAME);
    const store = storeFor(undefined);
    const admin = localAccountAdmin({
      cognitoEndpoint: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      store,
      sweepDelayMs: options.sweepDelayMs,
      log,
    });
    cleanups.push(() => admin.close());
    const api = createApiHost({
      store: storeFor,
      admin,
      authorize,
      log: options.requestLog,
      edgeHeaders,
      originKey,
    });
    const answerApi = (req: IncomingMessage, res: ServerResponse) => {
      const work = api(req, res).catch((err: unknown) => {
        // The handler maps its own errors; this is the host failing (dynalite gone, a bug here).
        options.requestLog?.({ level: "error", msg: "host.error", error: String(err) });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const { status, code, message } = GATEWAY_ERRORS.DEFAULT_5XX;
        const requestId = randomUUID();
        res.writeHead(status, {
          "Content-Type": JSON_CONTENT_TYPE,
          ...API_RESPONSE_HEADERS,
          "x-amzn-RequestId": requestId,
          ...edgeHeaders,
        });
        res.end(JSON.stringify(errorBody(code, message, requestId)));
      });
      track(work);
    };

    // API Gateway's stage URL: the API host alone, no key added.
    const stage = createServer(answerApi);
    cleanups.push(() => closeServer(stage));
    const stageUrl = `http://127.0.0.1:${await listen(stage, 0)}`;
    // Closing runs the steps in reverse: this one first. No new work; what is running ends (5 s at most).
    cleanups.push(async () => {
      draining = true;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    });

    upgrade = (req, socket) => {
      if (!pushServer.handleUpgrade(req, socket)) socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    };
    serve = (req, res) => {
      if (!isApiPath(req.url)) return site(req, res);
      addOriginKey(req, originKey);
      answerApi(req, res);
    };

    log(
      [
        "",
        `  tasklane is running at ${url}`,
        "",
        `  API         ${url}${API_BASE}`,
        `  Push        ${url.replace(/^http/, "ws")}${REALTIME_PATH}  (AppSync Events' protocol; pokes on /pokes/<sub>)`,
        `  API stage   ${stageUrl}  (answers only through the site's address, as on AWS)`,
        `  Cognito     ${cognito.endpoint}  (pool ${cognito.userPoolId}, client ${cognito.userPoolClientId})`,
        `  DynamoDB    ${dynamo.endpoint}  (table ${LOCAL_TABLE_NAME})`,
        `  Data        ${dataDir}${temporary ? "  (temporary: deleted on exit)" : ""}`,
        options.confirmationCode
          ? `  Sign-up confirmation code: ${options.confirmationCode} (fixed)`
          : "  Sign-up confirmation codes are printed here when someone registers.",
        "",
      ].join("\n"),
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      stageUrl,
      cognitoEndpoint: cognito.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      tableName: LOCAL_TABLE_NAME,
      region: LOCAL_REGION,
      dataDir,
      push: pushServer,
      close: () => (closing ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
