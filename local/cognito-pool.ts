/**
 * The local Cognito's one user pool and app client, with AuthPool's settings (common/auth-policy.ts):
 * created on first start, found by name afterwards (state from an earlier run).
 */
import type { CognitoService } from "cognito-local/lib/services/cognitoService";
import { APP_CLIENT_SETTINGS, PASSWORD_POLICY, TOKEN_VALIDITY, USER_POOL_SETTINGS } from "../common/auth-policy";
import type { Ctx, Router } from "./cognito-local";

export const LOCAL_POOL_NAME = "tasklane-local";
export const LOCAL_CLIENT_NAME = "tasklane-web";

/** AuthPool's password policy, in the Cognito API's spelling. */
export const COGNITO_PASSWORD_POLICY = {
  MinimumLength: PASSWORD_POLICY.minimumLength,
  RequireUppercase: PASSWORD_POLICY.requireUppercase,
  RequireLowercase: PASSWORD_POLICY.requireLowercase,
  RequireNumbers: PASSWORD_POLICY.requireNumbers,
  RequireSymbols: PASSWORD_POLICY.requireSymbols,
  TemporaryPasswordValidityDays: PASSWORD_POLICY.temporaryPasswordValidityDays,
} as const;

export async function ensurePoolAndClient(
  ctx: Ctx,
  router: Router,
  cognito: CognitoService,
): Promise<{ userPoolId: string; userPoolClientId: string }> {
  const pools = await cognito.listUserPools(ctx);
  let userPoolId = pools.find((p) => p.Name === LOCAL_POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = (await router("CreateUserPool")(ctx, {
      PoolName: LOCAL_POOL_NAME,
      UsernameAttributes: [...USER_POOL_SETTINGS.usernameAttributes],
      AutoVerifiedAttributes: [...USER_POOL_SETTINGS.autoVerifiedAttributes],
      Policies: { PasswordPolicy: COGNITO_PASSWORD_POLICY },
      AccountRecoverySetting: {
        RecoveryMechanisms: USER_POOL_SETTINGS.recoveryMechanisms.map((m) => ({ Name: m.name, Priority: m.priority })),
      },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: USER_POOL_SETTINGS.allowAdminCreateUserOnly },
      MfaConfiguration: "OFF",
    })) as { UserPool: { Id: string } };
    userPoolId = created.UserPool.Id;
  }
  const clients = await cognito.listAppClients(ctx, userPoolId);
  let userPoolClientId = clients.find((c) => c.ClientName === LOCAL_CLIENT_NAME)?.ClientId;
  if (!userPoolClientId) {
    const created = (await router("CreateUserPoolClient")(ctx, {
      UserPoolId: userPoolId,
      ClientName: LOCAL_CLIENT_NAME,
      GenerateSecret: APP_CLIENT_SETTINGS.generateSecret,
      ExplicitAuthFlows: [...APP_CLIENT_SETTINGS.explicitAuthFlows],
      PreventUserExistenceErrors: APP_CLIENT_SETTINGS.preventUserExistenceErrors,
      EnableTokenRevocation: APP_CLIENT_SETTINGS.enableTokenRevocation,
      AccessTokenValidity: TOKEN_VALIDITY.accessAndIdTokenMinutes,
      IdTokenValidity: TOKEN_VALIDITY.accessAndIdTokenMinutes,
      RefreshTokenValidity: TOKEN_VALIDITY.refreshTokenDays,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
    })) as { UserPoolClient: { ClientId: string } };
    userPoolClientId = created.UserPoolClient.ClientId;
  }
  return { userPoolId, userPoolClientId };
}
