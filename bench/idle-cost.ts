/**
 * What a stack file's stack costs when nobody uses it, from the program itself:
 * `npx ts-node --transpile-only bench/idle-cost.ts prod` runs index.ts under the Pulumi mocks with
 * Pulumi.prod.yaml's config and prints `fixedMonthlyCost` of what it registers, as JSON. One stack
 * a process (the mocks and resource names are global); `idleCost()` runs it in a child process.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type SettingName } from "../components/settings";
import { fixedCostTable, fixedMonthlyCost, type FixedCost } from "./fixed-cost";

const ROOT = join(__dirname, "..");

/** Every setting's default (SETTINGS). */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(SETTINGS).map(([name, spec]) => [name, spec.default]),
);

/** A stack file's settings: its `tasklane:` keys over the defaults, as readSettings() reads them. */
export function stackFileSettings(stack: string): Record<string, unknown> {
  // js-yaml comes with @pulumi/pulumi; it has no types here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { load } = require("js-yaml") as { load: (text: string) => unknown };
  const { config } = load(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(
    (Object.keys(SETTINGS) as SettingName[]).map((name) => [name, config[`tasklane:${name}`] ?? SETTING_DEFAULTS[name]]),
  );
}

/** The README's table for the example stacks (dev, then prod), each run under the mocks in a child process. */
export async function idleCostTable(): Promise<{ table: string; totals: Record<string, number> }> {
  const stacks = [];
  for (const name of ["dev", "prod"]) stacks.push({ name, settings: stackFileSettings(name), cost: await idleCost(name) });
  return {
    table: fixedCostTable(SETTING_DEFAULTS, stacks),
    totals: Object.fromEntries(stacks.map((s) => [s.name, s.cost.totalUsd])),
  };
}

/** Runs this file for `stack` in a child process and returns what it printed. */
export function idleCost(stack: string): Promise<FixedCost> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register", join(__dirname, "idle-cost.ts"), stack],
      { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`idle-cost ${stack} failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as FixedCost);
      },
    );
  });
}

async function main(stack: string): Promise<void> {
  process.env.TASKLANE_STACK = stack;
  // Imported here, not at the top: importing the mocks sets them for the whole process.
  const { programResources, runProgram } = await import("../dev/pulumi-mocks");
  await runProgram();
  console.log(JSON.stringify(fixedMonthlyCost(programResources())));
}

if (require.main === module) {
  main(process.argv[2] ?? "dev").then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
