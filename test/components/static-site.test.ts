/** StaticSite: private bucket behind CloudFront (OAC), security headers, SPA fallback, /api behaviour, uploads. */
import { runInNewContext } from "node:vm";
import { expect } from "chai";
import {
  MANAGED_CACHE_POLICY_CACHING_DISABLED,
  MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
  SPA_FALLBACK_CODE,
  StaticSite,
  cloudFrontHeaders,
} from "../../components/static-site";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE } from "../../common/hosting";
import { securityHeaders } from "../../common/security-headers";
import { named, ofType, runProgram, settle, recorded } from "../../dev/pulumi-mocks";

describe("StaticSite", () => {
  let outputs: Record<string, unknown>;
  before(async () => {
    outputs = await runProgram();
  });
  const distribution = () => named("aws:cloudfront/distribution:Distribution", "site-cdn").inputs;

  it("keeps the bucket private: public access blocked, owner-enforced objects, SSE", () => {
    expect(named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-public-access-block").inputs).to.include({
      bucket: "site-bucket-id",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(named("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site-ownership").inputs.rule).to.deep.equal({
      objectOwnership: "BucketOwnerEnforced",
    });
    const sse = named("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "site-encryption").inputs;
    expect(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("AES256");
  });

  it("admits only this distribution through Origin Access Control (SigV4, always signed), over TLS", () => {
    const oac = named("aws:cloudfront/originAccessControl:OriginAccessControl", "site-oac").inputs;
    expect(oac).to.include({ originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
    const origin = distribution().origins.find((o: any) => o.originId === "site");
    expect(origin.originAccessControlId).to.equal("site-oac-id");
    const policy = JSON.parse(named("aws:s3/bucketPolicy:BucketPolicy", "site-bucket-policy").inputs.policy);
    const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
    expect(allows).to.have.length(1);
    expect(allows[0]).to.deep.include({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
    expect(allows[0].Condition.StringEquals["AWS:SourceArn"]).to.equal(
      named("aws:cloudfront/distribution:Distribution", "site-cdn").state.arn,
    );
    const deny = policy.Statement.find((s: any) => s.Effect === "Deny");
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("redirects to HTTPS, compresses, speaks HTTP/2 and HTTP/3", () => {
    const d = distribution();
    expect(d.httpVersion).to.equal("http2and3");
    expect(d.defaultCacheBehavior).to.include({ viewerProtocolPolicy: "redirect-to-https", compress: true });
    expect(d.defaultRootObject).to.equal("index.html");
    for (const behavior of d.orderedCacheBehaviors) expect(behavior.viewerProtocolPolicy).to.be.oneOf(["redirect-to-https", "https-only"]);
  });

  it("sends the security headers of site/security-headers.ts, with Cognito's regional origin in connect-src", () => {
    const policy = named("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").inputs.securityHeadersConfig;
    const expected = securityHeaders({ cognitoOrigin: "https://cognito-idp.eu-west-1.amazonaws.com" });
    expect(policy.contentSecurityPolicy.contentSecurityPolicy).to.equal(expected["Content-Security-Policy"]);
    expect(policy.contentSecurityPolicy.contentSecurityPolicy).to.match(
      /connect-src 'self' https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com/,
    );
    expect(policy.strictTransportSecurity).to.deep.equal({
      accessControlMaxAgeSec: 63072000,
      includeSubdomains: true,
      preload: true,
      override: true,
    });
    expect(policy.contentTypeOptions).to.deep.equal({ override: true });
    expect(policy.frameOptions).to.deep.equal({ frameOption: "DENY", override: true });
    expect(policy.referrerPolicy).to.deep.equal({ referrerPolicy: expected["Referrer-Policy"], override: true });
    const d = distribution();
    expect(d.defaultCacheBehavior.responseHeadersPolicyId).to.equal("site-headers-id");
    // Every header of securityHeaders() is sent: the five CloudFront has settings for, the rest as custom headers.
    const custom =
      named("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").inputs.customHeadersConfig?.items ?? [];
    const sent = new Set([...Object.keys(policy).map((k) => k.toLowerCase()), ...custom.map((h: any) => h.header.toLowerCase())]);
    expect(sent.size).to.equal(Object.keys(expected).length);
    expect(cloudFrontHeaders({ "Permissions-Policy": "camera=()" }).custom).to.deep.equal([
      { header: "Permissions-Policy", value: "camera=()", override: true },
    ]);
  });

  it("falls back to /index.html for app routes, on the site behaviour only", () => {
    const fn = named("aws:cloudfront/function:Function", "site-spa-fallback").inputs;
    expect(fn.runtime).to.equal("cloudfront-js-2.0");
    const handler = runInNewContext(`${SPA_FALLBACK_CODE}; handler`) as (e: unknown) => { uri: string };
    const uriFor = (uri: string) => handler({ request: { uri } }).uri;
    expect(uriFor("/")).to.equal("/index.html");
    expect(uriFor("/todos/active")).to.equal("/index.html");
    expect(uriFor("/assets/app-3F2A.js")).to.equal("/assets/app-3F2A.js");
    expect(uriFor("/config.json")).to.equal("/config.json");
    const d = distribution();
    expect(d.defaultCacheBehavior.functionAssociations).to.deep.equal([
      { eventType: "viewer-request", functionArn: named("aws:cloudfront/function:Function", "site-spa-fallback").state.arn },
    ]);
    expect(d.orderedCacheBehaviors[0].functionAssociations ?? []).to.be.empty;
    expect(d.customErrorResponses ?? [], "no distribution-wide error rewrite that would hide API errors").to.be.empty;
  });

  it("honours each object's Cache-Control: minimum TTL 0 so no-cache files are never served stale, a year allowed", () => {
    const cache = named("aws:cloudfront/cachePolicy:CachePolicy", "site-site-cache").inputs;
    expect(cache).to.include({ minTtl: 0, maxTtl: 31536000 });
    expect(cache.parametersInCacheKeyAndForwardedToOrigin).to.include({ enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true });
    expect(distribution().defaultCacheBehavior.cachePolicyId).to.equal("site-site-cache-id");
  });

  it("sends /api/* to the API stage uncached, with Authorization and every other viewer header but Host", () => {
    const d = distribution();
    expect(d.orderedCacheBehaviors).to.have.length(1);
    const api = d.orderedCacheBehaviors[0];
    expect(api.pathPattern).to.equal("/api/*");
    expect(api.cachePolicyId).to.equal(MANAGED_CACHE_POLICY_CACHING_DISABLED);
    expect(api.originRequestPolicyId).to.equal(MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST);
    expect(api.allowedMethods).to.include.members(["GET", "POST", "PATCH", "DELETE", "OPTIONS"]);
    const origin = d.origins.find((o: any) => o.originId === api.targetOriginId);
    expect(origin.domainName).to.equal("api-rest-id.execute-api.eu-west-1.amazonaws.com");
    expect(origin.originPath).to.equal("/live");
    expect(origin.customOriginConfig).to.include({ originProtocolPolicy: "https-only" });
    expect(origin.customOriginConfig.originSslProtocols).to.deep.equal(["TLSv1.2"]);
  });

  it("uploads the build with its content types and Cache-Control, and a config.json from the stack", () => {
    const objects = ofType("aws:s3/bucketObjectv2:BucketObjectv2").filter((o) => o.name.startsWith("site-file-"));
    const byKey = new Map(objects.map((o) => [o.inputs.key as string, o.inputs]));
    const index = byKey.get("index.html")!;
    expect(index).to.include({ contentType: "text/html; charset=utf-8", cacheControl: CACHE_REVALIDATE });
    const assets = objects.filter((o) => /^assets\/.+-[A-Z0-9]{6,}\.(js|css)$/.test(o.inputs.key));
    expect(assets.length, "hashed assets").to.be.greaterThan(0);
    for (const asset of assets) expect(asset.inputs.cacheControl).to.equal(CACHE_IMMUTABLE);
    expect(assets.map((a) => a.inputs.contentType)).to.include("text/javascript; charset=utf-8");
    const config = byKey.get("config.json")!;
    expect(config).to.include({ contentType: "application/json; charset=utf-8", cacheControl: CACHE_REVALIDATE });
    expect(JSON.parse(config.content)).to.deep.equal({
      region: "eu-west-1",
      userPoolId: outputs.userPoolId,
      userPoolClientId: outputs.userPoolClientId,
      apiBase: "/api",
    });
    expect([...byKey.keys()].filter((k) => k === "config.json")).to.have.length(1);
  });

  it("refuses a build without index.html and a non-https Cognito origin, naming both", async () => {
    expect(
      () =>
        new StaticSite("bad-site", {
          siteDir: "/nowhere",
          files: [],
          config: { region: "r", userPoolId: "p", userPoolClientId: "c", apiBase: "/api" },
          cognitoOrigin: "http://x",
          apiDomain: "d",
          apiStageName: "s",
        }),
    ).to.throw(/index\.html.*cognitoOrigin/);
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("bad-site"))).to.be.empty;
  });
});
