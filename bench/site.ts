/**
 * Site figures: gzipped bytes of what the first page loads (scripts/site-size.ts, on the same
 * build deployment uses), and Lighthouse scores of the signed-out and signed-in screens against
 * the local stack (scripts/lighthouse.ts, run as its own process).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSite } from "../site/build";
import { measureSite } from "../scripts/site-size";

export interface SiteFigures {
  readonly jsGzipBytes: number;
  readonly cssGzipBytes: number;
  readonly htmlGzipBytes: number;
  /** The service worker (/sw.js), loaded apart from the first page. */
  readonly workerGzipBytes: number;
  readonly files: readonly { path: string; gzipBytes: number }[];
  /** "<page> <category>" → score (0–100). */
  readonly lighthouse?: Record<string, number>;
}

export async function benchSite(options: { lighthouse: boolean }): Promise<SiteFigures> {
  const outDir = join(__dirname, ".tmp", "site");
  await buildSite(outDir);
  const size = measureSite(outDir);
  const htmlGzipBytes = gzipSync(readFileSync(join(outDir, "index.html")), { level: 9 }).length;
  let lighthouse: Record<string, number> | undefined;
  if (options.lighthouse) {
    const outFile = join(__dirname, ".tmp", "lighthouse.json");
    const run = spawnSync("npm", ["run", "--silent", "lighthouse", "--", outFile], {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 300_000,
    });
    if (run.status === 0) {
      const report = JSON.parse(readFileSync(outFile, "utf8")) as { pages: { name: string; scores: Record<string, number> }[] };
      lighthouse = {};
      for (const page of report.pages) {
        for (const [category, score] of Object.entries(page.scores)) lighthouse[`${page.name} ${category}`] = score;
      }
    } else {
      console.error(`  Lighthouse did not run (exit ${run.status}); the site figures go without it.`);
    }
  }
  return {
    jsGzipBytes: size.js,
    cssGzipBytes: size.css,
    htmlGzipBytes,
    workerGzipBytes: size.worker,
    files: size.assets.map((a) => ({ path: a.path, gzipBytes: a.gzipBytes })),
    ...(lighthouse && { lighthouse }),
  };
}
