/**
 * The response headers the site is served with, in one place: CloudFront's response-headers
 * policy (StaticSite) and the local host both derive theirs from `securityHeaders()`.
 */
import { SERVICE_WORKER } from "./hosting";

export interface SecurityHeaderOptions {
  /** Origin of the Cognito user-pool API the page calls, e.g. https://cognito-idp.eu-west-1.amazonaws.com */
  readonly cognitoOrigin: string;
}

export const HSTS_MAX_AGE_SECONDS = 63072000; // two years, as hstspreload.org asks

export function contentSecurityPolicy({ cognitoOrigin }: SecurityHeaderOptions): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' ${cognitoOrigin}`,
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
