/**
 * A Cognito-compatible user-pool API for laptops and tests: cognito-local, in-process, on 127.0.0.1.
 *
 * cognito-local's own `createDefaultServer` keeps its state in `./.cognito` of the working
 * directory and reads its port from the environment when first required. Neither suits a library
 * that tests start twice in one process, so this file composes the same services itself:
 * - state (users, pools, clients) in `<dataDir>` as cognito-local's JSON files;
 * - one user pool and one app client, created on first start and found by name afterwards, with
 *   AuthPool's settings, read from components/auth-policy.ts: e-mail as the user name, e-mail
 *   verification and recovery, the password policy, the client's flows, token lifetimes;
 * - confirmation and reset codes sent to `log` (a person reads them in the terminal), or fixed;
 * - what cognito-local skips or says differently, made to match Cognito (see guardRouter):
 *   the password policy, the client's allowed flows, hidden user existence, resending a code.
 *
 * cognito-local signs every token with one key pair that ships in its npm package: anyone can
 * mint tokens it accepts. That is fine on a laptop and one more reason it never leaves 127.0.0.1.
 */
import { APP_CLIENT_SETTINGS, PASSWORD_POLICY as SHARED_POLICY, TOKEN_VALIDITY, USER_POOL_SETTINGS } from "../common/auth-policy";
import { randomInt } from "node:crypto";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { decodeJwt } from "jose";

export const LOCAL_POOL_NAME = "tasklane-local";
export const LOCAL_CLIENT_NAME = "tasklane-web";

/** AuthPool's password policy (components/auth-policy.ts), in the Cognito API's spelling. */
export const PASSWORD_POLICY = {
  MinimumLength: SHARED_POLICY.minimumLength,
  RequireUppercase: SHARED_POLICY.requireUppercase,
  RequireLowercase: SHARED_POLICY.requireLowercase,
  RequireNumbers: SHARED_POLICY.requireNumbers,
  RequireSymbols: SHARED_POLICY.requireSymbols,
  TemporaryPasswordValidityDays: SHARED_POLICY.temporaryPasswordValidityDays,
} as const;

export interface LocalCognitoOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Folder for cognito-local's JSON files; created when missing. */
  readonly dataDir: string;
  /** Every confirmation/reset code is this one. @default a random 6-digit code, sent to `log` */
  readonly confirmationCode?: string;
  /** Where codes (and cognito-local's own errors) go. */
  readonly log: (line: string) => void;
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

type Ctx = { logger: unknown };
type Route = (ctx: Ctx, req: any) => Promise<any>;
interface CognitoLib {
  Router(services: object): (target: string) => Route;
  createServer(
    router: (target: string) => Route,
    logger: unknown,
    options: object,
    services?: object,
  ): { application: Parameters<Server["on"]>[1] };
  DefaultConfig: Record<string, unknown>;
  CognitoError: new (code: string, message: string) => Error;
  services: any;
}

