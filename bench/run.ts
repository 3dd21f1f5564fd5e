/**
 * `npm run bench`: measures size, speed and cost side by side in one run, each figure next to a
 * reference measured in the same run, and writes bench/results.json and bench/results.md.
 * Numbers, not verdicts: nothing here passes or fails on a busy machine.
 *
 * BENCH_QUICK=1 shortens every section (3 cold runs, 2 s loads) for a smoke run.
 */
import { cpus, totalmem } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchLambda } from "./lambda";
import { benchLocalApi } from "./local-api";
import { benchSite } from "./site";
import { benchSiteBrowser } from "./site-browser";
import { benchRealtime, realtimeMarkdown } from "./realtime";
import { benchWholeList } from "./whole-list";
import { accessLogBytesPerRequest } from "./access-log";
import { costReport } from "./cost-model";
import { renderMarkdown, type BenchResults } from "./report";

/** The Lambda runtime the functions deploy to (components/todo-api.ts): the figures are taken on it. */
const LAMBDA_NODE_MAJOR = 24;

async function main(): Promise<void> {
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== LAMBDA_NODE_MAJOR && process.env.BENCH_ANY_NODE !== "1") {
    console.error(
      `The bench runs on Node ${LAMBDA_NODE_MAJOR}, the functions' runtime; this is Node ${process.version}.\n` +
        `Put a Node ${LAMBDA_NODE_MAJOR} first on PATH (e.g. PATH=/tmp/node24/package/bin:$PATH npm run bench), or set BENCH_ANY_NODE=1.`,
    );
    process.exit(2);
  }
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
  console.error("Site in Chromium: 10,000 to-dos, CPU slowed 4×…");
  const siteBrowser = await benchSiteBrowser({ size: 10_000, runs: quick ? 1 : 3 });
  console.error("Real time: device to device, an idle tab…");
  const realtime = await benchRealtime({ changes: quick ? 10 : 50 });
  const cost = costReport(lambda.handlers, { lambdaMemoryMb: lambda.lambdaMemoryMb, accessLogBytesPerRequest: accessLogBytesPerRequest() });

  const results = {
    machine,
    lambda,
    wholeList,
    localApi,
    site,
    siteBrowser,
    realtime,
    cost,
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
  };
  const dir = join(__dirname);
  // The run before this one, printed beside the new figures.
  const previousFile = join(dir, "results.json");
  const previous = existsSync(previousFile) ? (JSON.parse(readFileSync(previousFile, "utf8")) as BenchResults) : undefined;
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = `${renderMarkdown(results, previous)}\n\n### Real time\n\n${realtimeMarkdown(realtime, cost)}\n`;
  writeFileSync(join(dir, "results.md"), markdown);
  console.log(markdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
