/**
 * PLACEHOLDER until the web-app issue lands: builds site/ into an output folder.
 * Contract: `buildSite(outDir)` empties outDir, writes index.html plus hashed assets, and
 * returns the file list. The StaticSite component and the local stack both call it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BuiltFile {
  /** Path relative to outDir, with forward slashes. */
  readonly path: string;
  readonly contentType: string;
  /** Cache-Control to serve it with. */
  readonly cacheControl: string;
}

/** Hashed assets never change under their name: cache them for a year. */
export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html and config.json: always revalidate, so a deploy shows at once. */
export const CACHE_REVALIDATE = "no-cache";

/** Shape of /config.json, written by StaticSite on AWS and served by the local stack. */
export interface SiteConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly apiBase: "/api";
  /** Only where Cognito is not AWS's (the local stack): the user-pool API's base URL. */
  readonly cognitoEndpoint?: string;
}

export interface BuildResult {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
}

export async function buildSite(outDir: string): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "index.html"), "<!doctype html><title>tasklane</title><h1>tasklane</h1>\n");
  return { outDir, files: [{ path: "index.html", contentType: "text/html; charset=utf-8", cacheControl: CACHE_REVALIDATE }] };
}

if (require.main === module) {
  buildSite(process.argv[2] ?? "dist/site").then((r) => console.log(`built ${r.files.length} files into ${r.outDir}`));
}
