/**
 * One front door, as on AWS: the API answers only through the site's address. The origin adds
 * the front door's key to every /api request (CloudFront's origin custom header); the API host's
 * own listener (`stageUrl`, API Gateway's stage URL) adds nothing, so it refuses every call with
 * 403 after the authorizer and before the validator and the handler.
 */
import { Agent } from "node:http";
import { connect } from "node:net";
import { expect } from "chai";
import { API_KEY_HEADER, GATEWAY_ERRORS, type ErrorBody } from "../../common/gateway";
import { registerUser } from "../../dev/cognito-client";
import type { LogEntry } from "../../handlers/http";
import { startStack, type RunningStack } from "../../local/stack";
import { rawRequest, TEST_CONFIRMATION_CODE, TEST_PASSWORD } from "./http-driver";

describe("the local stack's front door", function () {
  let stack: RunningStack;
  let token: string;
  const requestLog: LogEntry[] = [];
  const lines: string[] = [];
  const agent = new Agent({ keepAlive: true });

  before(async function () {
    stack = await startStack({
      port: 0,
      confirmationCode: TEST_CONFIRMATION_CODE,
      log: (line) => lines.push(line),
      requestLog: (entry) => requestLog.push(entry),
    });
    const tokens = await registerUser(
      stack.cognitoEndpoint,
      stack.userPoolClientId,
      "front@example.com",
      TEST_PASSWORD,
      TEST_CONFIRMATION_CODE,
    );
    token = tokens.idToken;
  });
  after(async function () {
    agent.destroy();
    await stack?.close();
  });

  /** A request to `baseUrl`; the log holds only what this request wrote. */
  async function call(baseUrl: string, headers: Record<string, string>, method = "GET", path = "/api/todos", body?: string) {
    requestLog.length = 0;
    const res = await rawRequest(baseUrl, agent, method, path, headers, body === undefined ? undefined : Buffer.from(body));
    return { ...res, json: JSON.parse(res.body.toString("utf8")) as ErrorBody };
  }
  const signedIn = (more: Record<string, string> = {}) => ({ Authorization: token, ...more });

  it("answers a signed-in call through the site's address: the handler runs", async function () {
    const res = await call(stack.url, signedIn());
    expect(res.status).to.equal(200);
    expect(requestLog.map((e) => e.msg)).to.deep.equal(["request"]);
  });

  it("refuses the same call at the stage URL with 403 and INVALID_API_KEY's body, before the handler", async function () {
    const res = await call(stack.stageUrl, signedIn());
    expect(res.status).to.equal(403);
    const { code, message } = GATEWAY_ERRORS.INVALID_API_KEY;
    expect(res.json.error).to.deep.equal({ code, message, details: [], requestId: res.headers["x-amzn-requestid"] });
    expect(requestLog).to.have.length(1);
    expect(requestLog[0]).to.include({ msg: "gateway.rejected", status: 403, errorCode: code });
  });

  it("refuses a call at the stage URL with a key that is not the front door's", async function () {
    const res = await call(stack.stageUrl, signedIn({ [API_KEY_HEADER]: "a-guess-of-twenty-or-more-characters" }));
    expect(res.status).to.equal(403);
    expect(res.json.error.message).to.equal(GATEWAY_ERRORS.INVALID_API_KEY.message);
    expect(requestLog.map((e) => e.msg)).to.deep.equal(["gateway.rejected"]);
  });

  it("checks the key in API Gateway's order at the stage URL: after the route (404) and the token (401), before the validator", async function () {
    expect((await call(stack.stageUrl, {}, "GET", "/api/unknown")).status).to.equal(404);
    const anonymous = await call(stack.stageUrl, {});
    expect(anonymous.status).to.equal(401);
    expect(anonymous.json.error.code).to.equal(GATEWAY_ERRORS.UNAUTHORIZED.code);
    // A body the validator refuses (400 through the site's address) gets the key's 403 first.
    const badBody = await call(stack.stageUrl, signedIn({ "Content-Type": "application/json" }), "POST", "/api/todos", "{}");
    expect(badBody.status).to.equal(403);
    expect(badBody.json.error.message).to.equal(GATEWAY_ERRORS.INVALID_API_KEY.message);
  });

  it("overwrites a key the browser sends through the site's address, as CloudFront does", async function () {
    const res = await call(stack.url, signedIn({ [API_KEY_HEADER]: "a-guess-of-twenty-or-more-characters" }));
    expect(res.status).to.equal(200);
    expect(requestLog.map((e) => e.msg)).to.deep.equal(["request"]);
  });

  it("prints the stage URL in the summary", function () {
    expect(lines.join("\n")).to.contain(`API stage   ${stack.stageUrl}  (answers only through the site's address, as on AWS)`);
  });
});

describe("the local stack's stage listener", function () {
  it("listens on 127.0.0.1 and is closed with the stack", async function () {
    const stack = await startStack({ port: 0, log: () => undefined });
    const { hostname, port } = new URL(stack.stageUrl);
    expect(hostname).to.equal("127.0.0.1");
    await stack.close();
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.on("connect", () => (socket.destroy(), resolve("connected")));
      socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
    });
    expect(refused).to.equal("ECONNREFUSED");
  });
});
