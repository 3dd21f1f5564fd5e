/**
 * AuthPool: the Cognito user pool people sign up and sign in with, and the site's app client.
 *
 * Default settings:
 * - the e-mail address is the user name (case-insensitive); Cognito verifies it with a code
 * - passwords of at least 12 characters, no composition rules (PASSWORD_POLICY)
 * - account recovery by verified e-mail only; self sign-up allowed
 * - app client without a secret (the site is a public client) allowing USER_PASSWORD_AUTH
 *   (the flow the site and the local Cognito use) and refresh tokens, nothing else
 * - no user-existence leaks (`preventUserExistenceErrors`), token revocation on
 * - access and ID tokens live 60 minutes, refresh tokens 30 days
 * - the settings the local Cognito shares live in auth-policy.ts (password, pool, client, tokens)
 * - feature plan LITE, the cheapest that has every feature the pool uses: e-mail sign-up with a
 *   verification code, a length-only password policy, password and refresh-token sign-in, token
 *   revocation, no user-existence errors, deletion protection and SES (DEVELOPER) e-mail are all in
 *   Lite; Essentials adds managed login, e-mail MFA, passwordless and passkey sign-in, access-token
 *   customization and password history, none used here (Cognito's "Features by plan",
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html).
 *   Essentials is what a pool gets unless it says otherwise
 * - the e-mail changes only once the new address is verified (`attributesRequireVerificationBeforeUpdate`):
 *   until then the old, verified one stays the sign-in name and the `email` claim
 * - the app client reads and writes only the attributes the site uses (WRITE_ATTRIBUTES, READ_ATTRIBUTES)
 * - with `protect`: deletion protection on; Pulumi's `protect`, so the engine refuses to delete or
 *   replace the pool (a replacing change such as `usernameAttributes` would otherwise make a new,
 *   empty pool: every account gone); and `retainOnDelete` so `pulumi destroy` keeps the users
 * - e-mail: with `sesIdentityArn`, Cognito sends as DEVELOPER through that SES identity, from
 *   `emailFrom` (SES's quotas apply); without, Cognito's built-in sender, which allows only a few
 *   e-mails a day per account ("below the required delivery volume" of production, Cognito's
 *   EmailConfigurationType) and then answers LimitExceededException "Exceeded daily email limit".
 *   The SES identity must be in the pool's region or in us-east-1, us-west-2 or eu-west-1 (Cognito
 *   developer guide, "Email settings for Amazon Cognito user pools"; CDK's UserPoolSESOptions
 *   `sesRegion`): another region is refused before anything is created
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_CLIENT_SETTINGS, PASSWORD_POLICY, TOKEN_VALIDITY, USER_POOL_SETTINGS } from "../common/auth-policy";
import { SETTINGS } from "./settings";

export const PASSWORD_MIN_LENGTH = PASSWORD_POLICY.minimumLength;

/** Regions whose SES Cognito may send from when the identity is not in the pool's own region. */
export const SES_ALTERNATE_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"] as const;
/** What the site writes: the e-mail at sign-up (site/src/auth.ts). */
export const WRITE_ATTRIBUTES = ["email"] as const;
/** What the site may read of its own account. */
export const READ_ATTRIBUTES = ["email", "email_verified"] as const;

export interface AuthPoolArgs {
  /** The pool's region (the provider's): an SES identity must be here or in SES_ALTERNATE_REGIONS. */
  readonly region: string;
  /** Turn on deletion protection and keep the pool when the stack is destroyed. @default SETTINGS.protectData */
  readonly protect?: boolean;
  /** Minutes access and ID tokens stay valid. @default 60 (TOKEN_VALIDITY) */
  readonly tokenValidityMinutes?: number;
  /** Days a refresh token stays valid. @default 30 (TOKEN_VALIDITY) */
  readonly refreshTokenValidityDays?: number;
  /** ARN of a verified SES identity Cognito sends from; needs `emailFrom`. @default SETTINGS.sesIdentityArn (Cognito's sender) */
  readonly sesIdentityArn?: string;
  /** Sender address (with an optional display name) within that identity. @default SETTINGS.emailFrom */
  readonly emailFrom?: string;
}

export class AuthPool extends pulumi.ComponentResource {
  public readonly userPoolId: pulumi.Output<string>;
  public readonly userPoolArn: pulumi.Output<string>;
  public readonly userPoolClientId: pulumi.Output<string>;

