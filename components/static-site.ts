/**
 * StaticSite: the web app on CloudFront, from a private S3 bucket, with the API on the same origin.
 *
 * Default settings:
 * - S3 bucket: all public access blocked, objects owned by the bucket owner (no ACLs),
 *   SSE-S3 encryption, a policy that admits only this distribution (Origin Access Control,
 *   SigV4) and refuses plain HTTP
 * - CloudFront: HTTPS only for viewers (redirect), HTTP/2 and HTTP/3, IPv6, compression,
 *   a response-headers policy from common/security-headers.ts (HSTS, CSP, nosniff, frame DENY,
 *   referrer policy); the CSP's connect-src allows the push channel's wss:// origin, read from
 *   the very config.json it serves (`push.realtimeUrl`), so the two cannot disagree
 * - SPA fallback: a viewer-request function serves /index.html for extension-less paths of the
 *   site (only the default behaviour: API errors stay API errors)
 * - caching follows each object's Cache-Control: hashed assets for a year, index.html and
 *   config.json `no-cache` (the cache policy's minimum TTL is 0, so they are never served stale)
 * - `/api/*` goes to the API stage: all methods, caching disabled, every viewer header but Host
 *   (so `Authorization`, `If-Match`, `Idempotency-Key`, `Accept-Encoding`) and the query string
 *   forwarded; API Gateway compresses those responses, CloudFront cannot (see the behaviour)
 * - the build output is uploaded with its content types; `config.json` is generated from the stack
 * - with `domainName`: an ACM certificate in us-east-1 validated through DNS in the hosted zone,
 *   the domain as the distribution's alias (SNI, TLS 1.2_2021 at least), A and AAAA alias records
 * - with `wafRateLimit` > 0: an AWS WAF web ACL (us-east-1) that answers 429 in the API's error
 *   shape to an IP sending more than that many /api/* requests in 5 minutes, and applies AWS's
 *   common managed rule set to everything
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CACHE_REVALIDATE, contentTypeOf, FILE_PATH, type BuiltFile, type SiteConfig } from "../common/hosting";
import { pushOriginOf, securityHeaders } from "../common/security-headers";
import { API_KEY_HEADER, API_RESPONSE_HEADERS, errorBody } from "../common/gateway";
import { API_BASE } from "../handlers/routes";
import { SETTINGS } from "./settings";

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

/**
 * CloudFront takes certificates and web ACLs only from us-east-1, wherever the stack is (ACM:
 * "To use a certificate with CloudFront, you must request or import it in US East (N. Virginia)";
 * AWS WAF: a web ACL for CloudFront has scope CLOUDFRONT and lives in us-east-1), and delivers its
 * standard logs (v2) from us-east-1 (CloudFront developer guide, "Configure standard logging (v2)").
 */
export const CLOUDFRONT_CONTROL_REGION = "us-east-1";
/**
 * AWS's common rule set (AWSManagedRulesCommonRuleSet, "Baseline rule groups" in the AWS WAF
 * developer guide), rule by rule, and what each does here. The ones that read the request BODY
 * only count: a body here is a to-do a person typed, and each of them refuses ordinary text with
 * WAF's bare 403 ("fix ../config path", "router at http://10.0.0.1", "<b> tags in the docs",
 * a long note). The API validates its own bodies (JSON Schema at the gateway and in Lambda) and
 * never interprets a title as a path, URL or markup: the site renders titles only as text, under a
 * Trusted Types CSP. Every other rule (headers, query string, URI, cookies) still blocks.
 */
