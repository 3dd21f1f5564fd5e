/**
 * The API contract over the in-process transport: Lambda proxy events into the real handlers,
 * backed by dynalite in this process. The local stack runs the same suite over HTTP.
 */
import { todoApiContract } from "../contract/todo-api.contract";
import { startInProcessDriver } from "./in-process-driver";

// 10,000 to-dos in-process only: over HTTP the same checks take minutes (every request crosses
// the local authorizer and validator); the HTTP run covers 0, 1, 50, 51 and 1,000.
todoApiContract(startInProcessDriver, { transport: "in-process Lambda handlers", bigSize: 10_000 });
