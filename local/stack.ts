/**
 * The whole app on one machine, no AWS account: what `npm start` runs and what the HTTP and
 * browser tests start themselves.
 * - DynamoDB: dynalite on disk under `<dataDir>/dynamodb`, with TodoTable's key schema;
 * - Cognito: cognito-local under `<dataDir>/cognito`, one pool + app client like AuthPool;
 * - one origin (`url`): the site (CloudFront's part) and, under /api, the API (API Gateway's
 *   part: authorizer, validator, proxy events) in front of the same handler code as Lambda.
 * Everything listens on 127.0.0.1 only.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_BASE } from "../handlers/routes";
import { API_RESPONSE_HEADERS, errorBody, GATEWAY_ERRORS, JSON_CONTENT_TYPE } from "../common/gateway";
import { randomUUID } from "node:crypto";
import type { LogEntry } from "../handlers/http";
import { createDocumentClient, dynamoTodoStore } from "../handlers/store";
import { buildSite } from "../site/build";
import type { BuiltFile, SiteConfig } from "../common/hosting";
import { securityHeaders } from "../common/security-headers";
import { createApiHost } from "./api-host";
import { cognitoAuthorizer } from "./authorizer";
import { startCognito, type LocalCognito } from "./cognito";
import { LOCAL_CREDENTIALS, LOCAL_REGION, ensureTodoTable, startDynalite, type LocalDynamo } from "./dynamo";
import { createSiteHost } from "./site-host";

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
  /** cognito-local's port. @default 0 (a free port) */
  cognitoPort?: number;
  /** One entry per API request (the Lambda log line, or the gateway's rejection). @default none */
  requestLog?: (entry: LogEntry) => void;
}

export interface RunningStack {
  /** http://127.0.0.1:<port>  (site + /api on one origin) */
  url: string;
  /** http://127.0.0.1:<port> of cognito-local */
  cognitoEndpoint: string;
  dynamoEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
  region: string;
  /** Where the state lives (a temp dir when none was given). */
  dataDir: string;
  close(): Promise<void>;
}

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

function listen(server: Server, port: number, what: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" ? new PortInUseError(port, what, variable) : err);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Wraps a start step so a port clash names the port and its variable. */
async function onPort<T>(port: number | undefined, what: string, variable: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && port) throw new PortInUseError(port, what, variable);
    throw err;
  }
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tasklane-"));
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  if (temporary) cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

  try {
    // The origin port first: the one a person chose, so a clash fails before anything else starts.
    const origin = createServer();
    cleanups.push(() => closeServer(origin));
    const port = await listen(origin, options.port ?? 0, "the site and API", "PORT");
    const url = `http://127.0.0.1:${port}`;

    mkdirSync(join(dataDir, "dynamodb"), { recursive: true });
    const dynamo: LocalDynamo = await onPort(options.dynamoPort, "DynamoDB (dynalite)", "DYNAMO_PORT", () =>
      startDynalite({ port: options.dynamoPort ?? 0, path: join(dataDir, "dynamodb") }),
    );
    cleanups.push(() => dynamo.close());
    await ensureTodoTable(dynamo.endpoint, LOCAL_TABLE_NAME);

    const cognito: LocalCognito = await onPort(options.cognitoPort, "Cognito (cognito-local)", "COGNITO_PORT", () =>
      startCognito({ port: options.cognitoPort, dataDir: join(dataDir, "cognito"), confirmationCode: options.confirmationCode, log }),
    );
    cleanups.push(() => cognito.close());

    let siteDir = options.siteDir;
    let files: readonly BuiltFile[] | undefined;
    if (!siteDir) {
      ({ outDir: siteDir, files } = await buildSite(join(dataDir, "site")));
    }
    const config: SiteConfig = {
      region: LOCAL_REGION,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      apiBase: API_BASE,
      cognitoEndpoint: cognito.endpoint,
    };
    const site = createSiteHost({ siteDir, files, config, headers: securityHeaders({ cognitoOrigin: cognito.endpoint }) });

    const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    cleanups.push(async () => doc.destroy());
    const api = createApiHost({
      store: dynamoTodoStore(doc, LOCAL_TABLE_NAME),
      authorize: cognitoAuthorizer({ jwksUrl: cognito.jwksUrl, issuer: cognito.issuer, clientId: cognito.userPoolClientId }),
      log: options.requestLog,
    });

    origin.on("request", (req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path !== API_BASE && !path.startsWith(`${API_BASE}/`)) {
        site(req, res);
        return;
      }
      api(req, res).catch((err: unknown) => {
        // The handler maps its own errors; this is the host failing (dynalite gone, a bug here).
        options.requestLog?.({ level: "error", msg: "host.error", error: String(err) });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const { status, code, message } = GATEWAY_ERRORS.DEFAULT_5XX;
        const requestId = randomUUID();
        res.writeHead(status, { "Content-Type": JSON_CONTENT_TYPE, ...API_RESPONSE_HEADERS, "x-amzn-RequestId": requestId });
        res.end(JSON.stringify(errorBody(code, message, requestId)));
      });
    });

    log(
      [
        "",
        `  tasklane is running at ${url}`,
        "",
        `  API         ${url}${API_BASE}`,
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
      cognitoEndpoint: cognito.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      tableName: LOCAL_TABLE_NAME,
      region: LOCAL_REGION,
      dataDir,
      close: () => (closing ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
