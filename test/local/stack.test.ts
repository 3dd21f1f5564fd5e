/**
 * What only the HTTP transport has: API Gateway's part (the Cognito authorizer, the request
 * validator, the proxy event), CloudFront's part (the site, its headers, /config.json), the
 * local Cognito's settings, and the stack's life (restart on the same data, a port in use).
 */
import { errorBody, GATEWAY_ERRORS, JSON_CONTENT_TYPE, type ErrorBody } from "../../common/gateway";
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, createServer } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { decodeJwt, SignJWT, type JWTPayload } from "jose";
import type { LogEntry } from "../../handlers/http";
import { securityHeaders } from "../../common/security-headers";
import { startCognito, type LocalCognito } from "../../local/cognito";
import { PortInUseError } from "../../local/listen";
import { STARTING, startStack, type RunningStack } from "../../local/stack";
import { cognitoCall, registerUser, signIn, type Tokens } from "../../dev/cognito-client";
import { EMAILS, rawRequest, startHttpDriver, TEST_CONFIRMATION_CODE, TEST_PASSWORD, type HttpDriver } from "./http-driver";

/** cognito-local signs with this key (shipped in its package): used to mint tokens it would. */
function cognitoLocalKey(): KeyObject {
  const file = join(dirname(require.resolve("cognito-local/package.json")), "lib/keys/cognitoLocal.private.json");
  return createPrivateKey(JSON.parse(readFileSync(file, "utf8")).pem);
}

function mint(claims: JWTPayload, key: KeyObject): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" }).sign(key);
}

const tempDir = () => mkdtempSync(join(tmpdir(), "tasklane-test-"));

function dechunk(text: string): string {
  let out = "";
  for (let rest = text; ;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * A POST over a raw socket that sends the whole body before reading anything, as a client busy
 * uploading does. Resolves the status line and body; a reset or broken pipe rejects.
 */
function postBeforeReading(
  baseUrl: string,
  path: string,
  authorization: string,
  body: Buffer,
  chunked: boolean,
): Promise<{ statusLine: string; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.pause();
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer after 10 s")));
    socket.on("error", reject);
    const length = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`;
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\n${length}\r\n\r\n`,
    );
    if (chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) {
        const part = body.subarray(i, i + 64 * 1024);
        socket.write(`${part.length.toString(16)}\r\n`);
        socket.write(part);
        socket.write("\r\n");
      }
      socket.write("0\r\n\r\n");
    } else {
      socket.write(body);
    }
    socket.write("", () => {
      let received = "";
      socket.on("data", (data: Buffer) => {
        received += data.toString("utf8");
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) return;
        const [head, rest] = [received.slice(0, end), received.slice(end + 4)];
        const declared = /content-length: *(\d+)/i.exec(head)?.[1];
        let content: string | undefined;
        if (declared !== undefined && Buffer.byteLength(rest) >= Number(declared)) content = rest;
        else if (/transfer-encoding: *chunked/i.test(head) && rest.endsWith("0\r\n\r\n")) content = dechunk(rest);
        if (content === undefined) return;
        socket.destroy();
        resolve({ statusLine: head.split("\r\n")[0], body: content });
      });
      socket.resume();
    });
  });
}

