/**
 * The Lambda entry. `lambdaFactory(route, tableName, clientId)` runs where the Pulumi program runs and
 * returns the `callbackFactory` of that route's function; the factory itself runs once per
 * container, at init.
 *
 * Pulumi's closure serializer copies into the archive every function and value the factory can
 * reach, so the factory is built to reach little: the route's `handle` (and what it calls), the
 * validators generated from the route's own schemas, the adapter, and the store operations the
 * route uses (its own, and the membership read on a list route). Not the route table (that would bring every route's code), not the whole store, not
 * ajv (the validators are generated here, at deployment). Any route added to the table gets the
 * same lean archive. The route that `endsAccount` gets `accountLambdaFactory`: the same, plus
 * Cognito's admin calls and the sweep's scheduler, and it also answers the sweep's own event.
 */
import { isSweepEvent, sweepAccount, type AccountDeletion, type SweepEvent } from "./account";
import { awsAccountAdmin } from "./account-admin";
import {
  createRouteHandler,
  DEFAULT_TIME_BUDGET_MS,
  type LambdaContext,
  type ProxyEvent,
  type ProxyHandler,
  type ProxyResult,
  type RouteEntry,
} from "./http";
import type { Route } from "./routes";
import { createDocumentClient, operationStore } from "./store";
import { stampedDocument } from "./writer";
import { compileChecks } from "./validation";

/** A value known only at deployment (a Pulumi Output): read with `get()` inside the function. */
export interface DeployedValue<T> {
  get(): T;
}

/** Only the fields the adapter uses: handing over `route` itself would copy all of it. */
function entryOf(route: Route): RouteEntry {
  // The arrow reads `route.handle` only, and the serializer copies only the properties a closure reads.
  return {
    name: route.name,
    access: route.access,
    endsAccount: route.endsAccount,
    deprecated: route.deprecated,
    handle: (request, store) => route.handle(request, store),
  };
}

export function lambdaFactory(route: Route, tableName: DeployedValue<string>, clientId: DeployedValue<string>): () => ProxyHandler {
  const entry = entryOf(route);
  const checks = compileChecks(route.schemas);
  // The route's handle is typed to see only its own operation (routes.ts), and the adapter uses
  // `membership` on a list route: a store of those operations alone is all it needs.
  const store = operationStore(route.operations);
  // Only ID tokens of the site's app client: API Gateway's authorizer takes any client of the pool.
  // One document client per container; each request's store stamps its writer (handlers/writer.ts).
  return () => {
    const doc = createDocumentClient();
    const name = tableName.get();
    return createRouteHandler(entry, checks, (writer) => store(stampedDocument(doc, writer), name), { audience: clientId.get() });
  };
}

/** What the account deletion's function knows besides the table: the pool, and the sweep's role. */
export interface AccountDeployment {
  readonly userPoolId: DeployedValue<string>;
  readonly schedulerRoleArn: DeployedValue<string>;
}

export type AccountHandler = (
  event: ProxyEvent | SweepEvent,
  context?: LambdaContext & { readonly invokedFunctionArn?: string },
) => Promise<ProxyResult | AccountDeletion>;

/**
 * The function of the route that `endsAccount`: API Gateway's requests go to the route; the
 * sweep's schedule sends `{"sweep": {"sub"}}` (handlers/account.ts), which runs the deletion again.
 */
export function accountLambdaFactory(
  route: Route,
  tableName: DeployedValue<string>,
  clientId: DeployedValue<string>,
  account: AccountDeployment,
): () => AccountHandler {
  const entry = entryOf(route);
  const checks = compileChecks(route.schemas);
  const store = operationStore(route.operations);
  return () => {
    let functionArn = "";
    const admin = awsAccountAdmin({
      userPoolId: account.userPoolId.get(),
      schedulerRoleArn: account.schedulerRoleArn.get(),
      functionArn: () => functionArn,
    });
    const doc = createDocumentClient();
    const name = tableName.get();
    // The sweep names no device: its writes carry no writer.
    const tableStore = store(stampedDocument(doc, undefined), name);
    const http = createRouteHandler(entry, checks, (writer) => store(stampedDocument(doc, writer), name), {
      audience: clientId.get(),
      admin,
    });
    return async (event, context) => {
      functionArn = context?.invokedFunctionArn ?? "";
      if (!isSweepEvent(event)) return http(event, context);
      const deadline = Date.now() + (context?.getRemainingTimeInMillis?.() ?? DEFAULT_TIME_BUDGET_MS);
      return sweepAccount(tableStore, admin, event.sweep.sub, new Date(), () => deadline - Date.now());
    };
  };
}