/** cognito-local's internals (it publishes no "exports" map, so deep requires are its API). */
function loadCognitoLocal(): CognitoLib {
  // aws-sdk v2 (a cognito-local dependency) prints an end-of-support notice on load.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
  /* eslint-disable @typescript-eslint/no-require-imports */
  const root = dirname(require.resolve("cognito-local/package.json"));
  const lib = (path: string) => require(`${root}/lib/${path}`);
  return {
    Router: lib("server/Router").Router,
    createServer: lib("server/server").createServer,
    DefaultConfig: lib("server/config").DefaultConfig,
    CognitoError: lib("errors").CognitoError,
    services: {
      ...lib("services"),
      ...lib("services/cognitoService"),
      ...lib("services/crypto"),
      ...lib("services/dataStore/stormDb"),
      ...lib("services/messageDelivery/messageDelivery"),
      ...lib("services/tokenGenerator"),
      ...lib("services/userPoolService"),
      pino: require(require.resolve("pino", { paths: [root] })),
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The messages Cognito sends for a password that breaks the policy, in its order. */
export function passwordProblem(password: unknown, policy: Partial<typeof PASSWORD_POLICY>): string | undefined {
  const value = typeof password === "string" ? password : "";
  if (value.length < (policy.MinimumLength ?? 8)) return "Password not long enough";
  if (policy.RequireLowercase && !/[a-z]/.test(value)) return "Password must have lowercase characters";
  if (policy.RequireUppercase && !/[A-Z]/.test(value)) return "Password must have uppercase characters";
  if (policy.RequireNumbers && !/[0-9]/.test(value)) return "Password must have numeric characters";
  if (policy.RequireSymbols && !/[^A-Za-z0-9\s]/.test(value)) return "Password must have symbol characters";
  return undefined;
}

export async function startCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const cl = loadCognitoLocal();
  const s = cl.services;
  // Listen first: the port is part of every token's issuer, so it must be known before the
  // token generator is built. Requests are attached once everything is ready.
  const server = createHttpServer();
  const port = await listen(server, options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const logger = s.pino({ level: "error", base: null }, { write: (line: string) => options.log(`cognito-local: ${line.trim()}`) });
    const ctx: Ctx = { logger };
    const config = {
      ...cl.DefaultConfig,
      TriggerFunctions: {},
      UserPoolDefaults: { UsernameAttributes: [...USER_POOL_SETTINGS.usernameAttributes] },
      TokenConfig: { IssuerDomain: endpoint },
      ServerConfig: { port, hostname: "127.0.0.1", development: false, https: false },
    };
    const clock = new s.DateClock();
    const stores = new s.StormDBDataStoreFactory(options.dataDir);
    const cognito = await new s.CognitoServiceFactoryImpl(options.dataDir, stores, new s.UserPoolServiceFactoryImpl(clock, stores)).create(
      ctx,
      config.UserPoolDefaults,
    );
    const noLambda = {
      invoke: () => Promise.reject(new Error("Lambda triggers are not configured in the local stack")),
    };
    const triggers = new s.TriggersService(clock, cognito, new s.LambdaService({}, noLambda), new s.CryptoService({}));
    const sender = {
      sendEmail: (_ctx: Ctx, _user: unknown, destination: string, message: { __code?: string }) => {
        options.log(`Confirmation code for ${destination}: ${message.__code}`);
        return Promise.resolve();
      },
      sendSms: (_ctx: Ctx, _user: unknown, destination: string, message: { __code?: string }) => {
        options.log(`Confirmation code for ${destination}: ${message.__code}`);
        return Promise.resolve();
      },
    };
    const services = {
      clock,
      cognito,
      config,
      messages: new s.MessagesService(triggers, new s.MessageDeliveryService(sender)),
      otp: () => options.confirmationCode ?? String(randomInt(0, 1_000_000)).padStart(6, "0"),
      tokenGenerator: new s.JwtTokenGenerator(clock, triggers, config.TokenConfig),
      triggers,
    };
    const router = cl.Router(services);
    const { userPoolId, userPoolClientId } = await ensurePoolAndClient(ctx, router, cognito);
    const guarded = guardRouter(router, services, ctx, cl.CognitoError);
    const app = cl.createServer(guarded, logger, config.ServerConfig, services).application;
    server.on("request", app);
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Finds the pool and client by name (state from an earlier run), or creates them like AuthPool. */
async function ensurePoolAndClient(
  ctx: Ctx,
  router: (target: string) => Route,
  cognito: any,
): Promise<{ userPoolId: string; userPoolClientId: string }> {
  const pools: { Id: string; Name?: string }[] = await cognito.listUserPools(ctx);
  let userPoolId = pools.find((p) => p.Name === LOCAL_POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await router("CreateUserPool")(ctx, {
      PoolName: LOCAL_POOL_NAME,
      UsernameAttributes: [...USER_POOL_SETTINGS.usernameAttributes],
      AutoVerifiedAttributes: [...USER_POOL_SETTINGS.autoVerifiedAttributes],
      Policies: { PasswordPolicy: PASSWORD_POLICY },
      AccountRecoverySetting: {
        RecoveryMechanisms: USER_POOL_SETTINGS.recoveryMechanisms.map((m) => ({ Name: m.name, Priority: m.priority })),
      },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: USER_POOL_SETTINGS.allowAdminCreateUserOnly },
      MfaConfiguration: "OFF",
    });
    userPoolId = created.UserPool.Id as string;
  }
  const clients: { ClientId: string; ClientName?: string }[] = await cognito.listAppClients(ctx, userPoolId);
  let userPoolClientId = clients.find((c) => c.ClientName === LOCAL_CLIENT_NAME)?.ClientId;
  if (!userPoolClientId) {
    const created = await router("CreateUserPoolClient")(ctx, {
      UserPoolId: userPoolId,
      ClientName: LOCAL_CLIENT_NAME,
      GenerateSecret: APP_CLIENT_SETTINGS.generateSecret,
      ExplicitAuthFlows: [...APP_CLIENT_SETTINGS.explicitAuthFlows],
      PreventUserExistenceErrors: APP_CLIENT_SETTINGS.preventUserExistenceErrors,
      EnableTokenRevocation: APP_CLIENT_SETTINGS.enableTokenRevocation,
      AccessTokenValidity: TOKEN_VALIDITY.accessAndIdTokenMinutes,
      IdTokenValidity: TOKEN_VALIDITY.accessAndIdTokenMinutes,
      RefreshTokenValidity: TOKEN_VALIDITY.refreshTokenDays,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
    });
    userPoolClientId = created.UserPoolClient.ClientId as string;
  }
  return { userPoolId, userPoolClientId };
}

/** The answer to a sign-in with a wrong password or an unknown user, when existence is hidden. */
const INCORRECT_CREDENTIALS = "Incorrect username or password.";

/**
 * Makes cognito-local answer like Cognito with AuthPool's settings where the site can tell:
 * - the password policy on SignUp, ConfirmForgotPassword and ChangePassword;
 * - only the client's ExplicitAuthFlows (USER_SRP_AUTH and others are refused);
 * - PreventUserExistenceErrors: a wrong password and an unknown user both get
 *   NotAuthorizedException "Incorrect username or password." (cognito-local says
 *   InvalidPasswordException / NotAuthorizedException "User not authorized"), and
 *   ForgotPassword for an unknown user pretends to send a code;
 * - user names (e-mail addresses) compared without regard to case;
 * - ResendConfirmationCode, which cognito-local lacks.
 */
function guardRouter(
  router: (target: string) => Route,
  services: { cognito: any; messages: any; otp: () => string },
  ctx: Ctx,
  CognitoError: CognitoLib["CognitoError"],
): (target: string) => Route {
  const { cognito } = services;
  const policyForClient = async (clientId: unknown) => {
    const pool = await cognito.getUserPoolForClientId(ctx, String(clientId));
    return (pool.options.Policies?.PasswordPolicy ?? {}) as Partial<typeof PASSWORD_POLICY>;
  };
  const policyForToken = async (token: unknown) => {
    let poolId = "";
    try {
      poolId =
        String(decodeJwt(String(token)).iss ?? "")
          .split("/")
          .pop() ?? "";
    } catch {
      throw new CognitoError("NotAuthorizedException", "Invalid Access Token");
    }
    const pool = await cognito.getUserPool(ctx, poolId);
    return (pool.options.Policies?.PasswordPolicy ?? {}) as Partial<typeof PASSWORD_POLICY>;
  };
  const checkPassword = (password: unknown, policy: Partial<typeof PASSWORD_POLICY>) => {
    const problem = passwordProblem(password, policy);
    if (problem) throw new CognitoError("InvalidPasswordException", `Password did not conform with policy: ${problem}`);
  };
  const hidesUsers = async (clientId: unknown) =>
    (await cognito.getAppClient(ctx, String(clientId)))?.PreventUserExistenceErrors === "ENABLED";
  const codeDelivery = (email: string) => ({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: email });
  const errorType = (err: unknown) => (err as { code?: string } | null)?.code;

  const resendConfirmationCode: Route = async (c, req) => {
    const pool = await cognito.getUserPoolForClientId(ctx, String(req?.ClientId));
    const user = await pool.getUserByUsername(c, String(req?.Username ?? ""));
    if (!user) {
      if (await hidesUsers(req?.ClientId)) return { CodeDeliveryDetails: codeDelivery(String(req?.Username)) };
      throw new CognitoError("UserNotFoundException", "Username/client id combination not found.");
    }
    if (user.UserStatus !== "UNCONFIRMED") throw new CognitoError("InvalidParameterException", "User is already confirmed.");
    const email = (user.Attributes as { Name: string; Value: string }[]).find((a) => a.Name === "email")?.Value ?? String(req.Username);
    const code = services.otp();
    await pool.saveUser(c, { ...user, ConfirmationCode: code });
    const delivery = codeDelivery(email);
    await services.messages.deliver(c, "ResendCode", req.ClientId, pool.options.Id, user, code, req.ClientMetadata, delivery);
    return { CodeDeliveryDetails: delivery };
  };

  return (target) => {
    const guarded = guard(target);
    // AuthPool's user names are case-insensitive e-mail addresses; cognito-local compares exactly.
    return USER_NAME_TARGETS.has(target) ? (c, req) => guarded(c, lowerCaseUserName(req)) : guarded;
  };

  function guard(target: string): Route {
    if (target === "ResendConfirmationCode") return resendConfirmationCode;
    const route = router(target);
    switch (target) {
      case "SignUp":
      case "ConfirmForgotPassword":
        return async (c, req) => {
          checkPassword(req?.Password, await policyForClient(req?.ClientId));
          return route(c, req);
        };
      case "ChangePassword":
        return async (c, req) => {
          checkPassword(req?.ProposedPassword, await policyForToken(req?.AccessToken));
          return route(c, req);
        };
      case "InitiateAuth":
        return async (c, req) => {
          const client = await cognito.getAppClient(ctx, String(req?.ClientId));
          const flow = req?.AuthFlow === "REFRESH_TOKEN" ? "REFRESH_TOKEN_AUTH" : String(req?.AuthFlow);
          if (client && !(client.ExplicitAuthFlows ?? []).includes(`ALLOW_${flow}`)) {
            throw new CognitoError("InvalidParameterException", `${flow} flow not enabled for this client`);
          }
          try {
            return await route(c, req);
          } catch (err) {
            const hidden = client?.PreventUserExistenceErrors === "ENABLED" && flow === "USER_PASSWORD_AUTH";
            if (hidden && ["InvalidPasswordException", "NotAuthorizedException", "UserNotFoundException"].includes(errorType(err) ?? "")) {
              throw new CognitoError("NotAuthorizedException", INCORRECT_CREDENTIALS);
            }
            throw err;
          }
        };
      case "ForgotPassword":
        return async (c, req) => {
          try {
            return await route(c, req);
          } catch (err) {
            if (errorType(err) === "UserNotFoundException" && (await hidesUsers(req?.ClientId))) {
              return { CodeDeliveryDetails: codeDelivery(String(req?.Username)) };
            }
            throw err;
          }
        };
      default:
        return route;
    }
  }
}

const USER_NAME_TARGETS = new Set([
  "SignUp",
  "ConfirmSignUp",
  "InitiateAuth",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "ResendConfirmationCode",
]);

function lowerCaseUserName(req: any): any {
  if (!req || typeof req !== "object") return req;
  const out = { ...req };
  if (typeof out.Username === "string") out.Username = out.Username.toLowerCase();
  if (out.AuthParameters && typeof out.AuthParameters.USERNAME === "string") {
    out.AuthParameters = { ...out.AuthParameters, USERNAME: out.AuthParameters.USERNAME.toLowerCase() };
  }
  if (Array.isArray(out.UserAttributes)) {
    out.UserAttributes = out.UserAttributes.map((a: { Name?: string; Value?: unknown }) =>
      a?.Name === "email" && typeof a.Value === "string" ? { ...a, Value: a.Value.toLowerCase() } : a,
    );
  }
  return out;
}
