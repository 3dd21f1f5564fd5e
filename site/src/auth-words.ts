/**
 * The sign-in screen's words and flows (a chunk with auth-view.ts; "Your account" uses the
 * words too): Cognito's refusals in sentences a person can act on, each naming the field it
 * concerns, and the flows (sign up, confirm, sign in, reset) made of the session's calls
 * (auth.ts). The list screen never loads this file: its session only needs codes.
 */
import { AuthError, type Auth, type Session } from "./auth";

/** Cognito's error types, in plain sentences, and the field each concerns. */
const MESSAGES: Record<string, [string, AuthError["field"]?]> = {
  UsernameExistsException: ["An account with this e-mail already exists. Sign in instead.", "email"],
  UserNotFoundException: ["No account uses this e-mail address.", "email"],
  NotAuthorizedException: ["The e-mail or password is not right.", "password"],
  UserNotConfirmedException: ["This account is not confirmed yet: enter the code we e-mailed you.", "email"],
  CodeMismatchException: ["That code is not right. Check the e-mail and try again.", "code"],
  ExpiredCodeException: ["That code has expired. Ask for a new one.", "code"],
  InvalidPasswordException: ["The password does not meet the rules.", "password"],
  LimitExceededException: ["Too many attempts. Wait a few minutes, then try again."],
  TooManyRequestsException: ["Too many attempts. Wait a few minutes, then try again."],
  TooManyFailedAttemptsException: ["Too many failed attempts. Wait a few minutes, then try again."],
  CodeDeliveryFailureException: ["We could not send the code. Check the e-mail address.", "email"],
};

export function toAuthError(type: string, message: string, action = ""): AuthError {
  const code = type.split("#").pop() ?? type;
  const known = MESSAGES[code];
  // ChangePassword with a wrong current password: AWS answers NotAuthorizedException ("Incorrect
  // username or password."; a dead token says "Access Token…"), cognito-local InvalidPasswordException
  // without a rule after a colon (the new one's rules are checked before sending).
  if (
    action === "ChangePassword" &&
    ((code === "NotAuthorizedException" && !/token/i.test(message)) || (code === "InvalidPasswordException" && !/:/.test(message)))
  )
    return new AuthError(code, "Your current password is not right.", "password");
  if (code === "InvalidPasswordException" && /:/.test(message)) {
    // Cognito names the broken rule after a colon: "Password did not conform with policy: ...".
    return new AuthError(code, `The password does not meet the rules: ${message.split(":").pop()!.trim()}`, "password");
  }
  if (code === "InvalidParameterException" && /password/i.test(message))
    return new AuthError(code, "The password does not meet the rules.", "password");
  if (code === "InvalidParameterException" && /e-?mail|username/i.test(message))
    return new AuthError(code, "Enter a valid e-mail address.", "email");
  // The same type also means Cognito's daily e-mail quota is used up ("Exceeded daily email
  // limit…"): trying again in a few minutes would not help, so say what happened.
  if (code === "LimitExceededException" && /daily email limit/i.test(message))
    return new AuthError(code, "We cannot send more e-mails today. Try again tomorrow, or sign in if your account is already confirmed.");
  if (known) return new AuthError(code, known[0], known[1]);
  return new AuthError(code, "Sign-in is not available right now. Try again in a moment.");
}

/** A refusal from the session (auth.ts), in this screen's words; anything else as it is. */
export const explained = (err: unknown): unknown =>
  err instanceof AuthError && err.code !== "Offline" ? toAuthError(err.code, err.detail, err.action) : err;

/** The sign-in forms' calls, each refusal in words (toAuthError). */
export function createFlows(auth: Auth) {
  const call = async (action: string, body: Record<string, unknown>) => {
    try {
      return await auth.call(action, body);
    } catch (err) {
      throw explained(err);
    }
  };
  return {
    signUp: (email: string, password: string) =>
      call("SignUp", { Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }),

    confirm: (email: string, code: string) => call("ConfirmSignUp", { Username: email, ConfirmationCode: code }),

    resendCode: (email: string) => call("ResendConfirmationCode", { Username: email }),

    async signIn(email: string, password: string): Promise<Session> {
      const data = await call("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      if (!data.AuthenticationResult)
        throw new AuthError(String(data.ChallengeName), "This account needs a sign-in step this app does not support yet.");
      return auth.start(email, data.AuthenticationResult);
    },

    forgotPassword: (email: string) => call("ForgotPassword", { Username: email }),

    /**
     * Whether an account uses this address: ONLY for the local stack. cognito-local answers a
     * ConfirmForgotPassword with a code that cannot match by UserNotFoundException for an unknown
     * address and CodeMismatchException for a known one. On AWS, preventUserExistenceErrors hides
     * the difference, and the site must never try to reveal it.
     */
    async accountExists(email: string): Promise<boolean> {
      const probe = await call("ConfirmForgotPassword", {
        Username: email,
        ConfirmationCode: "-",
        Password: "only a probe, never set",
      }).catch((e: AuthError) => e);
      return !(probe instanceof AuthError && probe.code === "UserNotFoundException");
    },

    confirmForgotPassword: (email: string, code: string, password: string) =>
      call("ConfirmForgotPassword", { Username: email, ConfirmationCode: code, Password: password }),
  };
}

export type Flows = ReturnType<typeof createFlows>;
