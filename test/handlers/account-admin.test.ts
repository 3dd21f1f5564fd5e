/**
 * The AWS AccountAdmin with a stand-in for the runtime's SDK clients (neither is installed here):
 * the commands and their inputs, and which errors mean "already done".
 */
import { expect } from "chai";
import { atExpression, awsAccountAdmin, sweepScheduleName } from "../../handlers/account-admin";

/** A stand-in SDK module: each command records its name and input; `fail` makes send throw. */
function fakeSdk(fail?: { name: string }) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const commands = ["AdminUserGlobalSignOutCommand", "AdminDeleteUserCommand", "CreateScheduleCommand"];
  const module: Record<string, unknown> = Object.fromEntries(
    commands.map((command) => [
      command,
      class {
        constructor(readonly input: Record<string, unknown>) {
          sent.push({ command, input });
        }
      },
    ]),
  );
  const client = class {
    send(): Promise<unknown> {
      return fail ? Promise.reject(Object.assign(new Error(fail.name), { name: fail.name })) : Promise.resolve({});
    }
  };
  module.CognitoIdentityProviderClient = client;
  module.SchedulerClient = client;
  const loaded: string[] = [];
  const load = (name: string) => {
    loaded.push(name);
    return module as never;
  };
  return { sent, load, loaded };
}

const config = {
  userPoolId: "eu-west-1_pool",
  schedulerRoleArn: "arn:aws:iam::1:role/sweep",
  functionArn: () => "arn:aws:lambda:eu-west-1:1:function:del",
};

describe("AccountAdmin on AWS (stand-in SDK)", function () {
  it("signs out and deletes by user name in the pool, from the runtime's Cognito client", async function () {
    const sdk = fakeSdk();
    const admin = awsAccountAdmin(config, sdk.load);
    await admin.endSessions("a11ce");
    await admin.deleteUser("a11ce");
    expect(sdk.loaded).to.deep.equal(["@aws-sdk/client-cognito-identity-provider"]);
    expect(sdk.sent).to.deep.equal([
      { command: "AdminUserGlobalSignOutCommand", input: { UserPoolId: "eu-west-1_pool", Username: "a11ce" } },
      { command: "AdminDeleteUserCommand", input: { UserPoolId: "eu-west-1_pool", Username: "a11ce" } },
    ]);
  });

  it("schedules the sweep once, at a minute's precision, deleted after it ran, invoking this function with the sub", async function () {
    const sdk = fakeSdk();
    const at = new Date("2026-12-06T17:42:31.456Z");
    await awsAccountAdmin(config, sdk.load).scheduleSweep("0b1c-sub", at);
    expect(sdk.loaded).to.deep.equal(["@aws-sdk/client-scheduler"]);
    expect(sdk.sent).to.deep.equal([
      {
        command: "CreateScheduleCommand",
        input: {
          Name: sweepScheduleName("0b1c-sub", at),
          ScheduleExpression: "at(2026-12-06T17:42:31)",
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: { Mode: "OFF" },
          ActionAfterCompletion: "DELETE",
          Target: { Arn: config.functionArn(), RoleArn: config.schedulerRoleArn, Input: JSON.stringify({ sweep: { sub: "0b1c-sub" } }) },
        },
      },
    ]);
    expect(atExpression(at)).to.equal("at(2026-12-06T17:42:31)");
    expect(sweepScheduleName("0b1c2d3e-aaaa-4000-8000-00000000a11c", at)).to.match(/^[0-9a-zA-Z\-_.]{1,64}$/);
  });

  it("counts a user already gone and a schedule already made as done; anything else fails", async function () {
    await awsAccountAdmin(config, fakeSdk({ name: "UserNotFoundException" }).load).deleteUser("gone");
    await awsAccountAdmin(config, fakeSdk({ name: "UserNotFoundException" }).load).endSessions("gone");
    await awsAccountAdmin(config, fakeSdk({ name: "ConflictException" }).load).scheduleSweep("s", new Date());
    const refused = await awsAccountAdmin(config, fakeSdk({ name: "AccessDeniedException" }).load)
      .deleteUser("x")
      .then(
        () => "done",
        (err: Error) => err.name,
      );
    expect(refused).to.equal("AccessDeniedException");
  });
});
