/**
 * StaticSite: the web app on CloudFront, from a private S3 bucket, with the API on the same origin.
 *
 * Default settings:
 * - S3 bucket: all public access blocked, objects owned by the bucket owner (no ACLs),
 *   SSE-S3 encryption, a policy that admits only this distribution (Origin Access Control,
 *   SigV4) and refuses plain HTTP
 * - CloudFront: HTTPS only for viewers (redirect), HTTP/2 and HTTP/3, IPv6, compression,
 *   a response-headers policy from site/security-headers.ts (HSTS, CSP, nosniff, frame DENY,
 *   referrer policy)
 * - SPA fallback: a viewer-request function serves /index.html for extension-less paths of the
 *   site (only the default behaviour: API errors stay API errors)
 * - caching follows each object's Cache-Control: hashed assets for a year, index.html and
 *   config.json `no-cache` (the cache policy's minimum TTL is 0, so they are never served stale)
 * - `/api/*` goes to the API stage: all methods, caching disabled, every viewer header but Host
 *   (so `Authorization`, `If-Match`, `Idempotency-Key`) and the query string forwarded
 * - the build output is uploaded with its content types; `config.json` is generated from the stack
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CACHE_REVALIDATE, contentTypeOf, FILE_PATH, type BuiltFile, type SiteConfig } from "../common/hosting";
import { securityHeaders } from "../common/security-headers";
import { API_BASE } from "../handlers/routes";

/** AWS managed policies (fixed ids, the same in every account). */
export const MANAGED_CACHE_POLICY_CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/**
 * Forwards every viewer header except Host (API Gateway needs its own Host), all cookies and
 * query strings. With caching disabled this is how CloudFront forwards `Authorization`.
 */
export const MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

export const CONFIG_FILE = "config.json";

/**
 * CloudFront Function (cloudfront-js-2.0): app routes (no file extension) get the app shell.
 * The test is site/build.ts's FILE_PATH, written into the code, so the local host and CloudFront
 * share one rule.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  if (!${FILE_PATH}.test(request.uri)) {
    request.uri = "/index.html";
  }
  return request;
}
`;

export const CDN_PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type CdnPriceClass = (typeof CDN_PRICE_CLASSES)[number];

export interface StaticSiteArgs {
  /** Folder the site was built into (buildSite's outDir). */
  readonly siteDir: string;
  /** The files buildSite wrote, with their content types and Cache-Control. */
  readonly files: readonly BuiltFile[];
  /** Served as /config.json. */
  readonly config: pulumi.Input<SiteConfig>;
  /** Origin of the Cognito API the page calls (the CSP's connect-src), e.g. https://cognito-idp.eu-west-1.amazonaws.com */
  readonly cognitoOrigin: string;
  /** Host of the API stage, e.g. abc123.execute-api.eu-west-1.amazonaws.com */
  readonly apiDomain: pulumi.Input<string>;
  /** The stage name: CloudFront prefixes it to /api/… paths. */
  readonly apiStageName: pulumi.Input<string>;
  /** @default "PriceClass_100" (North America and Europe) */
  readonly priceClass?: CdnPriceClass;
  /** Let `pulumi destroy` delete the bucket with its objects. @default true */
  readonly forceDestroy?: boolean;
}

type SecurityHeadersConfig = aws.types.input.cloudfront.ResponseHeadersPolicySecurityHeadersConfig;

type CustomHeader = aws.types.input.cloudfront.ResponseHeadersPolicyCustomHeadersConfigItem;

/**
 * Maps securityHeaders() onto CloudFront's response-headers policy, header by header, so the
 * local host and CloudFront send the same values: the five CloudFront has settings for go to
 * `security`, any other header (e.g. Permissions-Policy) to `custom`.
 */
export function cloudFrontHeaders(headers: Record<string, string>): { security: SecurityHeadersConfig; custom: CustomHeader[] } {
  const config: SecurityHeadersConfig = {};
  const custom: CustomHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    switch (name.toLowerCase()) {
      case "strict-transport-security": {
        const maxAge = /max-age=(\d+)/i.exec(value);
        if (!maxAge) throw new Error(`Strict-Transport-Security without max-age: ${value}`);
        config.strictTransportSecurity = {
          accessControlMaxAgeSec: Number(maxAge[1]),
          includeSubdomains: /includeSubDomains/i.test(value),
          preload: /preload/i.test(value),
          override: true,
        };
        break;
      }
      case "content-security-policy":
        config.contentSecurityPolicy = { contentSecurityPolicy: value, override: true };
        break;
      case "x-content-type-options":
        if (value !== "nosniff") throw new Error(`X-Content-Type-Options must be nosniff, not ${value}`);
        config.contentTypeOptions = { override: true };
        break;
      case "x-frame-options":
        config.frameOptions = { frameOption: value.toUpperCase(), override: true };
        break;
      case "referrer-policy":
        config.referrerPolicy = { referrerPolicy: value, override: true };
        break;
      default:
        custom.push({ header: name, value, override: true });
    }
  }
  return { security: config, custom };
}

