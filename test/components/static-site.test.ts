/** StaticSite: private bucket behind CloudFront (OAC), security headers, SPA fallback, /api behaviour, uploads. */
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { expect } from "chai";
import {
  MANAGED_CACHE_POLICY_CACHING_DISABLED,
  MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
  SPA_FALLBACK_CODE,
  StaticSite,
  type StaticSiteArgs,
  WAF_MANAGED_RULE_GROUP,
  WAF_RATE_LIMITED_BODY,
  WAF_RULE_NAMES,
  cloudFrontHeaders,
} from "../../components/static-site";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE } from "../../common/hosting";
import { securityHeaders } from "../../common/security-headers";
import { named, ofType, ROOT, runProgram, settle, recorded, valueOf } from "../../dev/pulumi-mocks";

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

  it("without a domain: the CloudFront domain and certificate, no certificate, records or web ACL (the dev stack)", () => {
    const d = distribution();
    expect(d.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
    expect(d.aliases ?? []).to.be.empty;
    expect(d.webAclId).to.be.undefined;
    expect(outputs.siteUrl).to.match(/^https:\/\/site-cdn\.cloudfront\.net$/);
    const mine = (type: string) => ofType(type).filter((r) => r.name.startsWith("site-"));
    for (const type of ["aws:acm/certificate:Certificate", "aws:route53/record:Record", "aws:wafv2/webAcl:WebAcl", "pulumi:providers:aws"])
      expect(mine(type), type).to.be.empty;
  });

  it("redirects to HTTPS, compresses, speaks HTTP/2 and HTTP/3", () => {
    const d = distribution();
    expect(d.httpVersion).to.equal("http2and3");
    expect(d.defaultCacheBehavior).to.include({ viewerProtocolPolicy: "redirect-to-https", compress: true });
    expect(d.defaultRootObject).to.equal("index.html");
    for (const behavior of d.orderedCacheBehaviors) expect(behavior.viewerProtocolPolicy).to.be.oneOf(["redirect-to-https", "https-only"]);
  });

  it("sends the security headers of common/security-headers.ts: connect-src is this origin, Cognito's and the push channel's, nothing more", () => {
    const policy = named("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers").inputs.securityHeadersConfig;
    const realtime = String(outputs.pushRealtimeDomain);
    const expected = securityHeaders({ cognitoOrigin: "https://cognito-idp.eu-west-1.amazonaws.com", pushOrigin: `wss://${realtime}` });
    expect(policy.contentSecurityPolicy.contentSecurityPolicy).to.equal(expected["Content-Security-Policy"]);
    const connectSrc = /(?:^|; )connect-src ([^;]+)/.exec(policy.contentSecurityPolicy.contentSecurityPolicy)![1].split(" ");
    expect(connectSrc).to.deep.equal(["'self'", "https://cognito-idp.eu-west-1.amazonaws.com", `wss://${realtime}`]);
    expect(realtime).to.match(/\.appsync-realtime-api\.eu-west-1\.amazonaws\.com$/);
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
    // CachingDisabled has gzip and brotli off: CloudFront could not compress here (API Gateway does).
    expect(api.compress).to.equal(false);
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
    // The web app connects to AppSync Events' real-time endpoint and names its HTTP domain as `host`.
    expect(JSON.parse(config.content)).to.deep.equal({
      region: "eu-west-1",
      userPoolId: outputs.userPoolId,
      userPoolClientId: outputs.userPoolClientId,
      apiBase: "/api",
      push: { realtimeUrl: `wss://${String(outputs.pushRealtimeDomain)}/event/realtime`, host: outputs.pushHttpDomain },
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
          apiOriginKey: "k",
        }),
    ).to.throw(/index\.html.*cognitoOrigin/);
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("bad-site"))).to.be.empty;
  });
});

