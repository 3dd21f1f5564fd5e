/**
 * The local Cognito authorizer (local/authorizer.ts) on its own: a key pair of the test's, its
 * JWKS served on 127.0.0.1, tokens minted with jose. The HTTP suite checks it against the real
 * local Cognito; this one pins each rule.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { expect } from "chai";
import { exportJWK, SignJWT, type JWTPayload } from "jose";
import { cognitoAuthorizer, type Authorizer } from "../../local/authorizer";
import { closeServer, listen } from "../../local/listen";

const CLIENT_ID = "test-client";

describe("the local Cognito authorizer (local/authorizer.ts)", function () {
  let server: Server;
  let issuer: string;
  let authorize: Authorizer;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const mint = (claims: JWTPayload, key: KeyObject = privateKey, alg = "RS256") =>
    new SignJWT(claims).setProtectedHeader({ alg, kid: "k1" }).sign(key);
  const now = () => Math.floor(Date.now() / 1000);
  const idClaims = (): JWTPayload => ({
    sub: "user-1",
    iss: issuer,
    aud: CLIENT_ID,
    token_use: "id",
    exp: now() + 600,
    email: "ada@example.com",
    email_verified: false,
    "cognito:groups": ["a", "b"],
  });

  before(async function () {
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
    server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(jwks));
    const port = await listen(server, 0);
    issuer = `http://127.0.0.1:${port}/local_pool`;
    authorize = cognitoAuthorizer({ jwksUrl: `${issuer}/.well-known/jwks.json`, issuer, clientId: CLIENT_ID });
  });
  after(() => closeServer(server));

  it("accepts the pool's ID token as the header's whole value, and hands over every claim as a string", async function () {
    const claims = await authorize(await mint(idClaims()));
    expect(claims).to.include({ sub: "user-1", token_use: "id", aud: CLIENT_ID, email_verified: "false", "cognito:groups": "a,b" });
    expect(claims?.exp).to.match(/^\d+$/);
  });

  it("refuses a missing header and anything around the token", async function () {
    const token = await mint(idClaims());
    for (const header of [undefined, "", `Bearer ${token}`, ` ${token}`, `${token}.`]) {
      expect(await authorize(header), String(header).slice(0, 20)).to.equal(undefined);
    }
  });

  it("refuses another key, another issuer, another audience, an expired token, an access token, and HS256", async function () {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const cases: Record<string, Promise<string>> = {
      "another key": mint(idClaims(), other),
      "another issuer": mint({ ...idClaims(), iss: `${issuer}x` }),
      "another audience": mint({ ...idClaims(), aud: "other-client" }),
      expired: mint({ ...idClaims(), exp: now() - 60 }),
      "access token": mint({ ...idClaims(), token_use: "access" }),
      "no token_use": mint({ ...idClaims(), token_use: undefined }),
      "no sub": mint({ ...idClaims(), sub: undefined }),
      HS256: new SignJWT(idClaims()).setProtectedHeader({ alg: "HS256", kid: "k1" }).sign(new TextEncoder().encode("a shared secret")),
    };
    for (const [name, token] of Object.entries(cases)) expect(await authorize(await token), name).to.equal(undefined);
  });

  it("reports the e-mail verified only under the local stack's explicit rule (cognito-local never verifies one)", async function () {
    const local = cognitoAuthorizer({
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      issuer,
      clientId: CLIENT_ID,
      confirmedMeansVerifiedEmail: true,
    });
    expect(await authorize(await mint(idClaims()))).to.include({ email_verified: "false" });
    expect(await local(await mint(idClaims()))).to.include({ email: "ada@example.com", email_verified: "true" });
    expect(await local(await mint({ ...idClaims(), email: undefined }))).to.not.have.property("email_verified", "true");
  });
});
