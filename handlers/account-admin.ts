/**
 * AccountAdmin on AWS: Cognito's admin API for the sessions and the user, EventBridge Scheduler
 * for the sweep. Both SDK clients are the Lambda Node.js runtime's own (it ships the whole AWS
 * SDK v3): they are required by package name when first used, inside the function, and are not
 * dependencies of this project (this machine's node_modules has neither), so the calls are typed
 * here by the few fields they use, and the tests hand in a stand-in `load`.
 */
import type { AccountAdmin } from "./account";

export interface AwsAccountAdminConfig {
  readonly userPoolId: string;
  /** The role EventBridge Scheduler assumes to invoke the deletion function (TodoApi makes it). */
  readonly schedulerRoleArn: string;
  /** The deletion function's own ARN (the invocation's `invokedFunctionArn`): the sweep's target. */
  readonly functionArn: () => string;
}

type Command = new (input: Record<string, unknown>) => object;
interface Client {
  send(command: object): Promise<unknown>;
}
type ClientModule = Record<string, (new (config: object) => Client) | Command>;

/** The sweep's schedule name: at most 64 characters of [0-9a-zA-Z-_.] (CreateSchedule's Name). */
export const sweepScheduleName = (sub: string, at: Date): string => `sweep-${sub}-${Math.floor(at.getTime() / 60_000)}`.slice(0, 64);

/** `at(yyyy-mm-ddThh:mm:ss)`, UTC: a one-time schedule (EventBridge Scheduler user guide, "Schedule types"). */
export const atExpression = (at: Date): string => `at(${at.toISOString().slice(0, 19)})`;

/** An error whose name says the work is already done (the user gone, the schedule made). */
const already = (err: unknown, name: string): boolean => (err as { name?: string } | null)?.name === name;

export function awsAccountAdmin(
  config: AwsAccountAdminConfig,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime's SDK, by name (see above)
  load: (name: string) => ClientModule = (name) => require(name) as ClientModule,
): AccountAdmin {
  let cognito: { client: Client; module: ClientModule } | undefined;
  let scheduler: { client: Client; module: ClientModule } | undefined;
  const cognitoCall = async (command: string, input: Record<string, unknown>) => {
    if (!cognito) {
      const module = load("@aws-sdk/client-cognito-identity-provider");
      const Client = module.CognitoIdentityProviderClient as new (config: object) => Client;
      cognito = { client: new Client({}), module };
    }
    const Command = cognito.module[command];
    try {
      await cognito.client.send(new Command({ UserPoolId: config.userPoolId, ...input }));
    } catch (err) {
      // Signed out or deleted by an earlier call (or the sweep): nothing left to do.
      if (!already(err, "UserNotFoundException")) throw err;
    }
  };
  return {
    // Revokes the user's refresh tokens; their ID tokens stay valid until they expire (Cognito API
    // reference, AdminUserGlobalSignOut: "Other requests might be valid until your user's token
    // expires"; aws/aws-sdk-js#1687: an ID token cannot be revoked), hence the 410 and the sweep.
    endSessions: (username) => cognitoCall("AdminUserGlobalSignOutCommand", { Username: username }),
    deleteUser: (username) => cognitoCall("AdminDeleteUserCommand", { Username: username }),
    async scheduleSweep(sub, at) {
      if (!scheduler) {
        const module = load("@aws-sdk/client-scheduler");
        const Client = module.SchedulerClient as new (config: object) => Client;
        scheduler = { client: new Client({}), module };
      }
      const CreateSchedule = scheduler.module.CreateScheduleCommand;
      try {
        // One-time, deleted once it has run (EventBridge Scheduler user guide, "Deleting a
        // schedule": automatic deletion after a one-time schedule's invocation). An SQS delay
        // queue would not do: its delay is at most 15 minutes (SQS developer guide, "Amazon SQS
        // delay queues"), and an ID token lives 60.
        await scheduler.client.send(
          new CreateSchedule({
            Name: sweepScheduleName(sub, at),
            ScheduleExpression: atExpression(at),
            ScheduleExpressionTimezone: "UTC",
            FlexibleTimeWindow: { Mode: "OFF" },
            ActionAfterCompletion: "DELETE",
            Target: { Arn: config.functionArn(), RoleArn: config.schedulerRoleArn, Input: JSON.stringify({ sweep: { sub } }) },
          }),
        );
      } catch (err) {
        // Made by an earlier call of the same deletion (same name: same time).
        if (!already(err, "ConflictException")) throw err;
      }
    },
  };
}
