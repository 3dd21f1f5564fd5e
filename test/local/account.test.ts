/**
 * Account deletion on the local stack, over HTTP: cognito-local signs the person out everywhere
 * (AdminUserGlobalSignOut, played by local/cognito-patch.ts) and deletes them (AdminDeleteUser),
 * and the sweep, a timer here (shortened by `sweepDelayMs`), removes what was written in flight.
 */
import { expect } from "chai";
import { cognitoCall, registerUser, type Tokens } from "../../dev/cognito-client";
import { createDocumentClient } from "../../handlers/store";
import { LOCAL_CREDENTIALS } from "../../local/dynamo";
import { startStack, type RunningStack } from "../../local/stack";

const CODE = "135790";
const EMAIL = "erin.leaves@example.com";
const PASSWORD = "erin has a long password";

describe("account deletion on the local stack", function () {
  this.timeout(60_000);
  let stack: RunningStack;
  let tokens: Tokens;
  before(async () => {
    stack = await startStack({ confirmationCode: CODE, log: () => undefined, sweepDelayMs: 1500 });
    tokens = await registerUser(stack.cognitoEndpoint, stack.userPoolClientId, EMAIL, PASSWORD, CODE);
  });
  after(async () => stack?.close());

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.url}${path}`, {
      method,
      headers: { Authorization: tokens.idToken, ...(body !== undefined && { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("AdminUserGlobalSignOut (played for cognito-local) stops a live user's refresh token, and not their password", async function () {
    const other = await registerUser(stack.cognitoEndpoint, stack.userPoolClientId, "fay.stays@example.com", PASSWORD, CODE);
    const refresh = () =>
      cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
        ClientId: stack.userPoolClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: other.refreshToken },
      });
    expect((await refresh()).status).to.equal(200);
    const username = JSON.parse(Buffer.from(other.idToken.split(".")[1], "base64url").toString())["cognito:username"] as string;
    expect(
      (await cognitoCall(stack.cognitoEndpoint, "AdminUserGlobalSignOut", { UserPoolId: stack.userPoolId, Username: username })).status,
    ).to.equal(200);
    expect((await refresh()).status).to.equal(400);
    const again = await cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
      ClientId: stack.userPoolClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "fay.stays@example.com", PASSWORD },
    });
    expect(again.status).to.equal(200);
  });

  it("ends the sessions, deletes the Cognito user, refuses the old token's requests, and sweeps what came in flight", async function () {
    expect((await api("GET", "/api/lists")).status).to.equal(200);
    const sub = JSON.parse(Buffer.from(tokens.idToken.split(".")[1], "base64url").toString()).sub as string;
    const deleted = await api("DELETE", "/api/account");
    expect(deleted.status).to.equal(200);
    expect(((await deleted.json()) as { nextCursor: unknown }).nextCursor).to.equal(null);

    // The refresh token no longer works, nor the password: the user is gone.
    const refresh = await cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
      ClientId: stack.userPoolClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
    });
    expect(refresh.status).to.equal(400);
    const signIn = await cognitoCall(stack.cognitoEndpoint, "InitiateAuth", {
      ClientId: stack.userPoolClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: EMAIL, PASSWORD },
    });
    expect(signIn.status).to.equal(400);
    // The ID token itself is still valid until it expires (as on AWS): the API answers 410.
    const late = await api("POST", "/api/todos", { title: "written with the old token" });
    expect(late.status).to.equal(410);

    // A write that got past its checks before the marker, landing now: the sweep removes it.
    const doc = createDocumentClient({ endpoint: stack.dynamoEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
    try {
      const key = { userId: sub, todoId: "01JZZZZZZZZZZZZZZZZZZZZZZZ" };
      await doc.put({ TableName: stack.tableName, Item: { ...key, title: "in flight", version: 1 } });
      let gone = false;
      for (const end = Date.now() + 10_000; !gone && Date.now() < end;) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        gone = (await doc.get({ TableName: stack.tableName, Key: key, ConsistentRead: true })).Item === undefined;
      }
      expect(gone, "swept").to.equal(true);
    } finally {
      doc.destroy();
    }
  });
});
