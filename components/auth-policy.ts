/**
 * The password rule, in one place: AuthPool sets it on the Cognito user pool, the local Cognito
 * enforces it, and the site's sign-up form states it. Length over composition rules, as NIST
 * SP 800-63B recommends: a long passphrase beats "Passw0rd!". Plain data, no Pulumi import, so
 * the local stack and the site bundle can read it too.
 */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: false,
  requireUppercase: false,
  requireNumbers: false,
  requireSymbols: false,
  temporaryPasswordValidityDays: 3,
} as const;
