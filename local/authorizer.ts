/**
 * The Cognito user-pools authorizer of API Gateway, for the local API host: the request's
 * `Authorization` header's whole value must be an ID token of the local pool, checked with `jose`
 * against the pool's JWKS: RS256 signature, issuer (the pool), audience (the app client), expiry
 * and `token_use: "id"`. No "Bearer " prefix is stripped: API Gateway's Cognito authorizer reads
 * the token from the header (its identity source) and is not documented to strip one, so this is
 * as strict as AWS or stricter, and the site (which sends the raw ID token) works on both.
 * The claims become `requestContext.authorizer.claims`, as strings, the way API Gateway passes
 * them to Lambda.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

export interface AuthorizerOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  /** The app client id: the ID token's `aud`. */
  readonly clientId: string;
  /**
   * LOCAL-ONLY RULE: report `email_verified: "true"` for every valid ID token. cognito-local
   * leaves `email_verified` false even after ConfirmSignUp, while on AWS AuthPool confirms a
   * sign-up with a code sent to the e-mail address (an auto-verified attribute), which sets it
   * to true. cognito-local signs in only confirmed users, and the local pool confirms by that
   * same e-mailed code, so every token it issues is for an address proven the AWS way. The
   * handlers read the claim as they do on AWS (invitations need a verified e-mail); nothing in
   * handlers/ knows of this rule. @default false
   */
  readonly confirmedMeansVerifiedEmail?: boolean;
}

export type Claims = Record<string, string>;

/** Resolves the claims of a valid token, or undefined for a missing or refused one (a 401). */
export type Authorizer = (authorizationHeader: string | undefined) => Promise<Claims | undefined>;

export function cognitoAuthorizer(options: AuthorizerOptions): Authorizer {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  return async (header) => {
    // API Gateway takes the header value as the token, as it is.
    if (!header) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(header, keys, {
        algorithms: ["RS256"],
        issuer: options.issuer,
        audience: options.clientId,
        requiredClaims: ["sub", "exp", "token_use"],
      }));
    } catch {
      return undefined;
    }
    if (payload.token_use !== "id") return undefined;
    const claims = stringClaims(payload);
    if (options.confirmedMeansVerifiedEmail && claims.email) claims.email_verified = "true";
    return claims;
  };
}

/** API Gateway hands Lambda every claim as a string. */
function stringClaims(payload: JWTPayload): Claims {
  const claims = Object.create(null) as Claims;
  for (const [name, value] of Object.entries<unknown>(payload)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "string") claims[name] = value;
    else if (Array.isArray(value)) claims[name] = value.join(",");
    else if (typeof value === "number" || typeof value === "boolean") claims[name] = String(value);
    else claims[name] = JSON.stringify(value);
  }
  return claims;
}
