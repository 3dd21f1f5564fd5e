/**
 * AuthPool: the Cognito user pool people sign up and sign in with, and the site's app client.
 *
 * Default settings:
 * - the e-mail address is the user name (case-insensitive); Cognito verifies it with a code
 * - passwords of at least 12 characters, no composition rules (PASSWORD_POLICY, auth-policy.ts)
 * - account recovery by verified e-mail only; self sign-up allowed
 * - app client without a secret (the site is a public client) allowing USER_PASSWORD_AUTH
 *   (the flow the site and the local Cognito use) and refresh tokens, nothing else
 * - no user-existence leaks (`preventUserExistenceErrors`), token revocation on
 * - access and ID tokens live 60 minutes, refresh tokens 30 days
 * - with `protect`: deletion protection on, and `retainOnDelete` so `pulumi destroy` keeps the users
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PASSWORD_POLICY } from "./auth-policy";

export const PASSWORD_MIN_LENGTH = PASSWORD_POLICY.minimumLength;

export interface AuthPoolArgs {
  /** Turn on deletion protection and keep the pool when the stack is destroyed. @default false */
  readonly protect?: boolean;
  /** Minutes access and ID tokens stay valid. @default 60 */
  readonly tokenValidityMinutes?: number;
  /** Days a refresh token stays valid. @default 30 */
  readonly refreshTokenValidityDays?: number;
}

export class AuthPool extends pulumi.ComponentResource {
  public readonly userPoolId: pulumi.Output<string>;
  public readonly userPoolArn: pulumi.Output<string>;
  public readonly userPoolClientId: pulumi.Output<string>;

  constructor(name: string, args: AuthPoolArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const protect = args.protect ?? false;
    const tokenMinutes = args.tokenValidityMinutes ?? 60;
    const refreshDays = args.refreshTokenValidityDays ?? 30;
    const problems: string[] = [];
    // Cognito's own limits: access/ID tokens 5 minutes to 1 day, refresh tokens 1 to 3650 days.
    if (!Number.isInteger(tokenMinutes) || tokenMinutes < 5 || tokenMinutes > 1440) problems.push("tokenValidityMinutes must be a whole number from 5 to 1440");
    if (!Number.isInteger(refreshDays) || refreshDays < 1 || refreshDays > 3650) problems.push("refreshTokenValidityDays must be a whole number from 1 to 3650");
    if (problems.length > 0) throw new Error(`AuthPool ${name}: ${problems.join("; ")}`);
    super("tasklane:index:AuthPool", name, {}, opts);

    const pool = new aws.cognito.UserPool(
      `${name}-users`,
      {
        usernameAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: ["email"],
        verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
        passwordPolicy: { ...PASSWORD_POLICY },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        adminCreateUserConfig: { allowAdminCreateUserOnly: false },
        deletionProtection: protect ? "ACTIVE" : "INACTIVE",
      },
      { parent: this, retainOnDelete: protect },
    );

    const client = new aws.cognito.UserPoolClient(
      `${name}-site`,
      {
        userPoolId: pool.id,
        generateSecret: false,
        explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
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
