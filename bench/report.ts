/** Renders bench results as the Markdown the README shows. */
import { ACTIVE_USER_HOUR, indexWriteUnits, type CostReport } from "./cost-model";
import { COLD_REFERENCES, type LambdaResults } from "./lambda";
import type { LoadFigure } from "./local-api";
import type { SiteFigures } from "./site";
import { siteBrowserTable, type SiteBrowserFigures } from "./site-browser";
import { BUDGET } from "../scripts/site-size";
import { wholeListTable, type WholeListFigure } from "./whole-list";
import { markdownTable, round } from "./lib/stats";

export interface BenchResults {
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; date: string; quick: boolean };
  readonly lambda: LambdaResults;
  readonly wholeList: readonly WholeListFigure[];
  readonly localApi: readonly LoadFigure[];
  readonly site: SiteFigures;
  /** Absent from runs before it existed. */
  readonly siteBrowser?: SiteBrowserFigures;
  readonly cost: CostReport;
  readonly seconds: number;
}

const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
const usd = (x: number) => `$${x.toFixed(3)}`;

/** The mix as the requests of one active user-hour, with their shares. */
export const mixText = (c: CostReport): string =>
  `an active user-hour of the web app, ${Object.entries(ACTIVE_USER_HOUR)
    .map(([route, n]) => `${route} ${n} (${round(c.mix[route] * 100, 1)}%)`)
    .join(", ")}`;

/** What that hour costs. */
export const activeHourText = (c: CostReport): string =>
  `One active user-hour of the web app: ${c.activeUserHour.requests} requests, $${c.activeUserHour.dollars.toFixed(5)} (all services above).`;

/** The bill per million requests of each route and of the mix, by service. */
export function costTable(c: CostReport): string {
  return markdownTable(
    [...c.perRoute, c.blended].map((l) => ({
      route: l.route,
      "API Gateway": usd(l.apiGateway),
      CloudFront: usd(l.cloudFront),
      Lambda: usd(l.lambda),
      DynamoDB: usd(l.dynamoDb),
      "CloudWatch Logs": usd(l.logs),
      total: usd(l.total),
      "billed ms": round(l.billedMs, 1),
    })),
  );
}

/** A figure with the previous run's beside it: "8.4 KB (136.8 KB)". */
const withPrevious = (now: string | number, before: string | number | undefined): string =>
  before === undefined ? String(now) : `${now} (${before})`;

