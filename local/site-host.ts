/**
 * The local stand-in for CloudFront in front of the site bucket: serves the built files with
 * the Cache-Control the build chose, the security headers of common/security-headers.ts, ETag
 * revalidation, gzip/brotli for text, a generated /config.json, and the SPA fallback with
 * StaticSite's rule (common/hosting.ts isAppRoute, which its CloudFront function is built from): a
 * path without a file extension gets /index.html with 200; a path with one gets that file, or a
 * 404 when the build made no such file.
 * Only files the build listed (or found under the site folder at start) are served: a request
 * path is a key into that table, never a path on disk.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, relative, sep } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { CACHE_REVALIDATE, contentTypeOf, isAppRoute, type BuiltFile, type SiteConfig } from "../common/hosting";

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
    const raw = new URL(req.url ?? "/", "http://localhost").pathname;
    let found: Entry | undefined = index;
    if (!isAppRoute(raw)) {
      try {
        found = table.get(decodeURIComponent(raw));
      } catch {
        found = undefined; // a malformed escape names no file
      }
    }
    if (!found) {
      // CloudFront would pass the request to S3, which answers 403 (Origin Access Control, no
      // ListBucket permission) for a missing key. 404 says the same thing more plainly here.
      res.writeHead(404, { ...options.headers, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      res.end(method === "HEAD" ? undefined : "Not Found\n");
      return;
    }
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
