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
import { join, relative, sep } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { CACHE_REVALIDATE, contentTypeOf, type BuiltFile, type SiteConfig } from "../site/build";

export interface SiteHostOptions {
  readonly siteDir: string;
  /**
   * The build's file list, served with the Cache-Control the build chose for each file. When
   * absent (a folder built earlier), the folder is listed, types come from the build's table,
   * and every file revalidates: without the build's word, nothing is cached for a year.
   */
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
        out.push({ path, contentType: contentTypeOf(path), cacheControl: CACHE_REVALIDATE });
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
  table.set("/config.json", entry(Buffer.from(JSON.stringify(options.config)), contentTypeOf("config.json"), CACHE_REVALIDATE));
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
