/**
 * `npm run cost`: the AWS bill per million API requests for the configured stack (memory from
 * the Pulumi program), from the handler figures of the last `npm run bench` (bench/results.json),
 * or measured now when there are none.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { accessLogBytesPerRequest } from "./access-log";
import { costReport } from "./cost-model";
import { benchLambda, type LambdaResults } from "./lambda";
import { costTable } from "./report";

async function main(): Promise<void> {
  const file = join(__dirname, "results.json");
  let lambda: LambdaResults;
  if (existsSync(file)) {
    lambda = JSON.parse(readFileSync(file, "utf8")).lambda;
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
  console.log(
    `\nMix: ${Object.entries(c.mix)
      .map(([k, v]) => `${k} ${v * 100}%`)
      .join(", ")}.`,
  );
  console.log(`What dominates: ${c.dominant.map((d) => `${d.service} ${Math.round(d.share * 100)}%`).join(", ")}.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
