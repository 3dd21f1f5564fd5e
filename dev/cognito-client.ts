/**
 * The few Cognito user-pool API calls the tests make, over HTTP like the site's auth client:
 * POST / with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`.
 */
export interface CognitoReply {
  readonly status: number;
  readonly body: any;
}

export async function cognitoCall(endpoint: string, action: string, input: object): Promise<CognitoReply> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function expectOk(reply: Promise<CognitoReply>, what: string): Promise<any> {
  const { status, body } = await reply;
  if (status !== 200) throw new Error(`${what} failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function signIn(endpoint: string, clientId: string, email: string, password: string): Promise<Tokens> {
  const out = await expectOk(
    cognitoCall(endpoint, "InitiateAuth", {
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
    `sign-in of ${email}`,
  );
  const result = out.AuthenticationResult;
  return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken };
}

/** Registers, confirms with `code` and signs in: what a person does in the site's forms. */
export async function registerUser(endpoint: string, clientId: string, email: string, password: string, code: string): Promise<Tokens> {
  await expectOk(cognitoCall(endpoint, "SignUp", { ClientId: clientId, Username: email, Password: password }), `sign-up of ${email}`);
  await expectOk(
    cognitoCall(endpoint, "ConfirmSignUp", { ClientId: clientId, Username: email, ConfirmationCode: code }),
    `confirmation of ${email}`,
  );
  return signIn(endpoint, clientId, email, password);
}
