/**
 * A Cognito-compatible user-pool API for laptops and tests: cognito-local, in-process, on 127.0.0.1.
 *
 * cognito-local's own `createDefaultServer` keeps its state in `./.cognito` of the working
 * directory and reads its port from the environment when first required. Neither suits a library
 * that tests start twice in one process, so this file composes the same services itself:
 * - state (users, pools, clients) in `<dataDir>` as cognito-local's JSON files;
 * - one user pool and one app client with AuthPool's settings (cognito-pool.ts);
 * - confirmation and reset codes sent to `log` (a person reads them in the terminal), or fixed;
 * - what cognito-local skips or says differently, made to match Cognito (cognito-patch.ts);
 * - a stable issuer: a token's `iss` holds the endpoint, port included, so the port is kept in
 *   `<dataDir>/port.txt` and taken again on the next start. A restart signs nobody out, as a
 *   deploy does not on AWS (unless that port is taken meanwhile: then `log` says so);
 * - a door (local-guard.ts): local tools make any call; the app's own pages (`browserOrigins`)
 *   only a user's own calls (sign-up, sign-in, …), never Admin* or ListUsers; other pages none.
 *   `<dataDir>` is readable by its owner only: cognito-local keeps passwords there in plain text.
 *
 * cognito-local signs every token with one key pair that ships in its npm package: anyone can
 * mint tokens it accepts. That is fine on a laptop and one more reason it never leaves 127.0.0.1.
 */
import { randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { join } from "node:path";
import type { Message } from "cognito-local/lib/services/messages";
import { USER_POOL_SETTINGS } from "../common/auth-policy";
import { loadCognitoLocal, type Ctx } from "./cognito-local";
import { patchRouter } from "./cognito-patch";
import { ensurePoolAndClient } from "./cognito-pool";
import { closeServer, listen, PortInUseError, type PortName } from "./listen";
import { cognitoDoor, guardServer, privateDir } from "./local-guard";

export interface LocalCognitoOptions {
  /** A fixed port. @default the one of the last start with this dataDir, else a free one */
  readonly port?: number;
  /** Folder for cognito-local's JSON files (and the port); created (or made) owner-only. */
  readonly dataDir: string;
  /** Origins of the site's pages, which call Cognito from the browser. @default none: no page at all */
  readonly browserOrigins?: readonly string[];
  /** Every confirmation/reset code is this one. @default a random 6-digit code, sent to `log` */
  readonly confirmationCode?: string;
  /** Where codes, cognito-local's own errors and refused requests go. */
  readonly log: (line: string) => void;
  /** Names the port in the error when it is taken. */
  readonly name?: PortName;
}

export interface LocalCognito {
  /** Base URL of the user-pool API (POST / with X-Amz-Target), e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly port: number;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The `iss` of the pool's tokens. */
  readonly issuer: string;
  readonly jwksUrl: string;
  close(): Promise<void>;
}

/** Not `.json`: cognito-local takes every JSON file in its folder for a user pool. */
const PORT_FILE = "port.txt";

function rememberedPort(dataDir: string): number | undefined {
  try {
    const port = Number(readFileSync(join(dataDir, PORT_FILE), "utf8").trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on the port asked for, else the remembered one (a free one when it is taken). */
async function listenStable(server: Server, options: LocalCognitoOptions): Promise<number> {
  if (options.port !== undefined) return listen(server, options.port, options.name);
  const remembered = rememberedPort(options.dataDir);
  if (remembered === undefined) return listen(server, 0);
  try {
    return await listen(server, remembered, { what: "Cognito", variable: "COGNITO_PORT" });
  } catch (err) {
    if (!(err instanceof PortInUseError)) throw err;
    const port = await listen(server, 0);
    options.log(
      `Cognito's port ${remembered} (kept from the last start) is taken; using ${port}. Sessions from before this start end: sign in again.`,
    );
    return port;
  }
}

export async function startCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const cl = await loadCognitoLocal();
  privateDir(options.dataDir, options.log);
  // Listen first: the port is part of every token's issuer, so it must be known before the
  // token generator is built. Requests are attached once everything is ready.
  const server = createServer();
  const port = await listenStable(server, options);
  writeFileSync(join(options.dataDir, PORT_FILE), `${port}\n`);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const logger = cl.pino({ level: "error", base: null }, { write: (line: string) => options.log(`cognito-local: ${line.trim()}`) });
    const ctx: Ctx = { logger };
    const config = {
      ...cl.DefaultConfig,
      TriggerFunctions: {},
      UserPoolDefaults: { UsernameAttributes: [...USER_POOL_SETTINGS.usernameAttributes] },
      TokenConfig: { IssuerDomain: endpoint },
      ServerConfig: { port, hostname: "127.0.0.1", development: false, https: false as const },
    };
    const clock = new cl.DateClock();
    const stores = new cl.StormDBDataStoreFactory(options.dataDir);
    const cognito = await new cl.CognitoServiceFactoryImpl(
      options.dataDir,
      stores,
      new cl.UserPoolServiceFactoryImpl(clock, stores),
    ).create(ctx, config.UserPoolDefaults);
    const noLambda = {
      invoke: () => Promise.reject(new Error("Lambda triggers are not configured in the local stack")),
    } as unknown as ConstructorParameters<typeof cl.LambdaService>[1];
    const triggers = new cl.TriggersService(clock, cognito, new cl.LambdaService({}, noLambda), new cl.CryptoService({}));
    const send = (_ctx: unknown, _user: unknown, destination: string, message: Message) => {
      options.log(`Confirmation code for ${destination}: ${message.__code}`);
      return Promise.resolve();
    };
    const services = {
      clock,
      cognito,
      config,
      messages: new cl.MessagesService(triggers, new cl.MessageDeliveryService({ sendEmail: send, sendSms: send })),
      otp: () => options.confirmationCode ?? String(randomInt(0, 1_000_000)).padStart(6, "0"),
      tokenGenerator: new cl.JwtTokenGenerator(clock, triggers, config.TokenConfig),
      triggers,
    };
    const router = cl.Router(services);
    const { userPoolId, userPoolClientId } = await ensurePoolAndClient(ctx, router, cognito);
    const patched = patchRouter(router, services, ctx, cl.CognitoError);
    const app = cl.createServer(patched, logger, config.ServerConfig, services).application as RequestListener;
    server.on("request", app);
    guardServer(server, cognitoDoor(options.browserOrigins ?? [], options.log));
    return {
      endpoint,
      port,
      userPoolId,
      userPoolClientId,
      issuer: `${endpoint}/${userPoolId}`,
      jwksUrl: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
      close: () => closeServer(server),
    };
  } catch (err) {
    await closeServer(server);
    throw err;
  }
}
