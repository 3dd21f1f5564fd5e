/**
 * Registers the service worker (sw.ts, built to /sw.js), which keeps the app shell so the app
 * opens offline. The page requires Trusted Types for script URLs, and `register()` is such a
 * sink: the one policy the CSP allows (`tasklane-sw`) lets exactly "/sw.js" through.
 */
import { SERVICE_WORKER } from "../../common/hosting";

const WORKER_URL = SERVICE_WORKER.path;

/** The part of the Trusted Types API used here (TypeScript's DOM library does not have it yet). */
interface TrustedTypes {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown };
}

export function registerWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  const policy = (window as { trustedTypes?: TrustedTypes }).trustedTypes?.createPolicy(SERVICE_WORKER.trustedTypesPolicy, {
    createScriptURL: (url: string) => {
      if (url !== WORKER_URL) throw new TypeError(`Only ${WORKER_URL} may be a service worker.`);
      return url;
    },
  });
  const url = policy?.createScriptURL(WORKER_URL) ?? WORKER_URL;
  // updateViaCache "none": the browser always asks the server for /sw.js (served no-cache anyway).
  navigator.serviceWorker.register(url as unknown as string, { scope: "/", updateViaCache: "none" }).catch(() => undefined);
}
