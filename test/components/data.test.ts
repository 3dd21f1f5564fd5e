/** TodoTable and AuthPool: their settings in the program, and what `protect` changes. */
import { expect } from "chai";
import { AuthPool, PASSWORD_MIN_LENGTH } from "../../components/auth-pool";
import { TodoTable } from "../../components/todo-table";
import { CHANGES_INDEX, TABLE_KEY, TTL_ATTRIBUTE } from "../../handlers/table";
import { todoTableDefinition } from "../../local/dynamo";
import { named, runProgram, settle } from "../../dev/pulumi-mocks";

describe("TodoTable", () => {
  before(() => runProgram());

  it("keys the table by userId (S) and todoId (S), on demand, with PITR, encryption and TTL", () => {
    const { inputs } = named("aws:dynamodb/table:Table", "todos-table");
    expect(inputs.hashKey).to.equal("userId").and.equal(TABLE_KEY.partition);
    expect(inputs.rangeKey).to.equal("todoId").and.equal(TABLE_KEY.sort);
    expect(inputs.attributes).to.deep.equal([
      { name: "userId", type: "S" },
      { name: "todoId", type: "S" },
      { name: "changeKey", type: "S" },
    ]);
    expect(inputs.billingMode).to.equal("PAY_PER_REQUEST");
    expect(inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
    expect(inputs.serverSideEncryption.enabled).to.equal(true);
    expect(inputs.ttl).to.deep.equal({ attributeName: TTL_ATTRIBUTE, enabled: true });
  });

  it("has the change feed's local secondary index on (userId, changeKey), every attribute projected", () => {
    const { inputs } = named("aws:dynamodb/table:Table", "todos-table");
    expect(inputs.localSecondaryIndexes).to.deep.equal([{ name: CHANGES_INDEX.name, rangeKey: "changeKey", projectionType: "ALL" }]);
    expect(inputs.globalSecondaryIndexes).to.equal(undefined);
  });

  it("is the table the local stack creates: the same keys, attributes and index (one definition)", () => {
    const { inputs } = named("aws:dynamodb/table:Table", "todos-table");
    const local = todoTableDefinition("local");
    expect(local.KeySchema).to.deep.equal([
      { AttributeName: inputs.hashKey, KeyType: "HASH" },
      { AttributeName: inputs.rangeKey, KeyType: "RANGE" },
    ]);
    expect(local.AttributeDefinitions).to.deep.equal(
      (inputs.attributes as { name: string; type: string }[]).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    );
    expect(local.LocalSecondaryIndexes).to.deep.equal(
      (inputs.localSecondaryIndexes as { name: string; rangeKey: string; projectionType: string }[]).map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: inputs.hashKey, KeyType: "HASH" },
          { AttributeName: index.rangeKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: index.projectionType },
      })),
    );
    expect(local.BillingMode).to.equal(inputs.billingMode);
  });

  it("leaves the dev stack's table deletable (no deletion protection, not retained)", () => {
    const table = named("aws:dynamodb/table:Table", "todos-table");
    expect(table.inputs.deletionProtectionEnabled).to.equal(false);
    expect(table.options.retainOnDelete).to.equal(false);
  });

  it("with protect: deletion protection on and retainOnDelete", async () => {
    new TodoTable("protected", { protect: true });
    await settle();
    const table = named("aws:dynamodb/table:Table", "protected-table");
    expect(table.inputs.deletionProtectionEnabled).to.equal(true);
    expect(table.options.retainOnDelete).to.equal(true);
  });
});