describe("local stack over HTTP", function () {
  let stack: RunningStack;
  let driver: HttpDriver;
  const requestLog: LogEntry[] = [];
  const lines: string[] = [];

  before(async function () {
    stack = await startStack({
      port: 0,
      confirmationCode: TEST_CONFIRMATION_CODE,
      log: (line) => lines.push(line),
      requestLog: (entry) => requestLog.push(entry),
    });
    driver = await startHttpDriver({ stack });
  });
  after(async function () {
    await driver?.close();
    await stack?.close();
  });

  const listAs = (authorization: string | undefined) => driver.sendWithAuthorization(authorization, { method: "GET", path: "/api/todos" });

  describe("the Cognito authorizer", function () {
    let foreign: LocalCognito | undefined;
    let foreignDir: string;
    after(async function () {
      await foreign?.close();
      rmSync(foreignDir, { recursive: true, force: true });
    });

    it("accepts the pool's ID token as the Authorization header's whole value, and nothing around it", async function () {
      expect((await listAs(driver.tokens.alice.idToken)).status).to.equal(200);
      // The header value is the token: no "Bearer " stripped (AWS is not documented to), so the
      // local stack never accepts what API Gateway might refuse.
      expect((await listAs(`Bearer ${driver.tokens.alice.idToken}`)).status).to.equal(401);
    });

    it("answers 401 in the API's error shape without a token, before validating the body", async function () {
      const res = await driver.sendWithAuthorization(undefined, { method: "POST", path: "/api/todos", body: {} });
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({
        error: {
          code: "unauthorized",
          message: "Sign in to use this API: the request carries no valid token.",
          details: [],
          requestId: res.headers["x-amzn-requestid"],
        },
      });
      expect(res.headers["content-type"]).to.match(/^application\/json/);
    });

    it("answers 401 to malformed and tampered tokens", async function () {
      const real = driver.tokens.alice.idToken;
      const [header, payload, signature] = real.split(".");
      const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11);
      const otherPayload = Buffer.from(JSON.stringify({ ...decodeJwt(real), sub: "someone-else" })).toString("base64url");
      for (const value of [
        "",
        "Bearer",
        "Bearer ",
        "not-a-jwt",
        "a.b.c",
        `${header}.${payload}`,
        `${header}.${payload}.${flipped}`,
        `${header}.${otherPayload}.${signature}`,
        `${header}.${payload}.`,
      ]) {
        const res = await listAs(value);
        expect(res.status, `token ${value.slice(0, 40)}`).to.equal(401);
        expect(res.body.error.code).to.equal("unauthorized");
      }
    });

    it("answers 401 to a token signed with another key, and 200 to the same claims signed with the pool's", async function () {
      const claims = decodeJwt(driver.tokens.alice.idToken);
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      expect((await listAs(await mint(claims, privateKey))).status).to.equal(401);
      // The control: minting works, so the 401 above is the signature check.
      expect((await listAs(await mint(claims, cognitoLocalKey()))).status).to.equal(200);
    });

    it("answers 401 to an expired token, a wrong audience, an access token and a foreign issuer", async function () {
      const claims = decodeJwt(driver.tokens.alice.idToken);
      const now = Math.floor(Date.now() / 1000);
      const key = cognitoLocalKey();
      const cases: Record<string, JWTPayload> = {
        expired: { ...claims, iat: now - 7200, exp: now - 60 },
        "wrong audience": { ...claims, aud: "another-app-client" },
        "no token_use": { ...claims, token_use: undefined },
        "access token_use": { ...claims, token_use: "access" },
        "another pool's issuer": { ...claims, iss: `${stack.cognitoEndpoint}/local_other` },
      };
      for (const [name, payload] of Object.entries(cases)) {
        expect((await listAs(await mint(payload, key))).status, name).to.equal(401);
      }
      expect((await listAs(driver.tokens.alice.accessToken)).status, "the real access token").to.equal(401);
      expect((await listAs(driver.tokens.alice.refreshToken)).status, "the real refresh token").to.equal(401);
    });

    it("answers 401 to a real ID token from another user pool", async function () {
      foreignDir = tempDir();
      foreign = await startCognito({ dataDir: foreignDir, confirmationCode: "111111", log: () => undefined });
      expect(foreign.userPoolId).not.to.equal(stack.userPoolId);
      const tokens = await registerUser(foreign.endpoint, foreign.userPoolClientId, "mallory@example.com", TEST_PASSWORD, "111111");
      const res = await listAs(tokens.idToken);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("unauthorized");
    });

    it("hands the token's claims to the handler: the to-do belongs to the token's sub", async function () {
      await driver.reset();
      requestLog.length = 0;
      const created = await driver.send("bob", { method: "POST", path: "/api/todos", body: { title: "mine" } });
      expect(created.status).to.equal(201);
      const sub = decodeJwt(driver.tokens.bob.idToken).sub;
      const entry = requestLog.find((e) => e.msg === "request" && e.route === "createTodo");
      expect(entry?.userId).to.equal(sub);
      const items = await driver.tableItems();
      expect(items.map((i) => i.userId)).to.deep.equal([sub]);
    });
  });

  describe("the request validator", function () {
    const post = (rawBody: string | Buffer, contentType = "application/json") =>
      driver.send("alice", { method: "POST", path: "/api/todos", rawBody, headers: { "Content-Type": contentType } });

    it("answers 400 validation_failed, before Lambda, to bodies that break the route's schema", async function () {
      requestLog.length = 0;
      for (const body of ["{}", '{"title":5}', '{"title":"x","owner":"bob"}', "[]", "null"]) {
        const res = await post(body);
        expect(res.status, body).to.equal(400);
        expect(res.body.error).to.include({ code: "validation_failed", requestId: res.headers["x-amzn-requestid"] });
        // The same words as API Gateway's response: no validator text (it would echo input and break JSON).
        expect(res.body.error.message).to.equal(GATEWAY_ERRORS.BAD_REQUEST_BODY.message);
        expect(res.body.error.details).to.deep.equal([]);
      }
      await post('{"title":"x","owner":"bob"}');
      // No handler ran: every log entry is the gateway's, and the log says what the validator found.
      expect(requestLog.map((e) => e.msg)).to.deep.equal(Array(6).fill("gateway.rejected"));
      expect(requestLog.at(-1)?.detail).to.contain('"owner"');
    });

    it("answers 400 validation_failed to malformed JSON sent as application/json", async function () {
      for (const body of ['{"title":', "{title: 1}", " "]) {
        const res = await post(body, "application/json; charset=utf-8");
        expect(res.status, body).to.equal(400);
        expect(res.body.error.code).to.equal("validation_failed");
      }
    });

    it("validates an empty application/json body as {}, as API Gateway does: clear-completed takes it, create refuses it", async function () {
      const empty = (path: string) =>
        driver.send("alice", { method: "POST", path, rawBody: "", headers: { "Content-Type": "application/json" } });
      const cleared = await empty("/api/todos/clear-completed");
      expect(cleared.status).to.equal(200);
      expect(cleared.body).to.include({ nextCursor: null });
      requestLog.length = 0;
      const created = await empty("/api/todos");
      expect(created.status).to.equal(400);
      expect(requestLog.at(-1)?.detail).to.contain("title"); // the model's required property, not "Invalid JSON"
    });

    it("validates only JSON bodies: another media type reaches the handler, which answers 415", async function () {
      const res = await post('{"title":"x"}', "text/plain");
      expect(res.status).to.equal(415);
      expect(res.body.error.code).to.equal("unsupported_media_type");
    });

    it("answers 413 to a body over 1 MiB every time (50 tries, declared and chunked), never a reset, and keeps serving", async function () {
      // 8 MiB: more than the socket buffers hold, so the host answers while the client is still
      // sending; a client that reads only once it has sent everything must still find its 413.
      const big = Buffer.alloc(8 * 1024 * 1024, 0x20);
      for (let i = 0; i < 50; i++) {
        const chunked = i % 2 === 1;
        const answer = await postBeforeReading(stack.url, "/api/todos", driver.tokens.alice.idToken, big, chunked);
        expect(answer.statusLine, `try ${i + 1} (${chunked ? "chunked" : "declared"})`).to.equal("HTTP/1.1 413 Payload Too Large");
        expect((JSON.parse(answer.body) as ErrorBody).error.code).to.equal("payload_too_large");
      }
      expect((await listAs(driver.tokens.alice.idToken)).status).to.equal(200);
    });

    it("answers 404 to an unknown route before asking for a token", async function () {
      const res = await driver.sendWithAuthorization(undefined, { method: "GET", path: "/api/unknown" });
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal("not_found");
    });

    it("passes the last value of a repeated query parameter, as API Gateway does", async function () {
      await driver.reset();
      await driver.send("alice", { method: "POST", path: "/api/todos", body: { title: "done", completed: true } });
      await driver.send("alice", { method: "POST", path: "/api/todos", body: { title: "open" } });
      const res = await driver.send("alice", { method: "GET", path: "/api/todos?status=completed&status=active" });
      expect(res.status).to.equal(200);
      expect(res.body.items.map((t: { title: string }) => t.title)).to.deep.equal(["open"]);
    });
  });

  describe("the site", function () {
    const get = (path: string, headers: Record<string, string> = {}) => rawRequest(stack.url, new Agent(), "GET", path, headers);
    const index = () => readFileSync(join(stack.dataDir, "site", "index.html"));

    it("serves index.html at / and at any path without a file extension, with the security headers", async function () {
      const expected = securityHeaders({ cognitoOrigin: stack.cognitoEndpoint });
      for (const path of ["/", "/index.html", "/todos/active", "/some/deep/link?x=1", "/v1.2/notes"]) {
        const res = await get(path);
        expect(res.status, path).to.equal(200);
        expect(res.body.equals(index()), path).to.equal(true);
        expect(res.headers["content-type"]).to.equal("text/html; charset=utf-8");
        expect(res.headers["cache-control"]).to.equal("no-cache");
        for (const [name, value] of Object.entries(expected)) expect(res.headers[name.toLowerCase()], name).to.equal(value);
      }
      expect(expected["Content-Security-Policy"]).to.contain(`connect-src 'self' ${stack.cognitoEndpoint}`);
    });

    it("answers 404 to a path with a file extension that the build did not make, never a file from disk", async function () {
      const headers = securityHeaders({ cognitoOrigin: stack.cognitoEndpoint });
      for (const path of [
        "/assets/missing.js",
        "/missing.css",
        "/../../package.json",
        "/..%2Fpackage.json",
        "/local/stack.ts",
        "/%E0%A4%A.js",
      ]) {
        const res = await get(path);
        expect(res.status, path).to.equal(404);
        expect(res.headers["content-type"], path).to.equal("text/plain; charset=utf-8");
        expect(res.headers["content-security-policy"], path).to.equal(headers["Content-Security-Policy"]);
      }
    });

    it("serves /config.json pointing at the local pool and the same-origin API", async function () {
      const res = await get("/config.json");
      expect(res.status).to.equal(200);
      expect(res.headers["content-type"]).to.match(/^application\/json/);
      expect(res.headers["cache-control"]).to.equal("no-cache");
      expect(JSON.parse(res.body.toString())).to.deep.equal({
        region: stack.region,
        userPoolId: stack.userPoolId,
        userPoolClientId: stack.userPoolClientId,
        apiBase: "/api",
        cognitoEndpoint: stack.cognitoEndpoint,
        push: {}, // the push channel on this origin (common/hosting.ts SiteConfig.push)
      });
    });

    it("answers a matching If-None-Match with 304 and refuses writes with 405", async function () {
      const first = await get("/");
      const again = await get("/", { "If-None-Match": first.headers.etag });
      expect(again.status).to.equal(304);
      expect(again.body.length).to.equal(0);
      const post = await rawRequest(stack.url, new Agent(), "POST", "/", {}, Buffer.from("x"));
      expect(post.status).to.equal(405);
    });

    it("lets the page call the local Cognito cross-origin (CORS preflight)", async function () {
      const res = await fetch(stack.cognitoEndpoint, {
        method: "OPTIONS",
        headers: {
          Origin: stack.url,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
      });
      expect(res.status).to.be.within(200, 204);
      expect(res.headers.get("access-control-allow-origin")).to.be.oneOf(["*", stack.url]);
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).to.contain("x-amz-target");
      expect(res.headers.get("access-control-allow-methods")).to.contain("POST");
    });
  });

  describe("CloudFront's part on /api", function () {
    it("adds the response-headers policy StaticSite puts on /api/*, to the handler's answers and the gateway's", async function () {
      const expected = securityHeaders({ cognitoOrigin: stack.cognitoEndpoint });
      const answers = {
        "handler 200": await listAs(driver.tokens.alice.idToken),
        "gateway 401": await listAs(undefined),
        "gateway 404": await driver.sendWithAuthorization(undefined, { method: "GET", path: "/api/unknown" }),
      };
      for (const [what, res] of Object.entries(answers)) {
        for (const [name, value] of Object.entries(expected)) expect(res.headers[name.toLowerCase()], `${what}: ${name}`).to.equal(value);
        expect(res.headers["cache-control"], what).to.equal("no-store");
      }
    });
  });

  describe("the local Cognito", function () {
    it("enforces AuthPool's password policy: 11 characters are refused, 12 accepted", async function () {
      const short = await cognitoCall(stack.cognitoEndpoint, "SignUp", {
        ClientId: stack.userPoolClientId,
        Username: "carol@example.com",
        Password: "elevenchars",
      });
      expect(short.status).to.equal(400);
      expect(short.body.__type).to.equal("InvalidPasswordException");
      const ok = await cognitoCall(stack.cognitoEndpoint, "SignUp", {
        ClientId: stack.userPoolClientId,
        Username: "carol@example.com",
        Password: "twelve chars",
      });
      expect(ok.status).to.equal(200);
      expect(ok.body.UserConfirmed).to.equal(false);
      expect(ok.body.CodeDeliveryDetails).to.include({ DeliveryMedium: "EMAIL", Destination: "carol@example.com" });
    });

    it("refuses a password that begins or ends with a space, as Cognito's API does (twelve spaces included)", async function () {
      for (const password of [" ".repeat(12), " twelve chars", "twelve chars ", "x".repeat(257)]) {
        const res = await cognitoCall(stack.cognitoEndpoint, "SignUp", {
          ClientId: stack.userPoolClientId,
          Username: "frank@example.com",
          Password: password,
        });
        expect(res.status, JSON.stringify(password)).to.equal(400);
        expect(res.body.__type, JSON.stringify(password)).to.equal("InvalidParameterException");
        expect(res.body.message).to.match(/^1 validation error detected: Value at 'password' failed to satisfy constraint/);
      }
      const inner = await cognitoCall(stack.cognitoEndpoint, "SignUp", {
        ClientId: stack.userPoolClientId,
        Username: "frank@example.com",
        Password: "spaces inside",
      });
      expect(inner.status, JSON.stringify(inner.body)).to.equal(200);
    });

    it("applies every rule of a pool's policy, in Cognito's words (a pool with all rules on)", async function () {
      const pool = await cognitoCall(stack.cognitoEndpoint, "CreateUserPool", {
        PoolName: "strict",
        Policies: {
          PasswordPolicy: { MinimumLength: 8, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
        },
      });
      const client = await cognitoCall(stack.cognitoEndpoint, "CreateUserPoolClient", {
        UserPoolId: pool.body.UserPool.Id,
        ClientName: "strict",
      });
      const signUp = (password: string) =>
        cognitoCall(stack.cognitoEndpoint, "SignUp", {
          ClientId: client.body.UserPoolClient.ClientId,
          Username: "grace@example.com",
          Password: password,
        });
      const cases: Record<string, string> = {
        "Ab1!": "Password not long enough",
        "ABCDEFG1!": "Password must have lowercase characters",
        "abcdefg1!": "Password must have uppercase characters",
        "Abcdefgh!": "Password must have numeric characters",
        Abcdefgh1: "Password must have symbol characters",
      };
      for (const [password, problem] of Object.entries(cases)) {
        const res = await signUp(password);
        expect(res.body, password).to.deep.equal({
          __type: "InvalidPasswordException",
          message: `Password did not conform with policy: ${problem}`,
        });
      }
      expect((await signUp("Abcdefg1!")).status).to.equal(200);
    });

    it("hides whether a user exists, like AuthPool (PreventUserExistenceErrors)", async function () {
      const attempt = (email: string, password: string) =>
        cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
          ClientId: stack.userPoolClientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: email, PASSWORD: password },
        });
      const wrongPassword = await attempt(EMAILS.alice, "not the password");
      const unknownUser = await attempt("nobody@example.com", TEST_PASSWORD);
      for (const res of [wrongPassword, unknownUser]) {
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ __type: "NotAuthorizedException", message: "Incorrect username or password." });
      }
      const forgot = await cognitoCall(stack.cognitoEndpoint, "ForgotPassword", {
        ClientId: stack.userPoolClientId,
        Username: "nobody@example.com",
      });
      expect(forgot.status).to.equal(200);
      expect(forgot.body.CodeDeliveryDetails.DeliveryMedium).to.equal("EMAIL");
    });

    it("resends a confirmation code to an unconfirmed user, which then confirms", async function () {
      const email = "erin@example.com";
      await cognitoCall(stack.cognitoEndpoint, "SignUp", { ClientId: stack.userPoolClientId, Username: email, Password: TEST_PASSWORD });
      const before = lines.filter((l) => l.includes(`Confirmation code for ${email}`)).length;
      const resent = await cognitoCall(stack.cognitoEndpoint, "ResendConfirmationCode", {
        ClientId: stack.userPoolClientId,
        Username: email,
      });
      expect(resent.status, JSON.stringify(resent.body)).to.equal(200);
      expect(resent.body.CodeDeliveryDetails).to.include({ DeliveryMedium: "EMAIL", Destination: email });
      expect(lines.filter((l) => l.includes(`Confirmation code for ${email}`))).to.have.length(before + 1);
      const confirmed = await cognitoCall(stack.cognitoEndpoint, "ConfirmSignUp", {
        ClientId: stack.userPoolClientId,
        Username: email,
        ConfirmationCode: TEST_CONFIRMATION_CODE,
      });
      expect(confirmed.status).to.equal(200);
      const again = await cognitoCall(stack.cognitoEndpoint, "ResendConfirmationCode", {
        ClientId: stack.userPoolClientId,
        Username: email,
      });
      expect(again.body.__type).to.equal("InvalidParameterException");
    });

    it("treats user names (e-mail addresses) without regard to case", async function () {
      const tokens = await signIn(stack.cognitoEndpoint, stack.userPoolClientId, EMAILS.alice.toUpperCase(), TEST_PASSWORD);
      expect(decodeJwt(tokens.idToken).sub).to.equal(decodeJwt(driver.tokens.alice.idToken).sub);
      const again = await cognitoCall(stack.cognitoEndpoint, "SignUp", {
        ClientId: stack.userPoolClientId,
        Username: "Bob@Example.COM",
        Password: TEST_PASSWORD,
      });
      expect(again.body.__type).to.equal("UsernameExistsException");
    });

    it("creates its pool and app client with AuthPool's settings", async function () {
      const pool = await cognitoCall(stack.cognitoEndpoint, "DescribeUserPool", { UserPoolId: stack.userPoolId });
      expect(pool.status, JSON.stringify(pool.body)).to.equal(200);
      expect(pool.body.UserPool).to.deep.include({
        UsernameAttributes: ["email"],
        AutoVerifiedAttributes: ["email"],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
      });
      expect(pool.body.UserPool.Policies.PasswordPolicy.MinimumLength).to.equal(12);
      const client = await cognitoCall(stack.cognitoEndpoint, "DescribeUserPoolClient", {
        UserPoolId: stack.userPoolId,
        ClientId: stack.userPoolClientId,
      });
      expect(client.status, JSON.stringify(client.body)).to.equal(200);
      expect(client.body.UserPoolClient).to.deep.include({
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
        EnableTokenRevocation: true,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 30,
        TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
      });
      expect(client.body.UserPoolClient.ClientSecret).to.equal(undefined);
    });

    it("allows only the client's flows: USER_SRP_AUTH is refused", async function () {
      const res = await cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
        ClientId: stack.userPoolClientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: EMAILS.alice, SRP_A: "00" },
      });
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal("InvalidParameterException");
    });

    it("refreshes tokens with REFRESH_TOKEN_AUTH; the new ID token is accepted by the API", async function () {
      const res = await cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
        ClientId: stack.userPoolClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: driver.tokens.alice.refreshToken },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect((await listAs(res.body.AuthenticationResult.IdToken)).status).to.equal(200);
    });

    it("prints the confirmation code in the summary's log, and a random one works when none is fixed", async function () {
      expect(lines.join("\n")).to.contain(`Confirmation code for ${EMAILS.alice}: ${TEST_CONFIRMATION_CODE}`);
      const dir = tempDir();
      const logged: string[] = [];
      const cognito = await startCognito({ dataDir: dir, log: (line) => logged.push(line) });
      try {
        const email = "dave@example.com";
        await cognitoCall(cognito.endpoint, "SignUp", { ClientId: cognito.userPoolClientId, Username: email, Password: TEST_PASSWORD });
        const code = /Confirmation code for dave@example\.com: (\d{6})$/.exec(logged.join("\n"))?.[1];
        expect(code, logged.join("\n")).to.be.a("string");
        const wrong = await cognitoCall(cognito.endpoint, "ConfirmSignUp", {
          ClientId: cognito.userPoolClientId,
          Username: email,
          ConfirmationCode: code === "000000" ? "000001" : "000000",
        });
        expect(wrong.body.__type).to.equal("CodeMismatchException");
        const right = await cognitoCall(cognito.endpoint, "ConfirmSignUp", {
          ClientId: cognito.userPoolClientId,
          Username: email,
          ConfirmationCode: code,
        });
        expect(right.status).to.equal(200);
        await signIn(cognito.endpoint, cognito.userPoolClientId, email, TEST_PASSWORD);
      } finally {
        await cognito.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("ports", function () {
    it("refuses a port in use with a clear error instead of hanging", async function () {
      const port = Number(new URL(stack.url).port);
      let error: unknown;
      try {
        const clash = await startStack({ port, siteDir: join(stack.dataDir, "site"), log: () => undefined });
        await clash.close();
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(PortInUseError);
      expect((error as Error).message)
        .to.contain(`Port ${port}`)
        .and.contain("PORT=");
      expect((await listAs(driver.tokens.alice.idToken)).status, "the running stack is untouched").to.equal(200);
    });
  });
});

describe("local stack start-up", function () {
  it("answers a request that arrives while it starts: 503, Retry-After, the API's error body; then serves", async function () {
    const early: { api?: Response; site?: Response } = {};
    const stack = await startStack({
      port: 0,
      log: () => undefined,
      // Start-up waits here, the origin already listening: these requests arrive before anything is ready.
      onListening: async (url) => {
        const timeout = AbortSignal.timeout(5000);
        [early.api, early.site] = await Promise.all([
          fetch(`${url}/api/todos`, { method: "POST", body: '{"title":"too early"}', signal: timeout }),
          fetch(`${url}/`, { signal: timeout }),
        ]);
      },
    });
    try {
      const { api, site } = early as Required<typeof early>;
      expect(api.status).to.equal(503);
      expect(api.headers.get("retry-after")).to.equal("1");
      expect(api.headers.get("content-type")).to.equal(JSON_CONTENT_TYPE);
      expect(api.headers.get("cache-control")).to.equal("no-store");
      const requestId = api.headers.get("x-amzn-requestid") ?? "";
      expect(await api.json()).to.deep.equal(errorBody(STARTING.code, STARTING.message, requestId));
      expect(site.status).to.equal(503);
      expect(site.headers.get("retry-after")).to.equal("1");
      expect(await site.text()).to.contain("starting");
      // Ready: the same requests get their real answers.
      expect((await fetch(`${stack.url}/api/todos`)).status).to.equal(401);
      expect((await fetch(`${stack.url}/`)).status).to.equal(200);
    } finally {
      await stack.close();
    }
  });
});

describe("local stack restart", function () {
  it("keeps users, the pool and to-dos in the data folder across a restart", async function () {
    const dataDir = tempDir();
    try {
      const first = await startStack({ port: 0, dataDir, confirmationCode: TEST_CONFIRMATION_CODE, log: () => undefined });
      let todoId: string;
      let before: Tokens;
      try {
        const tokens = (before = await registerUser(
          first.cognitoEndpoint,
          first.userPoolClientId,
          EMAILS.alice,
          TEST_PASSWORD,
          TEST_CONFIRMATION_CODE,
        ));
        const res = await fetch(`${first.url}/api/todos`, {
          method: "POST",
          headers: { Authorization: tokens.idToken, "Content-Type": "application/json" },
          body: JSON.stringify({ title: "survives a restart" }),
        });
        expect(res.status).to.equal(201);
        todoId = ((await res.json()) as { id: string }).id;
      } finally {
        await first.close();
      }

      const second = await startStack({ port: 0, dataDir, siteDir: join(dataDir, "site"), log: () => undefined });
      try {
        expect(second.userPoolId).to.equal(first.userPoolId);
        expect(second.userPoolClientId).to.equal(first.userPoolClientId);
        // The issuer holds Cognito's endpoint: the same one, so the session from before goes on.
        expect(second.cognitoEndpoint).to.equal(first.cognitoEndpoint);
        const old = await fetch(`${second.url}/api/todos`, { headers: { Authorization: before.idToken } });
        expect(old.status, "an ID token issued before the restart").to.equal(200);
        const refreshed = await cognitoCall(second.cognitoEndpoint, "InitiateAuth", {
          ClientId: second.userPoolClientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: before.refreshToken },
        });
        expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
        // No sign-up this time: the user is still there.
        const tokens = await signIn(second.cognitoEndpoint, second.userPoolClientId, EMAILS.alice, TEST_PASSWORD);
        const res = await fetch(`${second.url}/api/todos`, { headers: { Authorization: tokens.idToken } });
        expect(res.status).to.equal(200);
        const body = (await res.json()) as { items: { id: string; title: string }[] };
        expect(body.items.map((t) => [t.id, t.title])).to.deep.equal([[todoId, "survives a restart"]]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("takes another Cognito port when the remembered one is taken, and says that sessions end", async function () {
    const dataDir = tempDir();
    const blocker = createServer();
    try {
      const first = await startStack({ port: 0, dataDir, log: () => undefined });
      const port = Number(new URL(first.cognitoEndpoint).port);
      await first.close();
      await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
      const lines: string[] = [];
      const second = await startStack({ port: 0, dataDir, siteDir: join(dataDir, "site"), log: (line) => lines.push(line) });
      try {
        expect(Number(new URL(second.cognitoEndpoint).port)).not.to.equal(port);
        expect(lines.join("\n")).to.contain(`Cognito's port ${port}`).and.contain("sign in again");
      } finally {
        await second.close();
      }
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("deletes its temporary data folder on close when none was given", async function () {
    const stack = await startStack({ port: 0, log: () => undefined });
    const dir = stack.dataDir;
    expect(readFileSync(join(dir, "site", "index.html")).length).to.be.greaterThan(0);
    await stack.close();
    expect(() => readFileSync(join(dir, "site", "index.html"))).to.throw(/ENOENT/);
  });
});