export const WAF_COMMON_RULES = {
  NoUserAgent_HEADER: "blocks: requests without a User-Agent header",
  UserAgent_BadBots_HEADER: "blocks: User-Agents of known bad bots (nessus, nmap…)",
  SizeRestrictions_QUERYSTRING: "blocks: query strings over 2 KB",
  SizeRestrictions_Cookie_HEADER: "blocks: cookie headers over 10 KB",
  SizeRestrictions_BODY: "counts only: bodies over 8 KB (the API takes 16 KiB and answers 413 itself)",
  SizeRestrictions_URIPATH: "blocks: URI paths over 1 KB",
  EC2MetaDataSSRF_BODY: "counts only: bodies naming the EC2 metadata address (169.254.169.254) — a to-do may",
  EC2MetaDataSSRF_COOKIE: "blocks: the metadata address in cookies",
  EC2MetaDataSSRF_URIPATH: "blocks: the metadata address in the URI path",
  EC2MetaDataSSRF_QUERYARGUMENTS: "blocks: the metadata address in query arguments",
  GenericLFI_QUERYARGUMENTS: "blocks: path traversal (../) in query arguments",
  GenericLFI_URIPATH: "blocks: path traversal in the URI path",
  GenericLFI_BODY: "counts only: path traversal in the body — a to-do may say ../config",
  RestrictedExtensions_URIPATH: "blocks: paths ending in .log, .ini, .bak… (the site serves none)",
  RestrictedExtensions_QUERYARGUMENTS: "blocks: such extensions in query arguments",
  GenericRFI_QUERYARGUMENTS: "blocks: URLs with IPv4 addresses in query arguments",
  GenericRFI_BODY: "counts only: URLs with IPv4 addresses in the body — a to-do may hold one",
  GenericRFI_URIPATH: "blocks: URLs with IPv4 addresses in the URI path",
  CrossSiteScripting_COOKIE: "blocks: script-like markup in cookies",
  CrossSiteScripting_QUERYARGUMENTS: "blocks: script-like markup in query arguments",
  CrossSiteScripting_BODY: "counts only: markup in the body — a to-do may mention <script>",
  CrossSiteScripting_URIPATH: "blocks: script-like markup in the URI path",
} as const;
/** Rules of AWS's common rule set that only count here: every one that inspects the body. */
export const WAF_COUNT_ONLY_RULES = Object.keys(WAF_COMMON_RULES).filter((rule) => rule.endsWith("_BODY"));
/** The window AWS WAF counts a client's requests in, in seconds. */
const WAF_WINDOW_SECONDS = 300;
/** The web ACL's rules, in priority order (the cost model prices one rule each). */
export const WAF_RULE_NAMES = ["api-rate-limit-per-ip", "aws-common-rule-set"] as const;
/** AWS's baseline managed rule group (OWASP-style: bad inputs, XSS, LFI, bad bots' user agents). */
export const WAF_MANAGED_RULE_GROUP = "AWSManagedRulesCommonRuleSet";
/** What a rate-limited client receives: the API's error shape, so the site shows it like any 429. */
export const WAF_RATE_LIMITED_BODY = JSON.stringify(
  errorBody("rate_limited", "Too many requests from your address: wait a few minutes, then try again.", ""),
);

