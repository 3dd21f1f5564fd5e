// Child process for the local-API benchmark: starts the local stack (fresh temp data, fixed
// confirmation code, request log off) and prints its addresses as one JSON line.
import { startStack } from "../../local/stack";

void startStack({ port: 0, confirmationCode: "123456", log: () => {} }).then((stack) => {
  process.stdout.write(`${JSON.stringify({ ...stack, close: undefined })}\n`);
  const stop = () => void stack.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
});
