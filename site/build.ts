/**
 * Builds site/ into an output folder: esbuild bundles and minifies site/src/main.ts and
 * site/styles.css into content-hashed files under assets/ (with the chunks main.ts loads on
 * demand), and index.html is written with
 * their names (and the API's title limit as the new-to-do field's maxlength). Then the service
 * worker (site/src/sw.ts) is bundled to /sw.js with the app shell's file list and its hash
 * built in. Hashed files are cached for a year; index.html, sw.js, favicon.svg and robots.txt
 * revalidate. The StaticSite component uploads `files` with their content type and
 * Cache-Control; the local stack serves the same folder.
 *
 * Contract: `buildSite(outDir)` empties outDir, writes index.html plus hashed assets, and
 * returns the file list.
 */
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { PASSWORD_POLICY } from "../common/auth-policy";
import { TITLE_MAX_LENGTH } from "../handlers/schemas";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, contentTypeOf, SERVICE_WORKER, type BuiltFile } from "../common/hosting";
import { ICON_SIZES, iconFile, iconPng, MANIFEST_FILE, manifest, THEME_COLOR } from "./install";

export interface BuildResult {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
}

const SOURCE_DIR = __dirname;

/** Files copied as they are, under stable names (so they revalidate rather than cache for a year). */
const STATIC_FILES = ["favicon.svg", "robots.txt"];
const WORKER_FILE = SERVICE_WORKER.path.slice(1);

export async function buildSite(outDir: string): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    absWorkingDir: SOURCE_DIR,
    entryPoints: { main: join(SOURCE_DIR, "src/main.ts"), styles: join(SOURCE_DIR, "styles.css") },
    outdir: join(outDir, "assets"),
    entryNames: "[name]-[hash]",
    // What the first paint does not need (the share dialog, the conflict view, "Your account")
    // is imported with import() and becomes a chunk of its own, fetched on first use; code those
    // chunks share with the page goes in a chunk the page imports. Same-origin files: the CSP's
    // script-src 'self' allows them, and the service worker's shell lists every one (offline).
    splitting: true,
    chunkNames: "[name]-[hash]", // code shared between chunks: "chunk-…"; a module loaded with import(): its own name
    bundle: true,
    minify: true,
    format: "esm",
    // Browsers with ES modules, crypto.randomUUID and :focus-visible (2021 onwards).
    target: ["chrome92", "firefox95", "safari15.4", "edge92"],
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    logLevel: "silent",
  });

  const outputs = Object.entries(result.metafile.outputs).map(([path, meta]) => ({
    path: relative(outDir, join(SOURCE_DIR, path)).split("\\").join("/"),
    entry: meta.entryPoint,
  }));
  // Each module loaded with import() is an entry point to esbuild too: find the page's by its source.
  const assetFor = (ext: string) => {
    const hit = outputs.find((o) => o.entry && /^src\/main\.ts$|^styles\.css$/.test(o.entry) && o.path.endsWith(ext));
    if (!hit) throw new Error(`esbuild produced no ${ext} entry`);
    return `/${hit.path}`;
  };

  const template = readFileSync(join(SOURCE_DIR, "index.html"), "utf8");
  const html = template
    .replace("{{js}}", assetFor(".js"))
    .replace("{{css}}", assetFor(".css"))
    // The API's limit (handlers/schemas.ts), so the form and the API never disagree.
    .replace("{{titleMaxLength}}", String(TITLE_MAX_LENGTH))
    // The password rule AuthPool and the local Cognito enforce (components/auth-policy.ts).
    .replaceAll("{{passwordMinLength}}", String(PASSWORD_POLICY.minimumLength))
    .replace("{{themeColor}}", THEME_COLOR);
  if (/\{\{\w+\}\}/.test(html)) throw new Error("index.html has a placeholder the build does not fill");
  writeFileSync(join(outDir, "index.html"), html);
  for (const name of STATIC_FILES) writeFileSync(join(outDir, name), readFileSync(join(SOURCE_DIR, name)));
  // What makes the app installable (site/install.ts): its manifest and icons, made here.
  writeFileSync(join(outDir, MANIFEST_FILE), JSON.stringify(manifest()));
  for (const size of ICON_SIZES) writeFileSync(join(outDir, iconFile(size)), iconPng(size));
  const installFiles = [MANIFEST_FILE, ...ICON_SIZES.map(iconFile)];

  // The shell the service worker keeps: everything the first page needs, by its hashed name.
  const shell = ["/index.html", "/favicon.svg", ...outputs.map((o) => `/${o.path}`)];
  const version = createHash("sha256").update(html).update(shell.join("\n")).digest("hex").slice(0, 12);
  await build({
    absWorkingDir: SOURCE_DIR,
    entryPoints: [join(SOURCE_DIR, "src/sw.ts")],
    outfile: join(outDir, WORKER_FILE),
    bundle: true,
    minify: true,
    format: "iife",
    target: ["chrome92", "firefox95", "safari15.4", "edge92"],
    legalComments: "none",
    define: { SHELL: JSON.stringify(shell), VERSION: JSON.stringify(version) },
    logLevel: "silent",
  });

  const files: BuiltFile[] = [
    { path: "index.html", contentType: contentTypeOf("index.html"), cacheControl: CACHE_REVALIDATE },
    // Never cached by the browser: each visit sees a new deploy's worker at once.
    { path: WORKER_FILE, contentType: contentTypeOf(WORKER_FILE), cacheControl: CACHE_REVALIDATE },
    ...[...STATIC_FILES, ...installFiles].map((path) => ({ path, contentType: contentTypeOf(path), cacheControl: CACHE_REVALIDATE })),
    ...outputs.map(({ path }) => ({ path, contentType: contentTypeOf(path), cacheControl: CACHE_IMMUTABLE })),
  ];
  return { outDir, files };
}

if (require.main === module) {
  const outDir = process.argv[2] ?? "dist/site";
  mkdirSync(dirname(outDir), { recursive: true });
  buildSite(outDir).then(
    (r) => console.log(`built ${r.files.length} files into ${r.outDir}: ${r.files.map((f) => f.path).join(", ")}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
