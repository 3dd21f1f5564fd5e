/**
 * A thin client of the Cognito user-pool JSON API (the same calls on AWS and on cognito-local)
 * and the session it keeps.
 *
 * Where the tokens live: localStorage, so "stay signed in" survives a reload and a closed tab
 * (sessionStorage would sign a person out with every new tab). The cost is that any script on
 * the page could read them; the page allows only its own script (CSP `script-src 'self'`,
 * Trusted Types), renders every text with textContent, and loads nothing from elsewhere. Tokens
 * are never logged, never put in a URL, and sent only to Cognito and the same-origin API.
 */

export interface AuthConfig {
  readonly region: string;
  readonly userPoolClientId: string;
  /** The user-pool API base URL; on AWS https://cognito-idp.<region>.amazonaws.com/ */
  readonly cognitoEndpoint?: string;
}

export interface Session {
  readonly email: string;
  readonly idToken: string;
  /** For the calls a person makes about their own account (ChangePassword). */
  readonly accessToken?: string;
  readonly refreshToken: string;
  /** Epoch milliseconds after which the ID token must be refreshed. */
  readonly expiresAt: number;
}

/** A refusal from Cognito: `field` names the form field it concerns, when one does. */
export class AuthError extends Error {
  /** Cognito's own message, and the call it answered (for auth-words.ts). */
  detail = "";
  action = "";
  constructor(
    readonly code: string,
    message: string,
    readonly field?: "email" | "password" | "code",
  ) {
    super(message);
  }
}

const STORAGE_KEY = "tasklane.session";
/** Refresh this long before the ID token's expiry, so a request never carries a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A refusal as the session itself reports it: the code, and a sentence that fits any screen.
 * The sign-in forms and "Your account" say more (auth-words.ts `toAuthError`, from `detail`).
 */
export function plainAuthError(type: string, message: string, action = ""): AuthError {
  const code = type.split("#").pop() ?? type;
  return Object.assign(new AuthError(code, "Sign-in is not available right now. Try again in a moment."), { detail: message, action });
}

/** The parts of a Cognito user-pool API reply (or error) this client reads. */
export interface CognitoReply {
  readonly AuthenticationResult?: AuthResult;
  readonly ChallengeName?: string;
  readonly __type?: string;
  readonly code?: string;
  readonly message?: string;
}

export interface AuthResult {
  readonly IdToken?: string;
  readonly AccessToken?: string;
  readonly RefreshToken?: string;
  readonly ExpiresIn?: number;
}

export function createAuth(config: AuthConfig, storage: Storage = localStorage) {
  const endpoint = config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
  const clientId = config.userPoolClientId;
  let refreshing: Promise<Session> | null = null;

  async function call(action: string, body: Record<string, unknown>): Promise<CognitoReply> {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify({ ClientId: clientId, ...body }),
        cache: "no-store",
      });
    } catch {
      throw new AuthError("Offline", "Can't reach the sign-in service. Check your connection.");
    }
    const data = (await response.json().catch(() => ({}))) as CognitoReply;
    if (!response.ok) throw plainAuthError(String(data.__type ?? data.code ?? "Unknown"), String(data.message ?? ""), action);
    return data;
  }

  function load(): Session | null {
    try {
      const s = JSON.parse(storage.getItem(STORAGE_KEY) ?? "null") as Session | null;
      return s && typeof s.refreshToken === "string" && typeof s.idToken === "string" ? s : null;
    } catch {
      return null;
    }
  }

  function save(session: Session | null): void {
    if (session) storage.setItem(STORAGE_KEY, JSON.stringify(session));
    else storage.removeItem(STORAGE_KEY);
  }

  function fromResult(email: string, result: AuthResult | undefined, refreshToken: string): Session {
    const idToken = String(result?.IdToken);
    const expiresAt = (tokenExpiry(idToken) ?? Date.now() + (Number(result?.ExpiresIn) || 3600) * 1000) - EXPIRY_MARGIN_MS;
    return { email, idToken, accessToken: String(result?.AccessToken), refreshToken: result?.RefreshToken ?? refreshToken, expiresAt };
  }

  async function refresh(session: Session): Promise<Session> {
    const data = await call("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: session.refreshToken },
    });
    const next = fromResult(session.email, data.AuthenticationResult, session.refreshToken);
    save(next);
    return next;
  }

  /** A fresh access token (refreshed like the ID token). */
  async function accessToken(): Promise<string> {
    let session = load();
    if (!session) throw new AuthError("SignedOut", "You are signed out.");
    if (Date.now() >= session.expiresAt || !session.accessToken) session = await refresh(session);
    return session.accessToken!;
  }

  return {
    /** The stored session, if any (it may need a refresh). */
    session: load,

    /** One call of the user-pool API (the sign-in forms' flows are made of these: auth-words.ts). */
    call,
    /** Keeps the session an InitiateAuth answered (signing in). */
    start(email: string, result: AuthResult | undefined): Session {
      const session = fromResult(email, result, "");
      save(session);
      return session;
    },

    /**
     * A valid ID token, refreshed with the refresh token when it is (nearly) expired or when
     * `force` is set. Concurrent callers share one refresh. Throws AuthError when signed out.
     */
    async idToken(force = false): Promise<string> {
      const session = load();
      if (!session) throw new AuthError("SignedOut", "You are signed out.");
      if (!force && Date.now() < session.expiresAt) return session.idToken;
      refreshing ??= refresh(session).finally(() => (refreshing = null));
      return (await refreshing).idToken;
    },

    /** Changes the password (the current one is checked by Cognito). */
    async changePassword(current: string, next: string): Promise<void> {
      await call("ChangePassword", { AccessToken: await accessToken(), PreviousPassword: current, ProposedPassword: next });
    },

    /** Forgets the session here and revokes its refresh token at Cognito (best effort). */
    async signOut(): Promise<void> {
      const session = load();
      save(null);
      if (session) await call("RevokeToken", { Token: session.refreshToken }).catch(() => undefined);
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** The claims of a JWT: the payload is read, not verified (the API verifies). Empty when unreadable. */
export function tokenClaims(jwt: string): Readonly<Record<string, unknown>> {
  try {
    const payload = JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as unknown;
    return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The `exp` claim of a JWT, in epoch milliseconds. */
export function tokenExpiry(jwt: string): number | undefined {
  const exp = tokenClaims(jwt).exp;
  return typeof exp === "number" ? exp * 1000 : undefined;
}

export const looksLikeEmail = (email: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
