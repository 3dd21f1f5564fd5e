/**
 * AuthPool's settings, in one place: AuthPool sets them on the Cognito user pool and its app
 * client, the local Cognito (local/cognito.ts) creates its pool and client with them, and the
 * site's sign-up form states the password rule. Plain data, no Pulumi import, so the local stack
 * and the site bundle can read it too. Spelled as the Pulumi inputs are.
 */

/** Length over composition rules, as NIST SP 800-63B recommends: a long passphrase beats "Passw0rd!". */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: false,
  requireUppercase: false,
  requireNumbers: false,
  requireSymbols: false,
  temporaryPasswordValidityDays: 3,
} as const;

/**
 * The user pool's other settings, shared the same way (AuthPool and the local Cognito): people
 * sign in with their e-mail address, Cognito verifies it with a code, and a forgotten password
 * is recovered through that verified address only.
 */
export const USER_POOL_SETTINGS = {
  usernameAttributes: ["email"],
  autoVerifiedAttributes: ["email"],
  recoveryMechanisms: [{ name: "verified_email", priority: 1 }],
  allowAdminCreateUserOnly: false,
} as const;

/**
 * The site's app client: a public client (the page cannot keep a secret) allowing only the flows
 * the site uses, password sign-in and silent refresh; no user-existence leaks; revocable tokens.
 */
export const APP_CLIENT_SETTINGS = {
  generateSecret: false,
  explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  preventUserExistenceErrors: "ENABLED",
  enableTokenRevocation: true,
} as const;

/** Default token lifetimes: access and ID tokens (one setting for both), refresh tokens. */
export const TOKEN_VALIDITY = {
  accessAndIdTokenMinutes: 60,
  refreshTokenDays: 30,
} as const;
