/**
 * Loads cognito-local's parts, typed by its own declarations. It publishes no "exports" map, so
 * the deep paths under lib/ are its API. They are loaded on first start, not at import: they pull
 * in the AWS SDK v2, whose end-of-support notice is silenced first.
 */
import { createRequire } from "node:module";
import type pinoFactory from "pino";
import type { Context } from "cognito-local/lib/services/context";

/** A cognito-local request context (its logger). */
export type Ctx = Context;

/** A request of the user-pool API, as parsed JSON: read it field by field. */
export type CognitoRequest = Readonly<Record<string, unknown>>;

/** One action of the user-pool API (SignUp, InitiateAuth, …). */
export type Route = (ctx: Ctx, req: CognitoRequest) => Promise<unknown>;
export type Router = (target: string) => Route;

export async function loadCognitoLocal() {
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
  const [router, server, config, errors, services, cognitoService, userPoolService, stores, tokens, delivery, crypto] = await Promise.all([
    import("cognito-local/lib/server/Router"),
    import("cognito-local/lib/server/server"),
    import("cognito-local/lib/server/config"),
    import("cognito-local/lib/errors"),
    import("cognito-local/lib/services"),
    import("cognito-local/lib/services/cognitoService"),
    import("cognito-local/lib/services/userPoolService"),
    import("cognito-local/lib/services/dataStore/stormDb"),
    import("cognito-local/lib/services/tokenGenerator"),
    import("cognito-local/lib/services/messageDelivery/messageDelivery"),
    import("cognito-local/lib/services/crypto"),
  ]);
  // Its server logs through pino-http, which needs cognito-local's own pino.
  const pino = createRequire(require.resolve("cognito-local/package.json"))("pino") as typeof pinoFactory;
  return {
    /** Its routes take `any`; ours read requests as unknown values. */
    Router: router.Router as (services: Parameters<typeof router.Router>[0]) => Router,
    createServer: server.createServer,
    DefaultConfig: config.DefaultConfig,
    CognitoError: errors.CognitoError,
    CognitoServiceFactoryImpl: cognitoService.CognitoServiceFactoryImpl,
    UserPoolServiceFactoryImpl: userPoolService.UserPoolServiceFactoryImpl,
    DateClock: services.DateClock,
    LambdaService: services.LambdaService,
    MessagesService: services.MessagesService,
    TriggersService: services.TriggersService,
    StormDBDataStoreFactory: stores.StormDBDataStoreFactory,
    JwtTokenGenerator: tokens.JwtTokenGenerator,
    MessageDeliveryService: delivery.MessageDeliveryService,
    CryptoService: crypto.CryptoService,
    pino,
  };
}

export type CognitoLocal = Awaited<ReturnType<typeof loadCognitoLocal>>;
