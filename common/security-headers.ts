/**
 * The response headers the site is served with, in one place: CloudFront's response-headers
 * policy (StaticSite) and the local host both derive theirs from `securityHeaders()`.
 */
import { SERVICE_WORKER } from "./hosting";

export interface SecurityHeaderOptions {
  /** Origin of the Cognito user-pool API the page calls, e.g. https://cognito-idp.eu-west-1.amazonaws.com */
  readonly cognitoOrigin: string;
  /**
   * Origin of the push channel when it is not the page's own (on AWS, AppSync Events' real-time
   * endpoint: `wss://<id>.appsync-realtime-api.<region>.amazonaws.com`, see `pushOriginOf`).
   * Absent (the local stack: the channel is on the page's origin): `'self'` covers it. CSP
   * Level 3 widened `'self'` from "same origin" to the page's host and port with the https: and
   * wss: variants of its scheme, and ws: from http: (W3C CSP3, "Changes from Level 2" and "Does
   * url match expression in origin with redirect count?"
   * https://www.w3.org/TR/CSP3/#match-url-to-source-expression; summed up in GitLab issue
   * gitlab-org/gitlab#337967). Chromium and Firefox follow it; WebKit since r292266 (2022, "CSP:
   * Improve compatibility of source matching": "For self sources side grades are now allowed
   * (http->ws)"); older Safari did not, which is why GitLab added ws:/wss: origins (!70932).
   */
  readonly pushOrigin?: string;
}

export const HSTS_MAX_AGE_SECONDS = 63072000; // two years, as hstspreload.org asks

/** The origin `wss://host` of a push channel's URL (SiteConfig.push.realtimeUrl); refuses anything but wss. */
export function pushOriginOf(realtimeUrl: string): string {
  const url = new URL(realtimeUrl);
  if (url.protocol !== "wss:") throw new Error(`the push channel must be a wss:// URL, not ${realtimeUrl}`);
  return url.origin;
}

export function contentSecurityPolicy({ cognitoOrigin, pushOrigin }: SecurityHeaderOptions): string {
  if (pushOrigin !== undefined && pushOriginOf(pushOrigin) !== pushOrigin)
    throw new Error(`pushOrigin must be a wss:// origin (no path), not ${pushOrigin}`);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    ["connect-src 'self'", cognitoOrigin, ...(pushOrigin ? [pushOrigin] : [])].join(" "),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // The site never writes HTML from strings (textContent only): with Trusted Types required,
    // an injected `innerHTML = …` or `eval` fails instead of running. The one policy allowed
    // lets exactly the service worker's URL through (site/src/offline.ts), and only once.
    "require-trusted-types-for 'script'",
    `trusted-types ${SERVICE_WORKER.trustedTypesPolicy}`,
  ].join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Strict-Transport-Security": `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`,
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
}
