/**
 * `npm run cost`: the AWS bill per million API requests for the configured stack (memory from
 * the Pulumi program), from the handler figures of the last `npm run bench` (bench/results.json),
 * or measured now when there are none; then what the dev and prod stacks cost when nobody uses
 * them (each run under the Pulumi mocks, bench/idle-cost.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS } from "../components/settings";
import { accessLogBytesPerRequest } from "./access-log";
import { costReport, extrasReport, type OptionalParts } from "./cost-model";
import { idleCostTable } from "./idle-cost";
import { benchLambda, type LambdaResults } from "./lambda";
import { activeHourText, costTable, mixText } from "./report";
import { markdownTable } from "./lib/stats";

async function main(): Promise<void> {
  const file = join(__dirname, "results.json");
  let lambda: LambdaResults;
  if (existsSync(file)) {
    lambda = (JSON.parse(readFileSync(file, "utf8")) as { lambda: LambdaResults }).lambda;
    console.error(`Using the handler figures of ${file}.`);
  } else {
    console.error("No bench/results.json: measuring handler cost now…");
    lambda = await benchLambda({ coldRuns: 1, warmRequests: 200 });
  }
  const c = costReport(lambda.handlers, { lambdaMemoryMb: lambda.lambdaMemoryMb, accessLogBytesPerRequest: accessLogBytesPerRequest() });
  console.log(
    `AWS bill per million API requests: ${c.prices.region}, list prices checked ${c.prices.checked}, Lambda ${c.stack.lambdaMemoryMb} MB arm64.\n`,
  );
  console.log(costTable(c));
  console.log(`\nMix: ${mixText(c)}.`);
  console.log(`What dominates: ${c.dominant.map((d) => `${d.service} ${Math.round(d.share * 100)}%`).join(", ")}.`);
  console.log(activeHourText(c));

  const defaults: OptionalParts = {
    wafRateLimit: SETTINGS.wafRateLimit.default,
    domainName: SETTINGS.domainName.default,
    sesIdentityArn: SETTINGS.sesIdentityArn.default,
    monthlyBudgetUsd: SETTINGS.monthlyBudgetUsd.default,
  };
  const devStack = stackSettings("Pulumi.dev.yaml", defaults);
  const dev = new Map(extrasReport(devStack).map((l) => [l.part, l.on]));
  console.log(
    "\nWhat the production parts add (not in the table above), on or off with a stack's defaults (Pulumi.yaml) and in the dev stack:\n",
  );
  console.log(
    markdownTable(
      extrasReport(defaults).map((l) => ({
        part: l.part,
        setting: l.setting,
        default: l.on ? "on" : "off",
        "dev stack": dev.get(l.part) ? "on" : "off",
        "per month": `$${l.monthly.toFixed(2)}`,
        "per million API requests": `$${l.perMillion.toFixed(2)}`,
        note: l.note,
      })),
    ),
  );

  console.error("\nRunning the dev and prod stacks under the Pulumi mocks (about half a minute)…");
  const idle = await idleCostTable();
  console.log("\nWhat a stack costs when nobody uses it (README, the same table):\n");
  console.log(idle.table);
}

/** The optional parts as a stack file sets them (its keys over the defaults). */
function stackSettings(file: string, defaults: OptionalParts): OptionalParts {
  // js-yaml comes with @pulumi/pulumi; it has no types here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { load } = require("js-yaml") as { load: (text: string) => unknown };
  const { config } = load(readFileSync(join(__dirname, "..", file), "utf8")) as { config: Record<string, unknown> };
  const value = <K extends keyof OptionalParts>(key: K): OptionalParts[K] =>
    (config[`tasklane:${key}`] as OptionalParts[K]) ?? defaults[key];
  return {
    wafRateLimit: value("wafRateLimit"),
    domainName: value("domainName"),
    sesIdentityArn: value("sesIdentityArn"),
    monthlyBudgetUsd: value("monthlyBudgetUsd"),
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
