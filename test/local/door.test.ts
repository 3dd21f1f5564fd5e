/**
 * The local stack is not a door into everyone's data: a page open in the developer's browser
 * (another origin, or a name rebound to 127.0.0.1) gets nothing from dynalite or cognito-local,
 * the app's own pages get only a user's own Cognito calls, local tools (no Origin) get all, and
 * the data folder is readable by its owner only (local/local-guard.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { cognitoCall, registerUser, signIn } from "../../dev/cognito-client";
import { LOCAL_CREDENTIALS } from "../../local/dynamo";
import { COGNITO_BROWSER_CALLS } from "../../local/local-guard";
import { startStack, type RunningStack } from "../../local/stack";
import { rawRequest, TEST_CONFIRMATION_CODE, TEST_PASSWORD } from "./http-driver";

const EVIL = "http://evil.example";
const EMAIL = "door@example.com";

describe("the local stack's door", function () {
  let stack: RunningStack;
  let dataDir: string;
  let appOrigin: string;
  const lines: string[] = [];
  const agent = new Agent({ keepAlive: true });

  before(async function () {
    // A data folder from before this rule: open to every user of the machine.
    dataDir = join(mkdtempSync(join(tmpdir(), "tasklane-door-")), "data");
    mkdirSync(join(dataDir, "cognito"), { recursive: true });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, "cognito"), 0o755);
    stack = await startStack({ port: 0, dataDir, confirmationCode: TEST_CONFIRMATION_CODE, log: (line) => lines.push(line) });
    appOrigin = stack.url;
    await registerUser(stack.cognitoEndpoint, stack.userPoolClientId, EMAIL, TEST_PASSWORD, TEST_CONFIRMATION_CODE);
  });
  after(async function () {
    agent.destroy();
    await stack?.close();
    if (dataDir) rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  /** A JSON-protocol POST (DynamoDB's or Cognito's) with the headers given, Host included. */
  async function post(endpoint: string, target: string, input: object, headers: Record<string, string> = {}) {
    const contentType = target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
    const res = await rawRequest(
      endpoint,
      agent,
      "POST",
      "/",
      { "Content-Type": contentType, "X-Amz-Target": target, ...headers },
      Buffer.from(JSON.stringify(input)),
    );
    const text = res.body.toString("utf8");
    return { ...res, text, json: (text ? JSON.parse(text) : {}) as { __type?: string; message?: string } };
  }
  const cognito = (action: string, input: object, headers?: Record<string, string>) =>
    post(stack.cognitoEndpoint, `AWSCognitoIdentityProviderService.${action}`, input, headers);
  const dynamo = (action: string, input: object, headers?: Record<string, string>) =>
    post(stack.dynamoEndpoint, `DynamoDB_20120810.${action}`, input, headers);
  const preflight = (endpoint: string, origin: string) =>
    rawRequest(endpoint, agent, "OPTIONS", "/", {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type,x-amz-target",
    });
  const corsHeaders = (headers: Record<string, string>) => Object.keys(headers).filter((name) => name.startsWith("access-control-"));
  const signInAs = (password: string, headers?: Record<string, string>) =>
    cognito(
      "InitiateAuth",
      { ClientId: stack.userPoolClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: EMAIL, PASSWORD: password } },
      headers,
    );
  const setPassword = (headers: Record<string, string>) =>
    cognito(
      "AdminSetUserPassword",
      { UserPoolId: stack.userPoolId, Username: EMAIL, Password: "taken over by a page", Permanent: true },
      headers,
    );

  describe("dynalite", function () {
    it("refuses a page from another origin (ListTables, Scan) with 403 saying why, and no CORS headers", async function () {
      for (const [action, input] of [
        ["ListTables", {}],
        ["Scan", { TableName: stack.tableName }],
      ] as const) {
        const res = await dynamo(action, input, { Origin: EVIL });
        expect(res.status, action).to.equal(403);
        expect(res.json.message, action).to.include(EVIL).and.include("only local tools");
        expect(res.text).not.to.include("Items");
        expect(corsHeaders(res.headers), action).to.deep.equal([]);
      }
    });

    it("refuses even the app's own pages: the site never calls DynamoDB", async function () {
      const res = await dynamo("Scan", { TableName: stack.tableName }, { Origin: appOrigin });
      expect(res.status).to.equal(403);
      expect(res.headers["access-control-allow-origin"]).to.equal(undefined);
    });

    it("refuses another origin's preflight without allow headers", async function () {
      const res = await preflight(stack.dynamoEndpoint, EVIL);
      expect(res.status).to.equal(403);
      expect(corsHeaders(res.headers)).to.deep.equal([]);
    });

    it("refuses a Host that is not 127.0.0.1 or localhost with its port (DNS rebinding)", async function () {
      const { port } = new URL(stack.dynamoEndpoint);
      const rebound = await dynamo("ListTables", {}, { Host: `evil.example:${port}` });
      expect(rebound.status).to.equal(403);
      expect(rebound.json.message).to.include("evil.example");
      expect((await dynamo("ListTables", {}, { Host: "evil.example" })).status).to.equal(403);
      expect((await dynamo("ListTables", {}, { Host: `localhost:${port}` })).status).to.equal(400); // dynalite's: unsigned
    });

    it("still answers local tools (the AWS SDK sends no Origin)", async function () {
      const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
      try {
        expect((await client.send(new ListTablesCommand({}))).TableNames).to.include(stack.tableName);
      } finally {
        client.destroy();
      }
    });
  });

  describe("cognito-local", function () {
    it("refuses a page from another origin: ListUsers, AdminSetUserPassword, even InitiateAuth", async function () {
      const list = await cognito("ListUsers", { UserPoolId: stack.userPoolId }, { Origin: EVIL });
      expect(list.status).to.equal(403);
      expect(list.json.message).to.include(EVIL);
      expect(list.text).not.to.include(EMAIL);
      expect(corsHeaders(list.headers)).to.deep.equal([]);
      const set = await setPassword({ Origin: EVIL });
      expect(set.status).to.equal(403);
      expect(corsHeaders(set.headers)).to.deep.equal([]);
      expect((await signInAs(TEST_PASSWORD, { Origin: EVIL })).status).to.equal(403);
      // Refused before it happened, not merely unreadable: the password is still the user's.
      await signIn(stack.cognitoEndpoint, stack.userPoolClientId, EMAIL, TEST_PASSWORD);
    });

    it("refuses admin and pool calls from the app's own origin too, saying why", async function () {
      const calls: [string, object][] = [
        ["AdminSetUserPassword", { UserPoolId: stack.userPoolId, Username: EMAIL, Password: "taken over by a page", Permanent: true }],
        ["AdminGetUser", { UserPoolId: stack.userPoolId, Username: EMAIL }],
        ["ListUsers", { UserPoolId: stack.userPoolId }],
        ["DescribeUserPool", { UserPoolId: stack.userPoolId }],
        ["ListUserPools", { MaxResults: 10 }],
        ["CreateUserPool", { PoolName: "page-made" }],
      ];
      for (const [action, input] of calls) {
        const res = await cognito(action, input, { Origin: appOrigin });
        expect(res.status, action).to.equal(403);
        expect(res.json.message, action).to.include(action).and.include("only local tools");
        expect(res.text, action).not.to.include(EMAIL);
      }
      await signIn(stack.cognitoEndpoint, stack.userPoolClientId, EMAIL, TEST_PASSWORD);
    });

    it("answers the app's own pages a user's call, with CORS for that origin only", async function () {
      for (const origin of [appOrigin, appOrigin.replace("127.0.0.1", "localhost")]) {
        const res = await signInAs(TEST_PASSWORD, { Origin: origin });
        expect(res.status, origin).to.equal(200);
        expect(res.text).to.include("IdToken");
        expect(res.headers["access-control-allow-origin"], origin).to.equal(origin);
        expect(res.headers.vary).to.match(/\bOrigin\b/);
      }
    });

    it("answers the app's preflight with its origin and the two headers the site sends, another origin's not at all", async function () {
      const own = await preflight(stack.cognitoEndpoint, appOrigin);
      expect(own.status).to.equal(204);
      expect(own.headers["access-control-allow-origin"]).to.equal(appOrigin);
      expect(own.headers["access-control-allow-headers"]).to.equal("Content-Type, X-Amz-Target");
      expect(own.headers.vary).to.equal("Origin");
      const evil = await preflight(stack.cognitoEndpoint, EVIL);
      expect(evil.status).to.equal(403);
      expect(corsHeaders(evil.headers)).to.deep.equal([]);
    });

    it("refuses a Host that is not 127.0.0.1 or localhost with its port, even with the app's origin", async function () {
      const { port } = new URL(stack.cognitoEndpoint);
      const rebound = await setPassword({ Host: `evil.example:${port}` });
      expect(rebound.status).to.equal(403);
      expect((await signInAs(TEST_PASSWORD, { Host: `evil.example:${port}`, Origin: appOrigin })).status).to.equal(403);
      await signIn(stack.cognitoEndpoint, stack.userPoolClientId, EMAIL, TEST_PASSWORD);
    });

    it("still answers local tools every call, admin ones included, without cognito-local's `*`", async function () {
      const list = await cognitoCall(stack.cognitoEndpoint, "ListUsers", { UserPoolId: stack.userPoolId });
      expect(list.status).to.equal(200);
      expect(JSON.stringify(list.body)).to.include(EMAIL);
      const res = await cognito("AdminGetUser", { UserPoolId: stack.userPoolId, Username: EMAIL });
      expect(res.status).to.equal(200);
      expect(corsHeaders(res.headers)).to.deep.equal([]);
    });

    it("lets the app's pages make every Cognito call the site makes (site/src/auth.ts, auth-words.ts)", function () {
      const source = ["auth.ts", "auth-words.ts"].map((file) => readFileSync(join(__dirname, "../../site/src", file), "utf8")).join("\n");
      const used = [...source.matchAll(/\bcall\("(\w+)"/g)].map((m) => m[1]);
      expect(used).to.include.members(["SignUp", "InitiateAuth", "ChangePassword"]);
      expect(used.filter((action) => !COGNITO_BROWSER_CALLS.has(action))).to.deep.equal([]);
      expect([...COGNITO_BROWSER_CALLS].filter((action) => /^Admin|^List|Pool/.test(action))).to.deep.equal([]);
    });
  });

  describe("the data folder", function () {
    it("is readable by its owner only, what the stack makes inside it too", function () {
      for (const dir of [dataDir, ...["dynamodb", "cognito", "site"].map((name) => join(dataDir, name))]) {
        expect((statSync(dir).mode & 0o777).toString(8), dir).to.equal("700");
      }
    });

    it("was made so when it existed open to others, and the log says so", function () {
      expect(lines.filter((line) => line.includes("readable by its owner only"))).to.deep.equal([
        `Made ${dataDir} readable by its owner only (it was mode 755): local passwords and to-dos are kept there.`,
        `Made ${join(dataDir, "cognito")} readable by its owner only (it was mode 755): local passwords and to-dos are kept there.`,
      ]);
    });
  });
});
