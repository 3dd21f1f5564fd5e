/**
 * The one builder of API Gateway's Lambda proxy event (local/proxy-event.ts).
 */
import { expect } from "chai";
import { proxyEvent } from "../../local/proxy-event";

describe("the Lambda proxy event (local/proxy-event.ts)", function () {
  const base = { method: "GET", resource: "/api/todos/{id}", requestId: "r-1", time: new Date(1_700_000_000_000) };

  it("builds the whole REST-API event: resource, path, parameters, claims, request context", function () {
    const event = proxyEvent({
      ...base,
      url: "/api/todos/abc?limit=5",
      pathParameters: { id: "abc" },
      headers: [
        ["User-Agent", "test/1"],
        ["X-Twice", "a"],
        ["X-Twice", "b"],
      ],
      claims: { sub: "user-1" },
      sourceIp: "127.0.0.2",
    });
    expect(JSON.parse(JSON.stringify(event))).to.deep.equal({
      resource: "/api/todos/{id}",
      path: "/api/todos/abc",
      httpMethod: "GET",
      headers: { "User-Agent": "test/1", "X-Twice": "b" },
      multiValueHeaders: { "User-Agent": ["test/1"], "X-Twice": ["a", "b"] },
      queryStringParameters: { limit: "5" },
      multiValueQueryStringParameters: { limit: ["5"] },
      pathParameters: { id: "abc" },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        requestId: "r-1",
        resourcePath: "/api/todos/{id}",
        httpMethod: "GET",
        path: "/api/todos/abc",
        stage: "local",
        requestTimeEpoch: 1_700_000_000_000,
        identity: { sourceIp: "127.0.0.2", userAgent: "test/1" },
        authorizer: { claims: { sub: "user-1" } },
      },
    });
  });

  it("keeps the last of a repeated query parameter, and __proto__ as a parameter like any other", function () {
    const event = proxyEvent({ ...base, url: "/api/todos?status=a&status=b&__proto__=x" });
    expect(event.queryStringParameters?.status).to.equal("b");
    expect(event.multiValueQueryStringParameters?.status).to.deep.equal(["a", "b"]);
    expect(Object.keys(event.queryStringParameters ?? {})).to.include("__proto__");
    expect(event.queryStringParameters?.__proto__).to.equal("x");
  });

  it("passes a body as text, invalid UTF-8 as U+FFFD, never base64; an empty one as null", function () {
    expect(proxyEvent({ ...base, url: "/", body: Buffer.from([0x7b, 0xff, 0x7d]) }).body).to.equal("{\uFFFD}");
    expect(proxyEvent({ ...base, url: "/", body: Buffer.from([0x7b, 0xff, 0x7d]) }).isBase64Encoded).to.equal(false);
    expect(proxyEvent({ ...base, url: "/", body: "" }).body).to.equal(null);
    expect(proxyEvent({ ...base, url: "/", headers: {} }).headers).to.equal(null);
  });

  it("reads a target beginning with // as a path, never as a host", function () {
    expect(proxyEvent({ ...base, url: "//evil.example/api/todos" }).path).to.equal("//evil.example/api/todos");
  });

  it("has no authorizer block for an event without claims", function () {
    expect(proxyEvent({ ...base, url: "/", claims: null }).requestContext.authorizer).to.equal(null);
  });
});
