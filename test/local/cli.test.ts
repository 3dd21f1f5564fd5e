/**
 * `npm start` as a person (or a script) runs it: local/cli.ts in its own process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";

const ROOT = resolve(__dirname, "..", "..");

interface Cli {
  readonly child: ChildProcess;
  readonly viaNpm: boolean;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** `npm start` itself when `viaNpm`, else local/cli.ts in node directly. */
function runCli(args: string[], env: Record<string, string>, viaNpm = false): Cli {
  // npm's own script when running under npm (npm test), else the npm on PATH.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
  const [command, ...prefix] = viaNpm
    ? [...npm, "start", "--silent", "--"]
    : [process.execPath, "-r", "ts-node/register/transpile-only", "local/cli.ts"];
  const child = spawn(command, [...prefix, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group: after() can end whatever npm started, even if npm is gone.
    detached: viaNpm,
  });
  const cli: Cli = {
    child,
    viaNpm,
    stdout: "",
    stderr: "",
    exited: new Promise((done) => child.on("exit", (code) => done(code))),
  };
  child.stdout.on("data", (chunk: Buffer) => (cli.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (cli.stderr += chunk.toString()));
  return cli;
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the site URL once the summary is printed (or fails if the CLI exits first). */
async function siteUrl(cli: Cli): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout);
    if (match) return match[1];
    if (cli.child.exitCode !== null) throw new Error(`the CLI exited with ${cli.child.exitCode}: ${cli.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no summary after 30 s: ${cli.stdout} ${cli.stderr}`);
}

describe("npm start (local/cli.ts)", function () {
  let dataDir: string;
  const running: Cli[] = [];
  const start = (args: string[], env: Record<string, string> = {}, viaNpm = false) => {
    const cli = runCli(args, { PORT: "0", TASKLANE_DATA_DIR: dataDir, TASKLANE_CONFIRMATION_CODE: "555555", ...env }, viaNpm);
    running.push(cli);
    return cli;
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "tasklane-cli-"));
  });
  after(() => {
    for (const cli of running) {
      if (!cli.child.pid) continue;
      try {
        // A negative pid is the process group (detached children lead their own).
        process.kill(cli.viaNpm ? -cli.child.pid : cli.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts everything, refuses a second start on the same port with exit 2, and stops cleanly on SIGINT", async function () {
    const first = start([]);
    const url = await siteUrl(first);
    expect(first.stdout).to.contain(`Data        ${dataDir}`);
    expect(first.stdout).to.contain("npm start -- --reset");
    const config = (await (await fetch(`${url}/config.json`)).json()) as Record<string, string>;
    expect(config.apiBase).to.equal("/api");
    expect((await fetch(`${url}/api/todos`)).status).to.equal(401);

    const clash = start([], { PORT: new URL(url).port });
    expect(await within(30_000, "the clashing CLI", clash.exited)).to.equal(2);
    expect(clash.stderr)
      .to.contain(`Port ${new URL(url).port}`)
      .and.contain("already in use");

    first.child.kill("SIGINT");
    expect(await within(10_000, "SIGINT", first.exited)).to.equal(0);
    expect(first.stdout).to.contain("Stopped.");
    await fetch(`${url}/config.json`).then(
      () => expect.fail("the site still answers after Ctrl-C"),
      (err: Error) => expect(err.message).to.match(/fetch failed/),
    );
    expect(existsSync(join(dataDir, "cognito"))).to.equal(true);
  });

  it("--reset without a terminal refuses unless --yes is given; with --yes it starts afresh", async function () {
    const refused = start(["--reset"]);
    expect(await within(30_000, "--reset without --yes", refused.exited)).to.equal(64);
    expect(refused.stderr).to.contain("--yes");
    expect(existsSync(join(dataDir, "cognito")), "nothing was deleted").to.equal(true);

    const before = start([]);
    const oldPool = ((await (await fetch(`${await siteUrl(before)}/config.json`)).json()) as { userPoolId: string }).userPoolId;
    before.child.kill("SIGTERM");
    expect(await within(10_000, "SIGTERM", before.exited)).to.equal(0);

    const reset = start(["--reset", "--yes"]);
    const url = await siteUrl(reset);
    expect(reset.stdout).to.contain(`Deleted ${dataDir}`);
    const newPool = ((await (await fetch(`${url}/config.json`)).json()) as { userPoolId: string }).userPoolId;
    expect(newPool).not.to.equal(oldPool);
    reset.child.kill("SIGTERM");
    expect(await within(10_000, "SIGTERM", reset.exited)).to.equal(0);
  });

  it("frees every port when `npm start` gets SIGTERM (npm, not only the node process under it)", async function () {
    const cli = start([], {}, true);
    const url = await siteUrl(cli);
    const cognito = /Cognito\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout)?.[1];
    const dynamo = /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout)?.[1];
    expect(cognito, cli.stdout).to.be.a("string");
    expect(dynamo, cli.stdout).to.be.a("string");
    expect((await fetch(`${url}/config.json`)).status).to.equal(200);

    process.kill(cli.child.pid!, "SIGTERM"); // npm's pid: what a process manager or `kill` would signal
    await within(10_000, "npm after SIGTERM", cli.exited);
    for (const endpoint of [url, cognito!, dynamo!]) {
      let free = false;
      for (let i = 0; i < 50 && !free; i++) {
        free = await fetch(endpoint, { signal: AbortSignal.timeout(1000) }).then(
          () => false,
          (err: Error) => /fetch failed/.test(err.message) && (err.cause as NodeJS.ErrnoException)?.code === "ECONNREFUSED",
        );
        if (!free) await new Promise((r) => setTimeout(r, 200));
      }
      expect(free, `${endpoint} still answers 10 s after npm got SIGTERM`).to.equal(true);
    }
  });

  it("rejects an unknown option and a bad PORT with a usage error", async function () {
    const unknown = start(["--frobnicate"]);
    const badPort = start([], { PORT: "http" });
    expect(await within(30_000, "unknown option", unknown.exited)).to.equal(64);
    expect(unknown.stderr).to.contain("Unknown option --frobnicate");
    expect(await within(30_000, "bad port", badPort.exited)).to.equal(64);
    expect(badPort.stderr).to.contain("PORT must be a port number");
  });
});
