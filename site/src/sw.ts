/**
 * The service worker: keeps this build's app shell (index.html, the hashed script and stylesheet,
 * the icon) so the app opens offline, and the last /config.json. It never touches /api: the
 * to-dos live in IndexedDB (db.ts), and API answers are never cached.
 *
 * Updates: /sw.js is served no-cache, so each visit checks it. A new build installs its own
 * complete cache (named after its files) and takes over at once, but a page keeps the shell it
 * was opened with: navigations are answered from one cache whose assets are all in it, so old
 * and new files never mix. The previous build's cache is kept (a page opened just before the
 * switch still finds its assets); older ones are deleted.
 * Built by site/build.ts with SHELL (the files) and VERSION (their hash) defined.
 */
import { isAppRoute } from "../../common/hosting";

declare const SHELL: readonly string[];
declare const VERSION: string;

/** The few service-worker types used here (TypeScript's webworker library clashes with DOM). */
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly location: Location;
}
const worker = self as unknown as WorkerScope;

const PREFIX = "tasklane-shell-";
const CACHE = PREFIX + VERSION;
const PREVIOUS = "tasklane-previous-shell";

worker.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // "reload": straight from the server, not from the HTTP cache.
      .then((cache) => cache.addAll([...SHELL, "/config.json"].map((url) => new Request(url, { cache: "reload" }))))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
      // Remember which cache served before this one; delete the rest.
      const previous = await caches.open(PREVIOUS);
      const before = await (await previous.match("/name"))?.text();
      await previous.put("/name", new Response(CACHE));
      await Promise.all(names.filter((n) => n !== before).map((n) => caches.delete(n)));
    })(),
  );
});

worker.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== worker.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && isAppRoute(url.pathname)) {
    event.respondWith(fromCache("/index.html", request));
  } else if (url.pathname === "/config.json") {
    event.respondWith(freshConfig(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

/** This build's copy, else (a previous build's page asking for its asset) any cache, else the network. */
async function fromCache(path: string, request: Request): Promise<Response> {
  const hit = (await (await caches.open(CACHE)).match(path)) ?? (await caches.match(path));
  return hit ?? fetch(request);
}

/** The settings from the server when it answers, else the last ones kept (offline). */
async function freshConfig(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put("/config.json", response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match("/config.json");
    if (kept) return kept;
    throw err;
  }
}
