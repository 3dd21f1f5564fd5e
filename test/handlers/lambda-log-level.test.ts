/**
 * The handler's log line as Lambda's JSON log format files it. Lambda's log-level filtering
 * documentation: a line written to stdout by other means than the runtime's console methods is
 * filed under its JSON `level` (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) only when it also has a
 * valid RFC 3339 `timestamp`; an invalid or missing level, or a missing or invalid timestamp,
 * files it at INFO. `lambdaRecordedLevel` is that rule; the tests run the real handler (real
 * dynalite) with its default logger (process.stdout) and read back the bytes it wrote.
 */
import { expect } from "chai";
import { createHandler, type ProxyEvent } from "../../handlers/http";
import { routeNamed } from "../../handlers/routes";
import { proxyEvent } from "../../local/proxy-event";
import { dynamoTodoStore } from "../../handlers/store";
import { startInProcessDriver, USER_IDS, type InProcessDriver } from "./in-process-driver";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
type Level = (typeof LEVELS)[number];
// RFC 3339 date-time: full date, "T" (or t/space), time with optional fraction, Z or an offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The level Lambda files one stdout line under (its documented rule for JSON lines). */
function lambdaRecordedLevel(line: string): Level {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return "INFO";
  }
  if (typeof parsed !== "object" || parsed === null) return "INFO";
  const { level, timestamp } = parsed as { level?: unknown; timestamp?: unknown };
  const upper = typeof level === "string" ? level.toUpperCase() : "";
  const known = (LEVELS as readonly string[]).includes(upper);
  const validTime = typeof timestamp === "string" && RFC3339.test(timestamp) && !Number.isNaN(Date.parse(timestamp));
  return known && validTime ? (upper as Level) : "INFO";
}

/** Which lines reach CloudWatch when the function's applicationLogLevel is `threshold`. */
const field = (line: string, name: string): unknown => (JSON.parse(line) as Record<string, unknown>)[name];
const kept = (lines: string[], threshold: Level) =>
  lines.filter((line) => LEVELS.indexOf(lambdaRecordedLevel(line)) >= LEVELS.indexOf(threshold));

/** Runs `act` and returns the lines it wrote to stdout (where the handler's default logger writes). */
async function stdoutOf(act: () => Promise<unknown>): Promise<string[]> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  try {
    await act();
  } finally {
    process.stdout.write = original;
  }
  return chunks.join("").split("\n").filter(Boolean);
}

const event = (sub: string | undefined, requestId: string): ProxyEvent =>
  proxyEvent({ method: "GET", url: "/api/todos", resource: "/api/todos", claims: sub ? { sub } : null, requestId });

describe("the handler's log lines under Lambda's JSON log format", function () {
  let driver: InProcessDriver;
  before(async () => {
    driver = await startInProcessDriver();
  });
  after(() => driver.close());

  it("keep their level: a 200 is INFO, a 401 WARN, a 500 ERROR (each line has a valid RFC 3339 timestamp)", async () => {
    const list = routeNamed("listTodos");
    const ok = createHandler(list, dynamoTodoStore(driver.doc, driver.tableName));
    const broken = createHandler(list, dynamoTodoStore(driver.doc, "no-such-table"));
    const lines = await stdoutOf(async () => {
      expect((await ok(event(USER_IDS.alice, "r-200"))).statusCode).to.equal(200);
      expect((await ok(event(undefined, "r-401"))).statusCode).to.equal(401);
      expect((await broken(event(USER_IDS.alice, "r-500"))).statusCode).to.equal(500);
    });
    expect(lines).to.have.length(3);
    for (const line of lines) expect(field(line, "timestamp"), line).to.match(RFC3339);
    expect(lines.map(lambdaRecordedLevel)).to.deep.equal(["INFO", "WARN", "ERROR"]);
    // Raising applicationLogLevel to WARN keeps the warnings and errors and drops only the INFO line.
    expect(kept(lines, "WARN").map((l) => field(l, "requestId"))).to.deep.equal(["r-401", "r-500"]);
    expect(kept(lines, "ERROR").map((l) => field(l, "requestId"))).to.deep.equal(["r-500"]);
  });

  it("the rule itself: without a timestamp (what the lines had before) every line is INFO, so WARN would drop the errors", () => {
    const withoutTime = JSON.stringify({ level: "error", msg: "request" });
    expect(lambdaRecordedLevel(withoutTime)).to.equal("INFO");
    expect(kept([withoutTime], "WARN")).to.deep.equal([]);
    expect(lambdaRecordedLevel(JSON.stringify({ level: "error", timestamp: "yesterday" }))).to.equal("INFO");
    expect(lambdaRecordedLevel(JSON.stringify({ level: "loud", timestamp: "2026-11-30T10:00:00.000Z" }))).to.equal("INFO");
    expect(lambdaRecordedLevel(JSON.stringify({ level: "debug", timestamp: "2024-11-02T16:51:31.587199Z" }))).to.equal("DEBUG");
    expect(lambdaRecordedLevel("plain text")).to.equal("INFO");
  });
});
