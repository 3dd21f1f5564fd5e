/**
 * What a stack file's stack costs when nobody uses it, from the program itself:
 * `npx ts-node --transpile-only bench/idle-cost.ts prod` runs index.ts under the Pulumi mocks with
 * Pulumi.prod.yaml's config (dev/snapshot.ts, in a process of its own) and prints
 * `fixedMonthlyCost` of what it registers, as JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type SettingName } from "../components/settings";
import { snapshotStack } from "../dev/snapshot";
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

/** `stack`'s fixed monthly cost: the program runs under the mocks in a process of its own (dev/snapshot.ts). */
export async function idleCost(stack: string): Promise<FixedCost> {
  return fixedMonthlyCost((await snapshotStack(`Pulumi.${stack}.yaml`)).resources);
}

if (require.main === module) {
  idleCost(process.argv[2] ?? "dev").then(
    (cost) => {
      console.log(JSON.stringify(cost));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
