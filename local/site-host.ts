/**
 * The local stand-in for CloudFront in front of the site bucket: serves the built files with
 * the Cache-Control the build chose, the security headers of site/security-headers.ts, ETag
 * revalidation, gzip/brotli for text, a generated /config.json, and the SPA fallback (a path
 * that names no file gets /index.html with 200, like StaticSite's error responses).
 * Only files the build listed (or found under the site folder at start) are served: a request
 * path is a key into that table, never a path on disk.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, type BuiltFile, type SiteConfig } from "../site/build";

export interface SiteHostOptions {
  readonly siteDir: string;
  /** The build's file list; when absent, the folder is listed and types are guessed from names. */
  readonly files?: readonly BuiltFile[];
  readonly config: SiteConfig;
  /** Added to every response (securityHeaders()). */
  readonly headers: Readonly<Record<string, string>>;
}

interface Entry {
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly br?: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};
/** esbuild's `[name]-[hash]` (8 base32 characters) or `[name].[hash]`. */
const HASHED_NAME = /[.-][A-Z0-9]{8,}\.[a-z0-9]+$/i;
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg\+xml)/;

function listFiles(dir: string): BuiltFile[] {
  const out: BuiltFile[] = [];
  const walk = (folder: string, depth: number) => {
    if (depth > 20) return;
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full, depth + 1);
      else {
        const path = relative(dir, full).split(sep).join("/");
        out.push({
          path,
          contentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream",
          cacheControl: HASHED_NAME.test(name) && !name.endsWith(".html") ? CACHE_IMMUTABLE : CACHE_REVALIDATE,
        });
      }
    }
  };
  walk(dir, 0);
  return out;
}

function entry(body: Buffer, contentType: string, cacheControl: string): Entry {
  const compress = COMPRESSIBLE.test(contentType) && body.length > 256;
  return {
    body,
    contentType,
    cacheControl,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    ...(compress && { gzip: gzipSync(body), br: brotliCompressSync(body) }),
  };
}

export function createSiteHost(options: SiteHostOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const table = new Map<string, Entry>();
  for (const file of options.files ?? listFiles(options.siteDir)) {
    table.set(`/${file.path}`, entry(readFileSync(join(options.siteDir, file.path)), file.contentType, file.cacheControl));
  }
  table.set("/config.json", entry(Buffer.from(JSON.stringify(options.config)), "application/json; charset=utf-8", CACHE_REVALIDATE));
  const index = table.get("/index.html");
  if (!index) throw new Error(`The site in ${options.siteDir} has no index.html: build it first (npm run build:site).`);

  return (req, res) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      res.writeHead(405, { ...options.headers, Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      res.end("Method Not Allowed\n");
      return;
    }
    let path = "/";
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      // A malformed escape names no file: the SPA fallback answers.
    }
    const found = table.get(path === "/" ? "/index.html" : path) ?? index;
    const encoding = pickEncoding(req.headers["accept-encoding"], found);
    const headers: Record<string, string> = {
      ...options.headers,
      "Content-Type": found.contentType,
      "Cache-Control": found.cacheControl,
      ETag: found.etag,
      ...(found.gzip && { Vary: "Accept-Encoding" }),
    };
    if (req.headers["if-none-match"]?.split(",").some((tag) => tag.trim() === found.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = encoding ? found[encoding]! : found.body;
    if (encoding) headers["Content-Encoding"] = encoding;
    headers["Content-Length"] = String(body.length);
    res.writeHead(200, headers);
    res.end(method === "HEAD" ? undefined : body);
  };
}

function pickEncoding(accept: string | undefined, found: Entry): "br" | "gzip" | undefined {
  if (!found.gzip || !accept) return undefined;
  const offered = accept.split(",").map((part) => part.trim().split(";")[0].toLowerCase());
  if (offered.includes("br")) return "br";
  if (offered.includes("gzip")) return "gzip";
  return undefined;
}
