/**
 * The hosting contract: facts about the built site that the build (site/build.ts), the StaticSite
 * component (S3 + CloudFront) and the local site host all follow. Plain data and pure functions,
 * no Pulumi, no esbuild, no DOM, so every side imports it without importing another.
 */

export interface BuiltFile {
  /** Path relative to outDir, with forward slashes. */
  readonly path: string;
  readonly contentType: string;
  /** Cache-Control to serve it with. */
  readonly cacheControl: string;
}

/**
 * The service worker: built to this stable path at the root (its scope is the whole site), served
 * no-cache like index.html, and registered through the one Trusted Types policy the CSP allows.
 */
export const SERVICE_WORKER = { path: "/sw.js", trustedTypesPolicy: "tasklane-sw" } as const;

/** Hashed assets never change under their name: cache them for a year. */
export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html, sw.js and config.json: always revalidate, so a deploy shows at once. */
export const CACHE_REVALIDATE = "no-cache";

/**
 * The SPA fallback rule, in one place: a path ending in a file extension names a file; any other
 * path is an app route and is answered with /index.html. StaticSite builds CloudFront's
 * viewer-request function from this pattern; the local site host applies the same test.
 */
export const FILE_PATH = /\.[A-Za-z0-9]+$/;

export function isAppRoute(path: string): boolean {
  return !FILE_PATH.test(path);
}

/** Shape of /config.json, written by StaticSite on AWS and served by the local stack. */
export interface SiteConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly apiBase: "/api";
  /** Only where Cognito is not AWS's (the local stack): the user-pool API's base URL. */
  readonly cognitoEndpoint?: string;
  /**
   * Where the web app listens for pokes (issue 18, common/push.ts). Absent: no push channel, the
   * app pulls on focus and on a timer as before.
   */
  readonly push?: {
    /** `wss://<AppSync realtime domain>/event/realtime`; absent: this origin's REALTIME_PATH (the local stack). */
    readonly realtimeUrl?: string;
    /** The `host` the connection's authorization names (AppSync: the Event API's HTTP domain); absent: `location.host`. */
    readonly host?: string;
  };
}

/** The one content-type table: the build's file list, and the local host for files it lists itself. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  // The charset is what StaticSite sends with config.json too.
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
};

export function contentTypeOf(path: string): string {
  const ext = /\.[^./]+$/.exec(path)?.[0] ?? "";
  return CONTENT_TYPES[ext.toLowerCase()] ?? "application/octet-stream";
}
