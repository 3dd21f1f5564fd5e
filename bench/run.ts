/**
 * `npm run bench`: measures size, speed and cost side by side in one run, each figure next to a
 * reference measured in the same run, and writes bench/results.json and bench/results.md.
 * Numbers, not verdicts: nothing here passes or fails on a busy machine.
 *
 * BENCH_QUICK=1 shortens every section (3 cold runs, 2 s loads) for a smoke run.
 */
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchLambda } from "./lambda";
import { benchLocalApi } from "./local-api";
import { benchSite } from "./site";
import { benchWholeList } from "./whole-list";
import { accessLogBytesPerRequest } from "./access-log";
import { costReport } from "./cost-model";
import { renderMarkdown } from "./report";

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === "1";
  const started = new Date();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: started.toISOString(),
    quick,
  };
  console.error(`tasklane bench on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}${quick ? " (quick)" : ""}`);

  console.error("Lambda: archives, cold start, handler cost…");
  const lambda = await benchLambda({ coldRuns: quick ? 3 : 20, warmRequests: quick ? 50 : 200 });
  console.error("Whole-list routes for one user with 100 / 1,000 / 10,000 to-dos…");
  const wholeList = await benchWholeList({ sizes: quick ? [100, 1000] : [100, 1000, 10_000], lambdaMemoryMb: lambda.lambdaMemoryMb });
  console.error("Local API under autocannon…");
  const localApi = await benchLocalApi({ durationSeconds: quick ? 2 : 10, connections: [10, 100] });
  console.error("Site: bytes and Lighthouse…");
  const site = await benchSite({ lighthouse: process.env.BENCH_LIGHTHOUSE !== "0" });
  const cost = costReport(lambda.handlers, { lambdaMemoryMb: lambda.lambdaMemoryMb, accessLogBytesPerRequest: accessLogBytesPerRequest() });

  const results = { machine, lambda, wholeList, localApi, site, cost, seconds: Math.round((Date.now() - started.getTime()) / 1000) };
  const dir = join(__dirname);
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(join(dir, "results.md"), markdown);
  console.log(markdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
