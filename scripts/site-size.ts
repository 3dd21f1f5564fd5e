/**
 * The site's weight budget: builds the site and measures, gzipped, every script and stylesheet
 * the first page loads (index.html's <script src> and <link rel=stylesheet>, plus the modules
 * those scripts import statically, plus the first screen's own chunk: see SCREENS), and the
 * service worker on its own. Prints a table; exits
 * non-zero when over budget.
 *
 *   npm run site:size            build into a temp folder and measure
 *   npm run site:size -- <dir>   measure an already built site
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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
  /** First-page JS of the heavier first screen (index.html's scripts plus that screen's chunk). */
  readonly js: number;
  /** First-page JS with each screen (SCREENS) that the build has. */
  readonly screens: Readonly<Record<string, number>>;
  readonly css: number;
  /** The service worker, gzipped (0 when the site has none). */
  readonly worker: number;
  readonly overBudget: readonly string[];
}

const gzipSize = (body: Buffer): number => gzipSync(body, { level: 9 }).length;

/**
 * The modules main.ts loads as a first screen's code, with import(): the list (a stored session)
 * or the sign-in forms. A first page is index.html's scripts plus ONE of them, so the budget
 * holds for the heavier of the two (`js`), and each is reported (`screens`).
 */
export const SCREENS = ["list-screen", "auth-view"] as const;

/** Measures what index.html in `outDir` loads first, for each first screen. */
export function measureSite(outDir: string): SiteSize {
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  const styles = [
    ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="stylesheet"/g),
  ].map((m) => m[1] ?? m[2]);
  const sizes = new Map<string, AssetSize>();
  /** The files `urls` load, themselves included, with what they import statically (esbuild's shared chunks). */
  const graph = (urls: readonly string[], kind: AssetSize["kind"], seen = new Set<string>()): Set<string> => {
    for (const url of urls) {
      const path = posix.normalize(url.replace(/^\//, ""));
      if (seen.has(path) || seen.size > 100) continue;
      seen.add(path);
      const body = readFileSync(join(outDir, path));
      if (!sizes.has(path)) sizes.set(path, { path, kind, bytes: body.length, gzipBytes: gzipSize(body) });
      // Static imports load with the page; dynamic import() does not (a screen is added below).
      if (kind === "js")
        graph(
          [...body.toString("utf8").matchAll(/(?:^|[;}\s])import\s*(?:[\w{}\s,*$]+from\s*)?["']([^"']+)["']/g)].map((m) =>
            posix.join(posix.dirname(`/${path}`), m[1]),
          ),
          kind,
          seen,
        );
    }
    return seen;
  };
  const page = graph(scripts, "js");
  const built = existsSync(join(outDir, "assets")) ? readdirSync(join(outDir, "assets")) : [];
  const screens = Object.fromEntries(
    SCREENS.flatMap((name) => {
      const file = built.find((f) => f.startsWith(`${name}-`) && f.endsWith(".js"));
      return file ? [[name, graph([`/assets/${file}`], "js", new Set(page))]] : [];
    }),
  ) as Record<string, Set<string>>;
  graph(styles, "css");
  if (existsSync(join(outDir, SERVICE_WORKER.path))) graph([SERVICE_WORKER.path], "worker");
  const gz = (paths: Iterable<string>) => [...paths].reduce((n, p) => n + (sizes.get(p)?.gzipBytes ?? 0), 0);
  const assets = [...sizes.values()];
  const byScreen = Object.fromEntries(Object.entries(screens).map(([name, paths]) => [name, gz(paths)]));
  const js = Math.max(gz(page), ...Object.values(byScreen));
  const total = (kind: AssetSize["kind"]) => assets.filter((a) => a.kind === kind).reduce((n, a) => n + a.gzipBytes, 0);
  const css = total("css");
  const worker = total("worker");
  const overBudget = [
    ...(worker > BUDGET.worker ? [`Service worker ${worker} B gzipped > ${BUDGET.worker} B`] : []),
    ...(js > BUDGET.js ? [`JavaScript ${js} B gzipped > ${BUDGET.js} B`] : []),
    ...(css > BUDGET.css ? [`CSS ${css} B gzipped > ${BUDGET.css} B`] : []),
  ];
  if (scripts.length === 0 || styles.length === 0) throw new Error("index.html loads no script or no stylesheet: is this the built site?");
  return { assets, js, css, worker, screens: byScreen, overBudget };
}

export function report(size: SiteSize): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    ...size.assets.map((a) => `${a.path.padEnd(36)} ${kb(a.bytes).padStart(9)}  ${kb(a.gzipBytes).padStart(8)} gzipped`),
    ...Object.entries(size.screens).map(([name, n]) => `JavaScript, first page with ${name}: ${kb(n)} gzipped`),
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