describe("AuthPool", () => {
  before(() => runProgram());

  it("signs users in by verified e-mail, with a 12-character password policy and e-mail recovery", () => {
    const { inputs } = named("aws:cognito/userPool:UserPool", "auth-users");
    expect(inputs.usernameAttributes).to.deep.equal(["email"]);
    expect(inputs.autoVerifiedAttributes).to.deep.equal(["email"]);
    expect(inputs.passwordPolicy.minimumLength).to.equal(12).and.equal(PASSWORD_MIN_LENGTH);
    // Length, not composition rules (NIST SP 800-63B); the local Cognito enforces the same object.
    expect(inputs.passwordPolicy).to.include({
      requireLowercase: false,
      requireUppercase: false,
      requireNumbers: false,
      requireSymbols: false,
    });
    expect(inputs.accountRecoverySetting.recoveryMechanisms).to.deep.equal([{ name: "verified_email", priority: 1 }]);
    expect(inputs.deletionProtection).to.equal("INACTIVE");
  });

  it("has a public app client: no secret, password and refresh flows only, no user-existence leaks, revocation on", () => {
    const { inputs } = named("aws:cognito/userPoolClient:UserPoolClient", "auth-site");
    expect(inputs.generateSecret).to.equal(false);
    expect([...inputs.explicitAuthFlows].sort()).to.deep.equal(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]);
    expect(inputs.preventUserExistenceErrors).to.equal("ENABLED");
    expect(inputs.enableTokenRevocation).to.equal(true);
    expect(inputs.userPoolId).to.equal("auth-users-id");
  });

  it("issues access and ID tokens for 60 minutes and refresh tokens for 30 days", () => {
    const { inputs } = named("aws:cognito/userPoolClient:UserPoolClient", "auth-site");
    expect(inputs).to.include({ accessTokenValidity: 60, idTokenValidity: 60, refreshTokenValidity: 30 });
    expect(inputs.tokenValidityUnits).to.deep.equal({ accessToken: "minutes", idToken: "minutes", refreshToken: "days" });
  });

  it("with protect: deletion protection ACTIVE and retainOnDelete", async () => {
    new AuthPool("protected-auth", { region: "eu-west-1", protect: true });
    await settle();
    const pool = named("aws:cognito/userPool:UserPool", "protected-auth-users");
    expect(pool.inputs.deletionProtection).to.equal("ACTIVE");
    expect(pool.options.retainOnDelete).to.equal(true);
    expect(named("aws:cognito/userPool:UserPool", "auth-users").options.retainOnDelete).to.equal(false);
  });

  it("is on the LITE feature plan, the cheapest with every feature the pool uses (Essentials is Cognito's default)", () => {
    expect(named("aws:cognito/userPool:UserPool", "auth-users").inputs.userPoolTier).to.equal("LITE");
  });

  it("sends e-mail with Cognito's built-in sender when no SES identity is set (the dev stack)", () => {
    expect(named("aws:cognito/userPool:UserPool", "auth-users").inputs.emailConfiguration).to.deep.equal({
      emailSendingAccount: "COGNITO_DEFAULT",
    });
  });

  it("with an SES identity: sends as DEVELOPER through it, from emailFrom", async () => {
    const identity = "arn:aws:ses:eu-west-1:123456789012:identity/example.com";
    new AuthPool("ses-auth", { region: "eu-west-1", sesIdentityArn: identity, emailFrom: "tasklane <no-reply@example.com>" });
    await settle();
    expect(named("aws:cognito/userPool:UserPool", "ses-auth-users").inputs.emailConfiguration).to.deep.equal({
      emailSendingAccount: "DEVELOPER",
      sourceArn: identity,
      fromEmailAddress: "tasklane <no-reply@example.com>",
    });
  });

  it("refuses an SES identity without a sender, or one that is not an SES identity ARN", () => {
    expect(() => new AuthPool("bad-ses", { region: "eu-west-1", sesIdentityArn: "arn:aws:s3:::bucket" })).to.throw(
      /sesIdentityArn must be.*set both/,
    );
    expect(() => new AuthPool("bad-ses2", { region: "eu-west-1", emailFrom: "not an address" })).to.throw(/set both.*emailFrom must be/);
  });

  it("refuses token lifetimes Cognito would refuse, naming every problem", () => {
    expect(() => new AuthPool("bad-auth", { region: "eu-west-1", tokenValidityMinutes: 2, refreshTokenValidityDays: 0 })).to.throw(
      /tokenValidityMinutes.*refreshTokenValidityDays/,
    );
  });
});
