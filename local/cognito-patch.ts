/**
 * Makes cognito-local answer like Cognito with AuthPool's settings, where the site can tell:
 * - a new password (SignUp, ConfirmForgotPassword, ChangePassword) gets every check of
 *   `passwordProblems()` (common/auth-policy.ts), the one the site's forms use: Cognito's own
 *   constraint on the field first (no whitespace at either end, at most 256 characters:
 *   InvalidParameterException), then the pool's policy (InvalidPasswordException);
 * - only the client's ExplicitAuthFlows (USER_SRP_AUTH and others are refused);
 * - PreventUserExistenceErrors: a wrong password and an unknown user both get
 *   NotAuthorizedException "Incorrect username or password." (cognito-local says
 *   InvalidPasswordException / NotAuthorizedException "User not authorized"), and
 *   ForgotPassword and ResendConfirmationCode for an unknown user pretend to send a code;
 * - user names (e-mail addresses) compared without regard to case;
 * - ResendConfirmationCode, which cognito-local lacks;
 * - AdminUserGlobalSignOut, which cognito-local lacks (account deletion, handlers/account.ts):
 *   the user's refresh tokens stop working, as Cognito's do; their ID tokens stay valid until
 *   they expire, as on AWS (API reference, AdminUserGlobalSignOut).
 */
import type { CognitoService } from "cognito-local/lib/services/cognitoService";
import type { Messages } from "cognito-local/lib/services/messages";
import { decodeJwt } from "jose";
import { passwordProblems, type PasswordRules } from "../common/auth-policy";
import type { CognitoLocal, CognitoRequest, Ctx, Route, Router } from "./cognito-local";

/** The answer to a sign-in with a wrong password or an unknown user, when existence is hidden. */
const INCORRECT_CREDENTIALS = "Incorrect username or password.";

/** Cognito's wording for each policy rule (InvalidPasswordException). */
const POLICY_MESSAGES: Record<string, string> = {
  minimumLength: "Password not long enough",
  requireLowercase: "Password must have lowercase characters",
  requireUppercase: "Password must have uppercase characters",
  requireNumbers: "Password must have numeric characters",
  requireSymbols: "Password must have symbol characters",
};

type PoolPolicy = {
  MinimumLength?: number;
  RequireLowercase?: boolean;
  RequireUppercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
};

const USER_NAME_TARGETS = new Set([
  "SignUp",
  "ConfirmSignUp",
  "InitiateAuth",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "ResendConfirmationCode",
]);

interface PatchServices {
  readonly cognito: CognitoService;
  readonly messages: Messages;
  readonly otp: () => string;
}

