/**
 * Site figures: gzipped bytes of what the first page loads (its HTML, and the scripts and
 * stylesheets it references), from the same build deployment uses; and Lighthouse scores
 * against the local stack (scripts/lighthouse.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSite } from "../site/build";

export interface SiteFigures {
  readonly jsGzipBytes: number;
  readonly cssGzipBytes: number;
  readonly htmlGzipBytes: number;
  readonly files: readonly { path: string; gzipBytes: number }[];
  readonly lighthouse?: Record<string, number>;
}

const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;

export async function benchSite(options: { lighthouse: boolean }): Promise<SiteFigures> {
  const outDir = join(__dirname, ".tmp", "site");
  await buildSite(outDir);
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="\/?([^"]+)"/g)].map((m) => m[1]).filter((p) => /\.(js|css)$/.test(p));
  const files = refs.map((path) => ({ path, gzipBytes: gz(join(outDir, path)) }));
  const sum = (ext: string) => files.filter((f) => f.path.endsWith(ext)).reduce((s, f) => s + f.gzipBytes, 0);
  let lighthouse: Record<string, number> | undefined;
  if (options.lighthouse) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runLighthouse } = require("../scripts/lighthouse") as { runLighthouse(): Promise<Record<string, number>> };
    lighthouse = await runLighthouse();
  }
  return { jsGzipBytes: sum(".js"), cssGzipBytes: sum(".css"), htmlGzipBytes: gz(join(outDir, "index.html")), files, ...(lighthouse && { lighthouse }) };
}
