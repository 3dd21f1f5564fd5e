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
 * - with `protect`: deletion protection on, and `retainOnDelete` so `pulumi destroy` keeps the users
 * - e-mail: with `sesIdentityArn`, Cognito sends as DEVELOPER through that SES identity, from
 *   `emailFrom` (SES's quotas apply); without, Cognito's built-in sender, which allows only a few
 *   e-mails a day per account ("below the required delivery volume" of production, Cognito's
 *   EmailConfigurationType) and then answers LimitExceededException "Exceeded daily email limit"
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_CLIENT_SETTINGS, PASSWORD_POLICY, TOKEN_VALIDITY, USER_POOL_SETTINGS } from "../common/auth-policy";
import { SETTINGS } from "./settings";

export const PASSWORD_MIN_LENGTH = PASSWORD_POLICY.minimumLength;

export interface AuthPoolArgs {
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

  constructor(name: string, args: AuthPoolArgs = {}, opts?: pulumi.ComponentResourceOptions) {
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
        userPoolTier: "LITE",
        emailConfiguration:
          sesIdentityArn !== ""
            ? { emailSendingAccount: "DEVELOPER", sourceArn: sesIdentityArn, fromEmailAddress: emailFrom }
            : { emailSendingAccount: "COGNITO_DEFAULT" },
      },
      { parent: this, retainOnDelete: protect },
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
      },
      { parent: this },
    );

    this.userPoolId = pool.id;
    this.userPoolArn = pool.arn;
    this.userPoolClientId = client.id;
    this.registerOutputs({ userPoolId: this.userPoolId, userPoolArn: this.userPoolArn, userPoolClientId: this.userPoolClientId });
  }
}
