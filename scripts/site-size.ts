/**
 * The site's weight budget: builds the site and measures, gzipped, every script and stylesheet
 * the first page loads (index.html's <script src> and <link rel=stylesheet>, plus the modules
 * those scripts import statically), and the service worker on its own. Prints a table; exits
 * non-zero when over budget.
 *
 *   npm run site:size            build into a temp folder and measure
 *   npm run site:size -- <dir>   measure an already built site
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { SERVICE_WORKER } from "../common/hosting";
import { buildSite } from "../site/build";

export const BUDGET = { js: 20 * 1024, css: 8 * 1024, worker: 8 * 1024 } as const;

export interface AssetSize {
  readonly path: string;
  readonly kind: "js" | "css" | "worker";
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface SiteSize {
  readonly assets: readonly AssetSize[];
  readonly js: number;
  readonly css: number;
  /** The service worker, gzipped (0 when the site has none). */
  readonly worker: number;
  readonly overBudget: readonly string[];
}

const gzipSize = (body: Buffer): number => gzipSync(body, { level: 9 }).length;

/** Measures what index.html in `outDir` loads first. */
export function measureSite(outDir: string): SiteSize {
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  const styles = [
    ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="stylesheet"/g),
  ].map((m) => m[1] ?? m[2]);
  const assets: AssetSize[] = [];
  const seen = new Set<string>();
  const add = (url: string, kind: AssetSize["kind"]) => {
    const path = posix.normalize(url.replace(/^\//, ""));
    if (seen.has(path) || seen.size > 100) return;
    seen.add(path);
    const body = readFileSync(join(outDir, path));
    assets.push({ path, kind, bytes: body.length, gzipBytes: gzipSize(body) });
    if (kind === "js") {
      // Static imports (esbuild's shared chunks) load with the page; dynamic import() does not.
      for (const m of body.toString("utf8").matchAll(/(?:^|[;}\s])import\s*(?:[\w{}\s,*$]+from\s*)?["']([^"']+)["']/g)) {
        add(posix.join(posix.dirname(`/${path}`), m[1]), "js");
      }
    }
  };
  scripts.forEach((s) => add(s, "js"));
  styles.forEach((s) => add(s, "css"));
  if (existsSync(join(outDir, SERVICE_WORKER.path))) add(SERVICE_WORKER.path, "worker");
  const total = (kind: AssetSize["kind"]) => assets.filter((a) => a.kind === kind).reduce((n, a) => n + a.gzipBytes, 0);
  const js = total("js");
  const css = total("css");
  const worker = total("worker");
  const overBudget = [
    ...(worker > BUDGET.worker ? [`Service worker ${worker} B gzipped > ${BUDGET.worker} B`] : []),
    ...(js > BUDGET.js ? [`JavaScript ${js} B gzipped > ${BUDGET.js} B`] : []),
    ...(css > BUDGET.css ? [`CSS ${css} B gzipped > ${BUDGET.css} B`] : []),
  ];
  if (scripts.length === 0 || styles.length === 0) throw new Error("index.html loads no script or no stylesheet: is this the built site?");
  return { assets, js, css, worker, overBudget };
}

export function report(size: SiteSize): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    ...size.assets.map((a) => `${a.path.padEnd(36)} ${kb(a.bytes).padStart(9)}  ${kb(a.gzipBytes).padStart(8)} gzipped`),
    `JavaScript, first page: ${kb(size.js)} gzipped (budget ${kb(BUDGET.js)})`,
    `CSS, first page:        ${kb(size.css)} gzipped (budget ${kb(BUDGET.css)})`,
    `Service worker:         ${kb(size.worker)} gzipped (budget ${kb(BUDGET.worker)})`,
  ].join("\n");
}

async function main(): Promise<void> {
  const given = process.argv[2];
  const outDir = given ?? mkdtempSync(join(tmpdir(), "tasklane-site-"));
  try {
    if (!given) await buildSite(outDir);
    const size = measureSite(outDir);
    console.log(report(size));
    if (size.overBudget.length) {
      console.error(`Over budget: ${size.overBudget.join("; ")}`);
      process.exitCode = 1;
    }
  } finally {
    if (!given) rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