describe("StaticSite with its own domain and AWS WAF (the production shape)", () => {
  let site: StaticSite;
  const byName = (type: string, name: string) => named(type, name);
  before(async () => {
    await runProgram(); // builds dist/site
    site = new StaticSite("prod-site", {
      siteDir: join(ROOT, "dist", "site"),
      files: [{ path: "index.html", contentType: "text/html; charset=utf-8", cacheControl: CACHE_REVALIDATE }],
      config: { region: "eu-west-1", userPoolId: "p", userPoolClientId: "c", apiBase: "/api" },
      cognitoOrigin: "https://cognito-idp.eu-west-1.amazonaws.com",
      apiDomain: "abc.execute-api.eu-west-1.amazonaws.com",
      apiStageName: "live",
      apiOriginKey: "edge-key-value-0123456789",
      domainName: "todo.example.com",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      wafRateLimit: 500,
    });
    await settle();
  });
  const cdn = () => byName("aws:cloudfront/distribution:Distribution", "prod-site-cdn");
  const inUsEast1 = (r: { options: { provider: string } }) => r.options.provider.includes("pulumi:providers:aws::prod-site-us-east-1");

  it("makes a second AWS provider in us-east-1, where CloudFront reads certificates and web ACLs", () => {
    expect(byName("pulumi:providers:aws", "prod-site-us-east-1").inputs.region).to.equal("us-east-1");
  });

  it("gets an ACM certificate for the domain in us-east-1, validated by a DNS record in the hosted zone", () => {
    const certificate = byName("aws:acm/certificate:Certificate", "prod-site-certificate");
    expect(certificate.inputs).to.include({ domainName: "todo.example.com", validationMethod: "DNS" });
    expect(inUsEast1(certificate)).to.equal(true);
    const record = byName("aws:route53/record:Record", "prod-site-certificate-validation-record");
    const option = certificate.state.domainValidationOptions[0];
    expect(record.inputs).to.deep.include({
      zoneId: "Z0123456789ABCDEFGHIJ",
      name: option.resourceRecordName,
      type: "CNAME",
      records: [option.resourceRecordValue],
    });
    const validation = byName("aws:acm/certificateValidation:CertificateValidation", "prod-site-certificate-validation");
    expect(validation.inputs.certificateArn).to.equal(certificate.state.arn);
    expect(validation.inputs.validationRecordFqdns).to.deep.equal([record.state.fqdn]);
    expect(inUsEast1(validation)).to.equal(true);
  });

  it("serves the domain as the distribution's alias with that certificate: SNI, TLS 1.2_2021 at least", () => {
    expect(cdn().inputs.aliases).to.deep.equal(["todo.example.com"]);
    expect(cdn().inputs.viewerCertificate).to.deep.equal({
      acmCertificateArn: byName("aws:acm/certificate:Certificate", "prod-site-certificate").state.arn,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
  });

  it("points A and AAAA alias records of the domain at the distribution, and its url is the domain", async () => {
    for (const type of ["A", "AAAA"]) {
      const record = byName("aws:route53/record:Record", `prod-site-alias-${type.toLowerCase()}`);
      expect(record.inputs).to.deep.include({ zoneId: "Z0123456789ABCDEFGHIJ", name: "todo.example.com", type });
      expect(inUsEast1(record), "Route 53 is global: the stack's own provider").to.equal(false);
      expect(record.inputs.aliases).to.deep.equal([
        { name: cdn().state.domainName, zoneId: cdn().state.hostedZoneId, evaluateTargetHealth: false },
      ]);
    }
    expect(await valueOf(site.url)).to.equal("https://todo.example.com");
  });

  it("attaches a CloudFront-scope web ACL from us-east-1: a per-IP rate limit on /api/* answered with a JSON 429", () => {
    const acl = byName("aws:wafv2/webAcl:WebAcl", "prod-site-waf");
    expect(inUsEast1(acl)).to.equal(true);
    expect(acl.inputs.scope).to.equal("CLOUDFRONT");
    expect(acl.inputs.defaultAction).to.deep.equal({ allow: {} });
    expect(cdn().inputs.webAclId).to.equal(acl.state.arn);
    const rate = acl.inputs.rules.find((r: any) => r.statement.rateBasedStatement);
    expect(rate.statement.rateBasedStatement).to.deep.include({ limit: 500, aggregateKeyType: "IP", evaluationWindowSec: 300 });
    expect(rate.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement).to.deep.include({
      searchString: "/api/",
      positionalConstraint: "STARTS_WITH",
      fieldToMatch: { uriPath: {} },
    });
    const response = rate.action.block.customResponse;
    expect(response.responseCode).to.equal(429);
    expect(response.responseHeaders).to.deep.equal([
      { name: "Cache-Control", value: "no-store" },
      { name: "X-Content-Type-Options", value: "nosniff" },
      { name: "Retry-After", value: "300" },
    ]);
    const body = acl.inputs.customResponseBodies.find((b: any) => b.key === response.customResponseBodyKey);
    expect(body.contentType).to.equal("APPLICATION_JSON");
    expect(JSON.parse(body.content).error).to.include({ code: "rate_limited" });
    expect(body.content).to.equal(WAF_RATE_LIMITED_BODY);
  });

  it("applies AWS's common rule set to everything, counting (not blocking) the body rules that would refuse what a person types", () => {
    const acl = byName("aws:wafv2/webAcl:WebAcl", "prod-site-waf");
    const managed = acl.inputs.rules.find((r: any) => r.statement.managedRuleGroupStatement);
    expect(managed.overrideAction).to.deep.equal({ none: {} });
    expect(managed.statement.managedRuleGroupStatement).to.deep.include({ vendorName: "AWS", name: WAF_MANAGED_RULE_GROUP });
    // Every rule of the set that reads the body (AWS WAF developer guide, "Baseline rule groups").
    expect(managed.statement.managedRuleGroupStatement.ruleActionOverrides).to.deep.equal(
      ["SizeRestrictions_BODY", "EC2MetaDataSSRF_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "CrossSiteScripting_BODY"].map((name) => ({
        name,
        actionToUse: { count: {} },
      })),
    );
    expect(new Set(acl.inputs.rules.map((r: any) => r.priority)).size).to.equal(acl.inputs.rules.length);
    // The cost model prices a rule per name here.
    expect(acl.inputs.rules.map((r: any) => r.name)).to.deep.equal([...WAF_RULE_NAMES]);
  });

  it("refuses a domain without its hosted zone, a bad domain and a rate limit WAF would refuse, naming each", async () => {
    const base: StaticSiteArgs = {
      siteDir: "/nowhere",
      files: [{ path: "index.html", contentType: "text/html", cacheControl: CACHE_REVALIDATE }],
      config: { region: "r", userPoolId: "p", userPoolClientId: "c", apiBase: "/api" },
      cognitoOrigin: "https://cognito-idp.eu-west-1.amazonaws.com",
      apiDomain: "d",
      apiStageName: "s",
      apiOriginKey: "k",
    };
    expect(() => new StaticSite("bad-domain", { ...base, domainName: "todo.example.com", wafRateLimit: 5 })).to.throw(
      /hostedZoneId.*wafRateLimit/,
    );
    expect(() => new StaticSite("bad-domain2", { ...base, domainName: "Not A Domain", hostedZoneId: "Z1" })).to.throw(/domainName must be/);
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("bad-domain"))).to.be.empty;
  });
});