export function renderMarkdown(r: BenchResults, previous?: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Measured ${m.date.slice(0, 10)} on ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}${m.quick ? ", quick run" : ""}; the run took ${r.seconds} s.`,
  );
  const p = previous?.lambda;
  if (previous) {
    out.push(
      `In brackets: the previous run (${previous.machine.date.slice(0, 10)}, Node ${previous.machine.node}${previous.machine.quick ? ", quick run" : ""}).`,
    );
  }

  const ref = r.lambda.defaultPackaging;
  const previousArchive = (route: string) => p?.archives.find((a) => a.route === route);
  out.push("\n**Lambda archive** (each route; reference: the same closure packaged with CallbackFunction's defaults)\n");
  out.push(
    markdownTable([
      ...r.lambda.archives.map((a) => {
        const before = previousArchive(a.route);
        return {
          archive: a.route,
          files: withPrevious(a.files, before?.files),
          "serialized code": withPrevious(kb(a.serializedCodeBytes), before && kb(before.serializedCodeBytes)),
          unzipped: withPrevious(kb(a.unzippedBytes), before && kb(before.unzippedBytes)),
          zipped: withPrevious(kb(a.zippedBytes), before && kb(before.zippedBytes)),
          packages: a.packages.join(", ") || "none",
        };
      }),
      {
        archive: "reference: CallbackFunction defaults",
        files: ref.files,
        "serialized code": kb(ref.serializedCodeBytes),
        unzipped: kb(ref.unzippedBytes),
        zipped: kb(ref.zippedBytes),
        packages: `${ref.packages.length} packages (AWS SDK v3 included)`,
      },
    ]),
  );

  out.push(
    `\n**Cold start here** (fresh Node process: load __index.js, answer the first proxy event against in-process dynalite; median of ${r.lambda.coldStart[0]?.runs ?? 0}, subjects run round-robin; CPU: the process's own CPU time, the steadier figure on a shared machine; CPU ratios: the median of each round's ratio to the reference run in the same round)\n`,
  );
  const sdkOnly = (figures: LambdaResults["coldStart"]) => figures.find((c) => c.subject === COLD_REFERENCES.sdkOnly)?.medianMs;
  const sdkGet = r.lambda.coldStart.find((c) => c.subject === COLD_REFERENCES.sdkGet)?.medianMs;
  out.push(
    markdownTable(
      r.lambda.coldStart.map((c) => {
        const before = p?.coldStart.find((b) => b.subject === c.subject);
        const ratio = (figures: LambdaResults["coldStart"], ms: number) => round(ms / (sdkOnly(figures) ?? NaN), 2);
        return {
          subject: c.subject,
          "median ms": withPrevious(c.medianMs, before?.medianMs),
          "min ms": c.minMs,
          "max ms": c.maxMs,
          "× SDK only": withPrevious(ratio(r.lambda.coldStart, c.medianMs), before && p && ratio(p.coldStart, before.medianMs)),
          "× SDK + GetItem": sdkGet ? round(c.medianMs / sdkGet, 2) : "",
          "CPU ms": c.cpuMedianMs ?? "",
          "CPU × SDK only": round(c.cpuPaired.sdkOnly, 2),
          "CPU × SDK + GetItem": round(c.cpuPaired.sdkGet, 2),
        };
      }),
    ),
  );

  out.push(
    `\n**Handler cost** (warm, per request; DynamoDB calls and capacity measured on the wire, plus the write units DynamoDB adds for the change feed's index)\n`,
  );
  out.push(
    markdownTable(
      r.lambda.handlers.map((h) => ({
        route: h.route,
        "CPU ms": withPrevious(h.cpuMsPerRequest, p?.handlers.find((b) => b.route === h.route)?.cpuMsPerRequest),
        "wall ms (dynalite)": h.wallMsPerRequest,
        "DynamoDB calls": `${h.dynamoCallsPerRequest} (${Object.entries(h.callsByOperation)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
        "RRU / WRU (+ index)": `${h.readUnitsPerRequest} / ${h.writeUnitsPerRequest} (+ ${indexWriteUnits(h.route, h.writeUnitsPerRequest)})`,
        "log bytes": h.logBytesPerRequest,
        "response bytes": h.responseBytesPerRequest,
      })),
    ),
  );

  out.push(
    "\n**Whole-list routes** (one user; requests until done, DynamoDB calls and read/write units measured on the wire, plus the index's write units DynamoDB adds; wall time in-process on dynalite; cost at list prices, Lambda time modelled as round trips × 5 ms)\n",
  );
  out.push(wholeListTable(r.wholeList));

  out.push(
    `\n**Local API** (autocannon, ${r.localApi.length ? "10 and 100 connections" : "not run"}; reference rows: the same DynamoDB operation sent straight to dynalite, and a bare Node server)\n`,
  );
  out.push(
    markdownTable(
      r.localApi.map((l) => ({
        target: l.target,
        operation: l.operation,
        connections: l.connections,
        "req/s": l.requestsPerSecond,
        "p50 ms": l.p50Ms,
        "p99 ms": l.p99Ms,
        failed: l.failed,
      })),
    ),
  );

  const s = r.site;
  const budget = `JS ≤ ${kb(BUDGET.js)}, CSS ≤ ${kb(BUDGET.css)}, service worker ≤ ${kb(BUDGET.worker)}`;
  out.push(`\n**Site** (first page and service worker, gzipped; budget ${budget})\n`);
  out.push(
    markdownTable([{ JS: kb(s.jsGzipBytes), CSS: kb(s.cssGzipBytes), HTML: kb(s.htmlGzipBytes), "service worker": kb(s.workerGzipBytes) }]),
  );
  if (s.lighthouse) {
    const pages = new Map<string, Record<string, string | number>>();
    for (const [key, score] of Object.entries(s.lighthouse)) {
      const [page, category] = [key.slice(0, key.lastIndexOf(" ")), key.slice(key.lastIndexOf(" ") + 1)];
      pages.set(page, { ...(pages.get(page) ?? { "Lighthouse (mobile preset)": page }), [category]: score });
    }
    out.push("");
    out.push(markdownTable([...pages.values()]));
  }

  if (r.siteBrowser) {
    const b = r.siteBrowser;
    out.push(
      `\n**Site in Chromium** (${b.size} to-dos, CPU slowed ${b.cpuSlowdown}×, ${b.viewport} screen; median and worst of the runs)\n`,
    );
    out.push(siteBrowserTable(b));
  }

  const c = r.cost;
  out.push(
    `\n**Cost** per million API requests (${c.prices.region} list prices checked ${c.prices.checked}; ${c.stack.lambdaMemoryMb} MB arm64; mix: ${mixText(c)})\n`,
  );
  out.push(costTable(c));
  out.push(`\nWhat dominates: ${c.dominant.map((d) => `${d.service} ${Math.round(d.share * 100)}%`).join(", ")}.`);
  out.push(`${activeHourText(c)}`);
  return `${out.join("\n")}\n`;
}
