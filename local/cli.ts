/**
 * `npm start`: the whole app on this machine (see stack.ts), until Ctrl-C, SIGTERM or SIGHUP, or
 * until the process that started it (npm) is gone: a stack nobody can stop must not hold ports.
 *
 *   npm start                    start (data kept in .tasklane/ between runs)
 *   npm start -- --reset         delete all local users and to-dos first (asks)
 *   npm start -- --reset --yes   the same without asking (scripts)
 *
 * Environment: PORT (site + API, default 3000), COGNITO_PORT (default: the last start's, else a
 * free port), DYNAMO_PORT (default: a free port), TASKLANE_DATA_DIR (default .tasklane in the repo), TASKLANE_CONFIRMATION_CODE (fixes
 * every sign-up code), TASKLANE_SITE_DIR (serve an already built site instead of building).
 */
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { LogEntry } from "../handlers/http";
import { PortInUseError } from "./listen";
import { startStack, type RunningStack } from "./stack";

// On Node 20 the SDK's "Node 20 support ends" notice says nothing about the local stack (the SDK
// version is pinned by the lockfile); it would be the first thing a newcomer reads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const EXIT_USAGE = 64;
const EXIT_PORT_IN_USE = 2;
const SHUTDOWN_TIMEOUT_MS = 5000;
const PARENT_CHECK_MS = 1000;
/** Read first thing: a parent that dies while the stack starts is noticed once it has started. */
const PARENT = process.ppid;

const USAGE = `Usage: npm start [-- --reset [--yes]]

  --reset   delete all local data (users, to-dos) before starting; asks first
  --yes     do not ask (for scripts)
  --help    show this text

Environment: PORT (default 3000), COGNITO_PORT (default: the last start's, else free),
DYNAMO_PORT (default: free), TASKLANE_DATA_DIR (default .tasklane), TASKLANE_CONFIRMATION_CODE, TASKLANE_SITE_DIR.`;

class UsageError extends Error {}

function portFrom(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${name} must be a port number from 0 to 65535, not "${raw}".`);
  return port;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** A short line per API request for the terminal; the full JSON is what Lambda would log. */
function requestLine(entry: LogEntry): void {
  const field = (name: string) => (typeof entry[name] === "string" || typeof entry[name] === "number" ? String(entry[name]) : "");
  const time = new Date().toISOString().slice(11, 19);
  const what = entry.msg === "request" ? `${field("method")} ${field("route")}` : `${field("method")} ${field("path")}`.trim();
  const code = entry.errorCode ? ` ${field("errorCode")}` : "";
  const took = typeof entry.durationMs === "number" ? ` ${entry.durationMs.toFixed(1)} ms` : "";
  console.log(`${time} ${what} -> ${field("status") || "?"}${code}${took}`);
  if (entry.level === "error") console.error(JSON.stringify(entry));
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Set(argv);
  for (const flag of flags) {
    if (!["--reset", "--yes", "-y", "--help", "-h"].includes(flag)) throw new UsageError(`Unknown option ${flag}.\n\n${USAGE}`);
  }
  if (flags.has("--help") || flags.has("-h")) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = resolve(process.env.TASKLANE_DATA_DIR || resolve(__dirname, "..", ".tasklane"));
  const port = portFrom("PORT", 3000);
  const dynamoPort = portFrom("DYNAMO_PORT", undefined);
  const cognitoPort = portFrom("COGNITO_PORT", undefined);

  if (flags.has("--reset") && existsSync(dataDir)) {
    const yes = flags.has("--yes") || flags.has("-y");
    if (!yes && !process.stdin.isTTY) throw new UsageError("--reset needs --yes when there is no terminal to ask in.");
    if (!yes && !(await confirm(`Delete all local users and to-dos in ${dataDir}? [y/N] `))) {
      console.log("Nothing deleted.");
      return 1;
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`Deleted ${dataDir}.`);
  }

  let stack: RunningStack;
  try {
    stack = await startStack({
      port,
      dataDir,
      dynamoPort,
      cognitoPort,
      confirmationCode: process.env.TASKLANE_CONFIRMATION_CODE || undefined,
      siteDir: process.env.TASKLANE_SITE_DIR || undefined,
      requestLog: requestLine,
    });
  } catch (err) {
    if (err instanceof PortInUseError) {
      console.error(`\n${err.message}\n`);
      return EXIT_PORT_IN_USE;
    }
    throw err;
  }
  console.log(`  Open ${stack.url} in a browser. Ctrl-C stops everything; your data stays in ${dataDir}.`);
  console.log("  To start again from nothing: npm start -- --reset\n");

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return done(130); // a second Ctrl-C: do not wait
      stopping = true;
      console.log(`\n${signal}: stopping…`);
      const timer = setTimeout(() => done(1), SHUTDOWN_TIMEOUT_MS);
      stack.close().then(
        () => {
          clearTimeout(timer);
          console.log("Stopped.");
          done(0);
        },
        () => done(1),
      );
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
    // npm forwards SIGTERM to its child only; when npm itself is killed outright, the parent
    // changes (to init or a subreaper) and this stops too.
    setInterval(() => {
      if (process.ppid !== PARENT && !stopping) {
        console.log("\nThe process that started this one is gone.");
        stop("SIGHUP");
      }
    }, PARENT_CHECK_MS).unref();
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(EXIT_USAGE);
    }
    console.error(err);
    process.exit(1);
  },
);
