/**
 * The API contract over real HTTP: the local stack (site origin, authorizer, validator, proxy
 * events, the same handlers, dynalite) started by the test, two users signed up, confirmed and
 * signed in through the local Cognito. Same suite, same expectations as test/handlers.
 */
import { todoApiContract } from "../contract/todo-api.contract";
import { startHttpDriver } from "./http-driver";

todoApiContract(() => startHttpDriver(), { transport: "local HTTP" });
