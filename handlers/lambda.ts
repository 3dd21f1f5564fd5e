/**
 * The Lambda entry: what each function's serialized closure calls once, at init.
 * The TodoApi component passes `createLambdaHandler(route.name, tableName)` as a callbackFactory.
 */
import { createHandler, type ProxyHandler } from "./http";
import { routeNamed } from "./routes";
import { createDocumentClient, dynamoTodoStore } from "./store";

export function createLambdaHandler(routeName: string, tableName: string): ProxyHandler {
  return createHandler(routeNamed(routeName), dynamoTodoStore(createDocumentClient(), tableName));
}
