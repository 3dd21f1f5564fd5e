/** Bytes of one API Gateway access-log line, rendering the stage's format with typical values. */
import { ACCESS_LOG_FORMAT } from "../components/todo-api";

const SAMPLE: Record<string, string> = {
  "$context.requestId": "0f5c2a4e-7b1d-4c7e-9a43-2f6d8e1b5c90",
  "$context.extendedRequestId": "Xy1AbCdEfGhIjK=",
  "$context.identity.sourceIp": "203.0.113.42",
  "$context.requestTimeEpoch": "1764064800123",
  "$context.httpMethod": "PATCH",
  "$context.resourcePath": "/api/todos/{id}",
  "$context.path": "/prod/api/todos/01KAZ5T7Q8M3V4N6P2R9S0W1XY",
  "$context.status": "200",
  "$context.responseLength": "241",
  "$context.responseLatency": "38",
  "$context.integration.latency": "35",
  "$context.integration.status": "200",
  "$context.error.responseType": "-",
  "$context.authorizer.claims.sub": "6b3e2f0a-91c4-4d2e-8f57-3a1c9e0d7b24",
};

export function accessLogBytesPerRequest(): number {
  const line = ACCESS_LOG_FORMAT.replace(/\$context\.[A-Za-z0-9_.]+/g, (v) => SAMPLE[v] ?? "-");
  return Buffer.byteLength(line) + 1;
}
