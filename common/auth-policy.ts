/**
 * AuthPool's settings, in one place: AuthPool sets them on the Cognito user pool and its app
 * client, the local Cognito (local/) creates its pool and client with them, and both the site's
 * forms and the local Cognito check a password with `passwordProblems()`. Plain data, no Pulumi import, so the local stack
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

/** The rules of a password policy, as PASSWORD_POLICY spells them. */
export interface PasswordRules {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

/** One thing Cognito refuses about a password, with a sentence a person can act on. */
export interface PasswordProblem {
  /** The policy setting broken, or `edgeWhitespace`/`maximumLength`, which Cognito applies to every pool. */
  readonly rule:
    "minimumLength" | "requireLowercase" | "requireUppercase" | "requireNumbers" | "requireSymbols" | "edgeWhitespace" | "maximumLength";
  readonly message: string;
}

/** Cognito's limit on any password, whatever the policy. */
export const PASSWORD_MAX_LENGTH = 256;

/** The characters Cognito counts as symbols; a space counts too when it is not at either end. */
export const PASSWORD_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/**
 * Every rule Cognito applies to a new password, in the order it checks them: first the API's own
 * constraint on the field (at most 256 characters, matching `^[\S]+.*[\S]+$`: no whitespace at
 * either end, so twelve spaces are refused), then the pool's policy. Empty when the password is
 * acceptable. The site's forms and the local Cognito both use it, so they cannot disagree.
 */
export function passwordProblems(password: string, policy: PasswordRules = PASSWORD_POLICY): PasswordProblem[] {
  if (password.length > PASSWORD_MAX_LENGTH) {
    return [{ rule: "maximumLength", message: `Use at most ${PASSWORD_MAX_LENGTH} characters (you have ${password.length}).` }];
  }
  const problems: PasswordProblem[] = [];
  if (password.length < policy.minimumLength) {
    problems.push({ rule: "minimumLength", message: `Use at least ${policy.minimumLength} characters (you have ${password.length}).` });
  }
  if (password.length > 0 && !/^\S(.*\S)?$/.test(password)) {
    problems.push({ rule: "edgeWhitespace", message: "Do not begin or end the password with a space." });
  }
  if (policy.requireLowercase && !/[a-z]/.test(password))
    problems.push({ rule: "requireLowercase", message: "Use at least one lower-case letter." });
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    problems.push({ rule: "requireUppercase", message: "Use at least one capital letter." });
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push({ rule: "requireNumbers", message: "Use at least one digit." });
  if (policy.requireSymbols && ![...password.trim()].some((c) => PASSWORD_SYMBOLS.includes(c))) {
    problems.push({ rule: "requireSymbols", message: `Use at least one symbol, such as ${PASSWORD_SYMBOLS.slice(0, 8)}` });
  }
  return problems;
}

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