export function patchRouter(router: Router, services: PatchServices, ctx: Ctx, CognitoError: CognitoLocal["CognitoError"]): Router {
  const { cognito } = services;
  const text = (value: unknown) => (typeof value === "string" ? value : "");

  const policyOf = (policy: PoolPolicy | undefined): PasswordRules => ({
    minimumLength: policy?.MinimumLength ?? 8,
    requireLowercase: policy?.RequireLowercase ?? false,
    requireUppercase: policy?.RequireUppercase ?? false,
    requireNumbers: policy?.RequireNumbers ?? false,
    requireSymbols: policy?.RequireSymbols ?? false,
  });
  const policyForClient = async (clientId: unknown) =>
    policyOf((await cognito.getUserPoolForClientId(ctx, text(clientId))).options.Policies?.PasswordPolicy);
  const policyForToken = async (token: unknown) => {
    let poolId: string;
    try {
      poolId =
        String(decodeJwt(text(token)).iss ?? "")
          .split("/")
          .pop() ?? "";
    } catch {
      throw new CognitoError("NotAuthorizedException", "Invalid Access Token");
    }
    return policyOf((await cognito.getUserPool(ctx, poolId)).options.Policies?.PasswordPolicy);
  };
  const checkPassword = (password: unknown, field: string, policy: PasswordRules) => {
    const problems = passwordProblems(text(password), policy);
    const constraint = problems.find((p) => p.rule === "edgeWhitespace" || p.rule === "maximumLength");
    if (constraint) {
      const what =
        constraint.rule === "maximumLength"
          ? "Member must have length less than or equal to 256"
          : "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$";
      throw new CognitoError(
        "InvalidParameterException",
        `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${what}`,
      );
    }
    if (problems.length > 0) {
      throw new CognitoError("InvalidPasswordException", `Password did not conform with policy: ${POLICY_MESSAGES[problems[0].rule]}`);
    }
  };
  const hidesUsers = async (clientId: unknown) =>
    (await cognito.getAppClient(ctx, text(clientId)))?.PreventUserExistenceErrors === "ENABLED";
  const codeDelivery = (email: string) => ({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: email }) as const;
  const errorType = (err: unknown) => (err as { code?: string } | null)?.code ?? "";

  const resendConfirmationCode: Route = async (c, req) => {
    const clientId = text(req.ClientId);
    const pool = await cognito.getUserPoolForClientId(ctx, clientId);
    const user = await pool.getUserByUsername(c, text(req.Username));
    if (!user) {
      if (await hidesUsers(clientId)) return { CodeDeliveryDetails: codeDelivery(text(req.Username)) };
      throw new CognitoError("UserNotFoundException", "Username/client id combination not found.");
    }
    if (user.UserStatus !== "UNCONFIRMED") throw new CognitoError("InvalidParameterException", "User is already confirmed.");
    const email = user.Attributes.find((a) => a.Name === "email")?.Value ?? text(req.Username);
    const code = services.otp();
    await pool.saveUser(c, { ...user, ConfirmationCode: code });
    const delivery = codeDelivery(email);
    const metadata = req.ClientMetadata as Record<string, string> | undefined;
    await services.messages.deliver(c, "ResendCode", clientId, pool.options.Id ?? "", user, code, metadata, delivery);
    return { CodeDeliveryDetails: delivery };
  };

  const adminUserGlobalSignOut: Route = async (c, req) => {
    const pool = await cognito.getUserPool(c, text(req.UserPoolId));
    const user = await pool.getUserByUsername(c, text(req.Username));
    if (!user) throw new CognitoError("UserNotFoundException", "User does not exist.");
    await pool.saveUser(c, { ...user, RefreshTokens: [] });
    return {};
  };

  function patch(target: string): Route {
    if (target === "ResendConfirmationCode") return resendConfirmationCode;
    if (target === "AdminUserGlobalSignOut") return adminUserGlobalSignOut;
    const route = router(target);
    switch (target) {
      case "SignUp":
      case "ConfirmForgotPassword":
        return async (c, req) => {
          checkPassword(req.Password, "password", await policyForClient(req.ClientId));
          return route(c, req);
        };
      case "ChangePassword":
        return async (c, req) => {
          checkPassword(req.ProposedPassword, "proposedPassword", await policyForToken(req.AccessToken));
          return route(c, req);
        };
      case "InitiateAuth":
        return async (c, req) => {
          const client = await cognito.getAppClient(ctx, text(req.ClientId));
          const flow = req.AuthFlow === "REFRESH_TOKEN" ? "REFRESH_TOKEN_AUTH" : text(req.AuthFlow);
          if (client && !(client.ExplicitAuthFlows ?? []).includes(`ALLOW_${flow}`)) {
            throw new CognitoError("InvalidParameterException", `${flow} flow not enabled for this client`);
          }
          try {
            return await route(c, req);
          } catch (err) {
            const hidden = client?.PreventUserExistenceErrors === "ENABLED" && flow === "USER_PASSWORD_AUTH";
            if (hidden && ["InvalidPasswordException", "NotAuthorizedException", "UserNotFoundException"].includes(errorType(err))) {
              throw new CognitoError("NotAuthorizedException", INCORRECT_CREDENTIALS);
            }
            throw err;
          }
        };
      case "ForgotPassword":
        return async (c, req) => {
          try {
            return await route(c, req);
          } catch (err) {
            if (errorType(err) === "UserNotFoundException" && (await hidesUsers(req.ClientId))) {
              return { CodeDeliveryDetails: codeDelivery(text(req.Username)) };
            }
            throw err;
          }
        };
      default:
        return route;
    }
  }

  return (target) => {
    const patched = patch(target);
    // AuthPool's user names are case-insensitive e-mail addresses; cognito-local compares exactly.
    return USER_NAME_TARGETS.has(target) ? (c, req) => patched(c, lowerCaseUserName(req)) : patched;
  };
}

function lowerCaseUserName(req: CognitoRequest): CognitoRequest {
  if (!req || typeof req !== "object") return req;
  const out: Record<string, unknown> = { ...req };
  if (typeof out.Username === "string") out.Username = out.Username.toLowerCase();
  const auth = out.AuthParameters as Record<string, unknown> | undefined;
  if (auth && typeof auth.USERNAME === "string") out.AuthParameters = { ...auth, USERNAME: auth.USERNAME.toLowerCase() };
  if (Array.isArray(out.UserAttributes)) {
    out.UserAttributes = (out.UserAttributes as { Name?: string; Value?: unknown }[]).map((a) =>
      a?.Name === "email" && typeof a.Value === "string" ? { ...a, Value: a.Value.toLowerCase() } : a,
    );
  }
  return out;
}