export interface StaticSiteArgs {
  /** Folder the site was built into (buildSite's outDir). */
  readonly siteDir: string;
  /** The files buildSite wrote, with their content types and Cache-Control. */
  readonly files: readonly BuiltFile[];
  /** Served as /config.json; its `push.realtimeUrl`, when set, is the one origin the CSP adds for the push channel. */
  readonly config: pulumi.Input<SiteConfig>;
  /** Origin of the Cognito API the page calls (the CSP's connect-src), e.g. https://cognito-idp.eu-west-1.amazonaws.com */
  readonly cognitoOrigin: string;
  /** Host of the API stage, e.g. abc123.execute-api.eu-west-1.amazonaws.com */
  readonly apiDomain: pulumi.Input<string>;
  /** The stage name: CloudFront prefixes it to /api/… paths. */
  readonly apiStageName: pulumi.Input<string>;
  /**
   * The API key the stage requires (TodoApi's originKey, a secret): CloudFront adds it to every
   * /api request, so only requests through the distribution reach the API.
   */
  readonly apiOriginKey: pulumi.Input<string>;
  /** @default SETTINGS.cdnPriceClass */
  readonly priceClass?: CdnPriceClass;
  /** Let `pulumi destroy` delete the bucket with its objects. @default true */
  readonly forceDestroy?: boolean;
  /** The site's own domain, e.g. todo.example.com; needs `hostedZoneId`. @default SETTINGS.domainName (none) */
  readonly domainName?: string;
  /** The Route 53 hosted zone that holds `domainName`. @default SETTINGS.hostedZoneId */
  readonly hostedZoneId?: string;
  /**
   * Requests one IP may send to /api/* in 5 minutes before AWS WAF answers 429; 0 for no web ACL.
   * A flag that decides whether resources exist: a plain number. @default SETTINGS.wafRateLimit
   */
  readonly wafRateLimit?: number;
  /**
   * CloudFront's standard access logs (v2) to a CloudWatch Logs group in us-east-1, so a request
   * can be followed from the edge to the function (the `x-edge-request-id`). @default SETTINGS.cdnAccessLogs
   */
  readonly accessLogs?: boolean;
  /** Days the access-log group keeps logs. @default SETTINGS.logRetentionDays */
  readonly logRetentionDays?: number;
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
    const priceClass = args.priceClass ?? (SETTINGS.cdnPriceClass.default as CdnPriceClass);
    const forceDestroy = args.forceDestroy ?? true;
    const domainName = args.domainName ?? SETTINGS.domainName.default;
    const hostedZoneId = args.hostedZoneId ?? SETTINGS.hostedZoneId.default;
    const wafRateLimit = args.wafRateLimit ?? SETTINGS.wafRateLimit.default;
    const accessLogs = args.accessLogs ?? SETTINGS.cdnAccessLogs.default;
    const logRetentionDays = args.logRetentionDays ?? SETTINGS.logRetentionDays.default;
    const problems: string[] = [];
    if (domainName !== "" && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName))
      problems.push(`domainName must be a lower-case DNS name such as todo.example.com, not ${domainName}`);
    if (domainName !== "" && !/^Z[A-Z0-9]{1,31}$/.test(hostedZoneId))
      problems.push(`domainName needs hostedZoneId, the ID of the Route 53 zone that holds it (Z…), not "${hostedZoneId}"`);
    if (domainName === "" && hostedZoneId !== "") problems.push("hostedZoneId is set without a domainName");
    // AWS WAF's rate-based rules count from 10 requests a window up to 2,000,000,000.
    if (!Number.isInteger(wafRateLimit) || (wafRateLimit !== 0 && (wafRateLimit < 10 || wafRateLimit > 2e9)))
      problems.push(`wafRateLimit must be 0 (off) or a whole number from 10 to 2000000000, not ${wafRateLimit}`);
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

    const cognitoOrigin = args.cognitoOrigin;
    const headers = pulumi.output(args.config).apply((config) => {
      const realtimeUrl = config.push?.realtimeUrl;
      return cloudFrontHeaders(securityHeaders({ cognitoOrigin, pushOrigin: realtimeUrl ? pushOriginOf(realtimeUrl) : undefined }));
    });
    const headersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-headers`,
      {
        comment: "tasklane security headers",
        securityHeadersConfig: headers.security,
        customHeadersConfig: headers.custom.apply((items) => (items.length > 0 ? { items } : undefined)),
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

    // A second AWS provider for what CloudFront reads only from us-east-1 (certificate, web ACL).
    const usEast1 =
      domainName !== "" || wafRateLimit > 0 || accessLogs
        ? new aws.Provider(`${name}-${CLOUDFRONT_CONTROL_REGION}`, { region: CLOUDFRONT_CONTROL_REGION }, { parent: this })
        : undefined;
    const inUsEast1 = { parent: this, provider: usEast1 };

    let certificateArn: pulumi.Output<string> | undefined;
    if (domainName !== "") {
      const certificate = new aws.acm.Certificate(`${name}-certificate`, { domainName, validationMethod: "DNS" }, inUsEast1);
      // One domain, so one validation record: ACM's CNAME in the hosted zone.
      const option = certificate.domainValidationOptions.apply((options) => options[0]);
      const validationRecord = new aws.route53.Record(
        `${name}-certificate-validation-record`,
        {
          zoneId: hostedZoneId,
          name: option.apply((o) => o.resourceRecordName),
          type: option.apply((o) => o.resourceRecordType),
          records: [option.apply((o) => o.resourceRecordValue)],
          ttl: 300,
          // ACM gives a re-created certificate the same record: take it over rather than fail.
          allowOverwrite: true,
        },
        { parent: this },
      );
      // Waits until ACM has seen the record and issued the certificate; the distribution uses its ARN.
      const validation = new aws.acm.CertificateValidation(
        `${name}-certificate-validation`,
        { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
        inUsEast1,
      );
      certificateArn = validation.certificateArn;
    }

    let webAclArn: pulumi.Output<string> | undefined;
    if (wafRateLimit > 0) {
      const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
      const rateLimitedBody = "rate-limited";
      const webAcl = new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
          description: "tasklane: per-client rate limit on the API, AWS common rule set",
          scope: "CLOUDFRONT",
          defaultAction: { allow: {} },
          customResponseBodies: [{ key: rateLimitedBody, contentType: "APPLICATION_JSON", content: WAF_RATE_LIMITED_BODY }],
          rules: [
            {
              name: WAF_RULE_NAMES[0],
              priority: 0,
              action: {
                block: {
                  customResponse: {
                    responseCode: 429,
                    customResponseBodyKey: rateLimitedBody,
                    // The API's own response headers (no-store, nosniff), and when to try again.
                    responseHeaders: [
                      ...Object.entries(API_RESPONSE_HEADERS).map(([header, value]) => ({ name: header, value })),
                      { name: "Retry-After", value: String(WAF_WINDOW_SECONDS) },
                    ],
                  },
                },
              },
              statement: {
                rateBasedStatement: {
                  limit: wafRateLimit,
                  evaluationWindowSec: WAF_WINDOW_SECONDS,
                  aggregateKeyType: "IP",
                  scopeDownStatement: {
                    byteMatchStatement: {
                      searchString: `${API_BASE}/`,
                      positionalConstraint: "STARTS_WITH",
                      fieldToMatch: { uriPath: {} },
                      textTransformations: [{ priority: 0, type: "NONE" }],
                    },
                  },
                },
              },
              visibilityConfig: visibility(WAF_RULE_NAMES[0]),
            },
            {
              name: WAF_RULE_NAMES[1],
              priority: 1,
              overrideAction: { none: {} },
              statement: {
                managedRuleGroupStatement: {
                  vendorName: "AWS",
                  name: WAF_MANAGED_RULE_GROUP,
                  // Every body rule only counts: blocking would refuse what a person may type (see
                  // WAF_COMMON_RULES). The API validates bodies itself and answers in its own shape.
                  ruleActionOverrides: WAF_COUNT_ONLY_RULES.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
                },
              },
              visibilityConfig: visibility(WAF_RULE_NAMES[1]),
            },
          ],
          visibilityConfig: visibility("tasklane"),
        },
        inUsEast1,
      );
      webAclArn = webAcl.arn;
    }

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
            // The front door's key (TodoApi): it overwrites any x-api-key a viewer sends.
            customHeaders: [{ name: API_KEY_HEADER, value: args.apiOriginKey }],
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
            // CachingDisabled turns gzip and brotli off, so CloudFront could not compress here;
            // API Gateway compresses instead (TodoApi's minimumCompressionSize).
            compress: false,
            cachePolicyId: MANAGED_CACHE_POLICY_CACHING_DISABLED,
            originRequestPolicyId: MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
            responseHeadersPolicyId: headersPolicy.id,
          },
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        ...(certificateArn
          ? {
              aliases: [domainName],
              viewerCertificate: {
                acmCertificateArn: certificateArn,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
              },
            }
          : { viewerCertificate: { cloudfrontDefaultCertificate: true } }),
        ...(webAclArn && { webAclId: webAclArn }),
      },
      { parent: this },
    );

    if (domainName !== "") {
      for (const type of ["A", "AAAA"]) {
        new aws.route53.Record(
          `${name}-alias-${type.toLowerCase()}`,
          {
            zoneId: hostedZoneId,
            name: domainName,
            type,
            aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
            // Route 53 refuses to create a record that exists ("Tried to create resource record set
            // … but it already exists", provider docs for aws_route53_record `allow_overwrite`).
            // An existing A/AAAA record for the domain is someone's site: it is not silently taken
            // over. README "Going to production" says how to move it (delete it, or `pulumi import`).
            allowOverwrite: false,
          },
          { parent: this },
        );
      }
    }

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

    if (accessLogs) {
      // Standard logging (v2): a delivery source for the distribution, a log group as destination,
      // and the delivery between them, all in us-east-1 (CloudFront's logs are delivered there).
      // CloudWatch Logs adds the group's resource policy for delivery.logs.amazonaws.com itself
      // when the deploying identity may call logs:PutResourcePolicy (CloudWatch Logs user guide,
      // "Logging that requires additional permissions [V2]"). Billed as vended logs, per GB.
      const group = new aws.cloudwatch.LogGroup(`${name}-access-logs`, { retentionInDays: logRetentionDays }, inUsEast1);
      const source = new aws.cloudwatch.LogDeliverySource(
        `${name}-access-log-source`,
        { logType: "ACCESS_LOGS", resourceArn: distribution.arn },
        inUsEast1,
      );
      const destination = new aws.cloudwatch.LogDeliveryDestination(
        `${name}-access-log-destination`,
        { outputFormat: "json", deliveryDestinationConfiguration: { destinationResourceArn: group.arn } },
        inUsEast1,
      );
      new aws.cloudwatch.LogDelivery(
        `${name}-access-log-delivery`,
        { deliverySourceName: source.name, deliveryDestinationArn: destination.arn },
        inUsEast1,
      );
    }

    this.bucketName = bucket.bucket;
    this.distributionId = distribution.id;
    this.domainName = distribution.domainName;
    this.url = domainName !== "" ? pulumi.output(`https://${domainName}`) : pulumi.interpolate`https://${distribution.domainName}`;
    this.registerOutputs({ bucketName: this.bucketName, distributionId: this.distributionId, domainName: this.domainName, url: this.url });
  }
}
