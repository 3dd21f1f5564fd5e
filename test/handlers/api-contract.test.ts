/**
 * The API contract over the in-process transport: Lambda proxy events into the real handlers,
 * backed by dynalite in this process. The local stack runs the same suite over HTTP.
 */
import { todoApiContract } from "../contract/todo-api.contract";
import { startInProcessDriver } from "./in-process-driver";

todoApiContract(startInProcessDriver, { transport: "in-process" });