  constructor(name: string, args: AuthPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const protect = args.protect ?? SETTINGS.protectData.default;
    const tokenMinutes = args.tokenValidityMinutes ?? TOKEN_VALIDITY.accessAndIdTokenMinutes;
    const refreshDays = args.refreshTokenValidityDays ?? TOKEN_VALIDITY.refreshTokenDays;
    const sesIdentityArn = args.sesIdentityArn ?? SETTINGS.sesIdentityArn.default;
    const emailFrom = args.emailFrom ?? SETTINGS.emailFrom.default;
    const problems: string[] = [];
    if (sesIdentityArn !== "" && !/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/.+$/.test(sesIdentityArn))
      problems.push(
        `sesIdentityArn must be an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>), not ${sesIdentityArn}`,
      );
    if ((sesIdentityArn === "") !== (emailFrom === "")) problems.push("sesIdentityArn and emailFrom go together: set both, or neither");
    const sesRegion = /^arn:aws[a-z-]*:ses:([a-z0-9-]+):/.exec(sesIdentityArn)?.[1];
    if (sesRegion !== undefined && sesRegion !== args.region && !(SES_ALTERNATE_REGIONS as readonly string[]).includes(sesRegion))
      problems.push(
        `sesIdentityArn is in ${sesRegion}, where Cognito cannot send from for a pool in ${args.region}: ` +
          `verify the identity in ${[args.region, ...SES_ALTERNATE_REGIONS].join(", ")} and use that one`,
      );
    if (emailFrom !== "" && !/^([^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$/.test(emailFrom))
      problems.push(`emailFrom must be an address, optionally with a name: "tasklane <no-reply@example.com>", not ${emailFrom}`);
    // Cognito's own limits: access/ID tokens 5 minutes to 1 day, refresh tokens 1 to 3650 days.
    if (!Number.isInteger(tokenMinutes) || tokenMinutes < 5 || tokenMinutes > 1440)
      problems.push("tokenValidityMinutes must be a whole number from 5 to 1440");
    if (!Number.isInteger(refreshDays) || refreshDays < 1 || refreshDays > 3650)
      problems.push("refreshTokenValidityDays must be a whole number from 1 to 3650");
    if (problems.length > 0) throw new Error(`AuthPool ${name}: ${problems.join("; ")}`);
    super("tasklane:index:AuthPool", name, {}, opts);

    const pool = new aws.cognito.UserPool(
      `${name}-users`,
      {
        usernameAttributes: [...USER_POOL_SETTINGS.usernameAttributes],
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: [...USER_POOL_SETTINGS.autoVerifiedAttributes],
        verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
        passwordPolicy: { ...PASSWORD_POLICY },
        accountRecoverySetting: { recoveryMechanisms: USER_POOL_SETTINGS.recoveryMechanisms.map((m) => ({ ...m })) },
        adminCreateUserConfig: { allowAdminCreateUserOnly: USER_POOL_SETTINGS.allowAdminCreateUserOnly },
        deletionProtection: protect ? "ACTIVE" : "INACTIVE",
        userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
        userPoolTier: "LITE",
        emailConfiguration:
          sesIdentityArn !== ""
            ? { emailSendingAccount: "DEVELOPER", sourceArn: sesIdentityArn, fromEmailAddress: emailFrom }
            : { emailSendingAccount: "COGNITO_DEFAULT" },
      },
      { parent: this, protect, retainOnDelete: protect },
    );

    const client = new aws.cognito.UserPoolClient(
      `${name}-site`,
      {
        userPoolId: pool.id,
        generateSecret: APP_CLIENT_SETTINGS.generateSecret,
        explicitAuthFlows: [...APP_CLIENT_SETTINGS.explicitAuthFlows],
        preventUserExistenceErrors: APP_CLIENT_SETTINGS.preventUserExistenceErrors,
        enableTokenRevocation: APP_CLIENT_SETTINGS.enableTokenRevocation,
        accessTokenValidity: tokenMinutes,
        idTokenValidity: tokenMinutes,
        refreshTokenValidity: refreshDays,
        tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
        supportedIdentityProviders: ["COGNITO"],
        writeAttributes: [...WRITE_ATTRIBUTES],
        readAttributes: [...READ_ATTRIBUTES],
      },
      { parent: this },
    );

    this.userPoolId = pool.id;
    this.userPoolArn = pool.arn;
    this.userPoolClientId = client.id;
    this.registerOutputs({ userPoolId: this.userPoolId, userPoolArn: this.userPoolArn, userPoolClientId: this.userPoolClientId });
  }
}
