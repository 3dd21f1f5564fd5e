/**
 * A stack as the engine would receive it, without an AWS account: index.ts runs under the Pulumi
 * mocks (dev/pulumi-mocks.ts) with a stack file's config, and every registration is written out
 * with its inputs, options and dependencies. The deploy rehearsal (dev/deploy-rules.ts) checks
 * AWS's create-time rules on it.
 *
 * Resource names are global to a process, so each stack runs in a process of its own:
 * `snapshotStack("Pulumi.prod.yaml", { domainName: "…" })` spawns
 * `node -r ts-node/register dev/snapshot.ts <stack file> <out file> [key=value …]`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ROOT, recorded, runProgram, stackConfig, type Recorded, type StackOutputs } from "./pulumi-mocks";

export interface Snapshot {
  readonly stackFile: string;
  /** The config the program ran with (stack file, then overrides). */
  readonly config: Record<string, string>;
  readonly outputs: StackOutputs;
  readonly resources: Recorded[];
}

/** Assets and archives are written as a marker: the rules read no file contents. */
function plain(_key: string, value: unknown): unknown {
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return "[asset]";
  return value;
}

const taken = new Map<string, Promise<Snapshot>>();

/**
 * Runs a stack in a child process; rejects with the program's own error when it refuses the
 * config. Once per stack and overrides in a process: the program is the same all along (the
 * rehearsal and the idle cost read the same snapshots).
 */
export function snapshotStack(stackFile: string, overrides: Readonly<Record<string, string>> = {}): Promise<Snapshot> {
  const key = JSON.stringify([stackFile, overrides]);
  if (!taken.has(key)) taken.set(key, takeSnapshot(stackFile, overrides));
  return taken.get(key) as Promise<Snapshot>;
}

async function takeSnapshot(stackFile: string, overrides: Readonly<Record<string, string>>): Promise<Snapshot> {
  const dir = mkdtempSync(join(tmpdir(), "tasklane-snapshot-"));
  const out = join(dir, "snapshot.json");
  try {
    const args = ["-r", "ts-node/register", join(__dirname, "snapshot.ts"), stackFile, out];
    for (const [key, value] of Object.entries(overrides)) args.push(`${key}=${value}`);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) {
      const message = /^PROGRAM FAILED: (.*)$/m.exec(stderr)?.[1] ?? stderr.slice(-2000);
      throw new Error(message);
    }
    return JSON.parse(readFileSync(out, "utf8")) as Snapshot;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(stackFile: string, out: string, pairs: string[]): Promise<void> {
  const overrides = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  let outputs: StackOutputs;
  try {
    outputs = await runProgram(stackFile, overrides);
  } catch (err) {
    process.stderr.write(`PROGRAM FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(3);
  }
  const snapshot: Snapshot = { stackFile, config: stackConfig(stackFile, overrides), outputs, resources: recorded };
  writeFileSync(out, JSON.stringify(snapshot, plain));
  // The mocked runtime keeps handles open; the snapshot is complete.
  process.exit(0);
}

if (require.main === module) {
  const [stackFile, out, ...pairs] = process.argv.slice(2);
  if (!stackFile || !out) {
    process.stderr.write("usage: snapshot.ts <stack file> <out file> [key=value …]\n");
    process.exit(2);
  }
  void main(stackFile, out, pairs);
}
