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
 * same lean archive.
 */
import { createRouteHandler, type ProxyHandler, type RouteEntry } from "./http";
import type { Route } from "./routes";
import { createDocumentClient, operationStore } from "./store";
import { compileChecks } from "./validation";

/** A value known only at deployment (a Pulumi Output): read with `get()` inside the function. */
export interface DeployedValue<T> {
  get(): T;
}

export function lambdaFactory(route: Route, tableName: DeployedValue<string>, clientId: DeployedValue<string>): () => ProxyHandler {
  // Only the two fields the adapter uses: handing over `route` itself would copy all of it. The
  // arrow reads `route.handle` only, and the serializer copies only the properties a closure reads.
  const entry: RouteEntry = { name: route.name, access: route.access, handle: (request, store) => route.handle(request, store) };
  const checks = compileChecks(route.schemas);
  // The route's handle is typed to see only its own operation (routes.ts), and the adapter uses
  // `membership` on a list route: a store of those operations alone is all it needs.
  const store = operationStore(route.operations);
  // Only ID tokens of the site's app client: API Gateway's authorizer takes any client of the pool.
  return () => createRouteHandler(entry, checks, store(createDocumentClient(), tableName.get()), { audience: clientId.get() });
}