export class StaticSite extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly distributionId: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    const priceClass = args.priceClass ?? "PriceClass_100";
    const forceDestroy = args.forceDestroy ?? true;
    const problems: string[] = [];
    if (!args.files.some((f) => f.path === "index.html")) problems.push("the build has no index.html");
    if (!CDN_PRICE_CLASSES.includes(priceClass))
      problems.push(`priceClass must be one of ${CDN_PRICE_CLASSES.join(", ")}, not ${priceClass}`);
    if (!/^https:\/\/[^/]+$/.test(args.cognitoOrigin)) problems.push(`cognitoOrigin must be an https origin, not ${args.cognitoOrigin}`);
    if (problems.length > 0) throw new Error(`StaticSite ${name}: ${problems.join("; ")}`);
    super("tasklane:index:StaticSite", name, {}, opts);

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy }, { parent: this });
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
      { parent: this },
    );

    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      { description: "tasklane site bucket", originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" },
      { parent: this },
    );

    const headers = cloudFrontHeaders(securityHeaders({ cognitoOrigin: args.cognitoOrigin }));
    const headersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-headers`,
      {
        comment: "tasklane security headers",
        securityHeadersConfig: headers.security,
        ...(headers.custom.length > 0 && { customHeadersConfig: { items: headers.custom } }),
      },
      { parent: this },
    );

    // Min TTL 0: objects sent with `no-cache` (index.html, config.json) are revalidated every time;
    // hashed assets say max-age=31536000, immutable and are kept for a year.
    const siteCache = new aws.cloudfront.CachePolicy(
      `${name}-site-cache`,
      {
        comment: "tasklane site: honour each object's Cache-Control",
        minTtl: 0,
        defaultTtl: 86400,
        maxTtl: 31536000,
        parametersInCacheKeyAndForwardedToOrigin: {
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
          cookiesConfig: { cookieBehavior: "none" },
          headersConfig: { headerBehavior: "none" },
          queryStringsConfig: { queryStringBehavior: "none" },
        },
      },
      { parent: this },
    );

    const spaFallback = new aws.cloudfront.Function(
      `${name}-spa-fallback`,
      { runtime: "cloudfront-js-2.0", comment: "Serve /index.html for app routes", code: SPA_FALLBACK_CODE, publish: true },
      { parent: this },
    );

    const siteOrigin = "site";
    const apiOrigin = "api";
    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: "tasklane",
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass,
        defaultRootObject: "index.html",
        origins: [
          { originId: siteOrigin, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
          {
            originId: apiOrigin,
            domainName: args.apiDomain,
            originPath: pulumi.interpolate`/${args.apiStageName}`,
            customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: siteOrigin,
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ["GET", "HEAD"],
          cachedMethods: ["GET", "HEAD"],
          compress: true,
          cachePolicyId: siteCache.id,
          responseHeadersPolicyId: headersPolicy.id,
          functionAssociations: [{ eventType: "viewer-request", functionArn: spaFallback.arn }],
        },
        orderedCacheBehaviors: [
          {
            pathPattern: `${API_BASE}/*`,
            targetOriginId: apiOrigin,
            viewerProtocolPolicy: "https-only",
            allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            cachedMethods: ["GET", "HEAD"],
            compress: true,
            cachePolicyId: MANAGED_CACHE_POLICY_CACHING_DISABLED,
            originRequestPolicyId: MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
            responseHeadersPolicyId: headersPolicy.id,
          },
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: { cloudfrontDefaultCertificate: true },
      },
      { parent: this },
    );

    new aws.s3.BucketPolicy(
      `${name}-bucket-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudFrontReadsThroughOAC",
              Effect: "Allow",
              Principal: { Service: "cloudfront.amazonaws.com" },
              Action: "s3:GetObject",
              Resource: pulumi.interpolate`${bucket.arn}/*`,
              Condition: { StringEquals: { "AWS:SourceArn": distribution.arn } },
            },
            {
              Sid: "TlsOnly",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      // S3 refuses a policy while its public-access settings are still being applied.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    // Objects are written after ownership is enforced, so none ever carries an ACL.
    const objectOpts = { parent: this, dependsOn: [ownership] };
    for (const file of args.files) {
      if (file.path === CONFIG_FILE) continue; // the stack's own config.json wins over a local one
      new aws.s3.BucketObjectv2(
        `${name}-file-${file.path}`,
        {
          bucket: bucket.id,
          key: file.path,
          source: new pulumi.asset.FileAsset(join(args.siteDir, file.path)),
          contentType: file.contentType,
          cacheControl: file.cacheControl,
        },
        objectOpts,
      );
    }
    new aws.s3.BucketObjectv2(
      `${name}-file-${CONFIG_FILE}`,
      {
        bucket: bucket.id,
        key: CONFIG_FILE,
        content: pulumi.output(args.config).apply((config) => JSON.stringify(config)),
        contentType: contentTypeOf(CONFIG_FILE),
        cacheControl: CACHE_REVALIDATE,
      },
      objectOpts,
    );

    this.bucketName = bucket.bucket;
    this.distributionId = distribution.id;
    this.domainName = distribution.domainName;
    this.url = pulumi.interpolate`https://${distribution.domainName}`;
    this.registerOutputs({ bucketName: this.bucketName, distributionId: this.distributionId, domainName: this.domainName, url: this.url });
  }
}
