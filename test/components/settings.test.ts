/**
 * components/settings.ts owns every stack setting's type, default and meaning. The copies that
 * must stay (Pulumi.yaml, the README table) are held equal to it here, and so is the rule that
 * only one stack of an account and region manages API Gateway's account-wide logging role.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { readSettings, SETTINGS, settingsTable, type SettingName } from "../../components/settings";
import { projectConfig, readYaml, ROOT, runProgram } from "../../dev/pulumi-mocks";

const stackFiles = () => readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
const stackConfig = (file: string) => (readYaml(file) as { config: Record<string, unknown> }).config;

describe("stack settings (components/settings.ts)", () => {
  before(() => runProgram());

  it("Pulumi.yaml declares exactly the settings of SETTINGS, with the same type, default and description", () => {
    expect(projectConfig()).to.deep.equal(JSON.parse(JSON.stringify(SETTINGS)));
  });

  it("the README's configuration table is settingsTable(), verbatim", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const table = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    expect(table, "README.md has a <!-- settings:start --> … <!-- settings:end --> block").to.not.equal(null);
    expect(table![1]).to.equal(settingsTable());
  });

  it("readSettings: a stack file's value where it sets one, SETTINGS' default everywhere else", () => {
    const settings = readSettings(new pulumi.Config("tasklane"));
    const dev = stackConfig("Pulumi.dev.yaml");
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      expect(settings[name], name).to.equal(dev[`tasklane:${name}`] ?? SETTINGS[name].default);
    }
    expect(Object.keys(dev).filter((k) => k.startsWith("tasklane:")).length, "the dev stack overrides some").to.be.greaterThan(2);
  });

  it("each component argument that a setting feeds falls back to SETTINGS and says so in its JSDoc (no second default)", () => {
    const fed: [file: string, arg: string, setting: SettingName][] = [
      ["todo-table.ts", "protect", "protectData"],
      ["auth-pool.ts", "protect", "protectData"],
      ["auth-pool.ts", "sesIdentityArn", "sesIdentityArn"],
      ["auth-pool.ts", "emailFrom", "emailFrom"],
      ["todo-api.ts", "memorySize", "lambdaMemoryMb"],
      ["todo-api.ts", "timeoutSeconds", "lambdaTimeoutSeconds"],
      ["todo-api.ts", "logRetentionDays", "logRetentionDays"],
      ["todo-api.ts", "throttleRateLimit", "apiThrottleRateLimit"],
      ["todo-api.ts", "throttleBurstLimit", "apiThrottleBurstLimit"],
      ["todo-api.ts", "accountLogRole", "apiGatewayLogRole"],
      ["static-site.ts", "priceClass", "cdnPriceClass"],
      ["static-site.ts", "domainName", "domainName"],
      ["static-site.ts", "hostedZoneId", "hostedZoneId"],
      ["static-site.ts", "wafRateLimit", "wafRateLimit"],
      ["static-site.ts", "accessLogs", "cdnAccessLogs"],
      ["monitoring.ts", "alarmEmail", "alarmEmail"],
      ["monitoring.ts", "monthlyBudgetUsd", "monthlyBudgetUsd"],
      ["monitoring.ts", "alarms", "alarms"],
      ["monitoring.ts", "dashboard", "dashboard"],
      ["monitoring.ts", "detailedMetrics", "detailedMetrics"],
      ["todo-api.ts", "detailedMetrics", "detailedMetrics"],
    ];
    const index = readFileSync(join(ROOT, "index.ts"), "utf8");
    for (const [file, arg, setting] of fed) {
      const source = readFileSync(join(ROOT, "components", file), "utf8");
      expect(source, `${file}: ${arg}`).to.match(new RegExp(`args\\.${arg} \\?\\? \\(?SETTINGS\\.${setting}\\.default\\b`));
      expect(source, `${file}: ${arg}'s JSDoc`).to.match(new RegExp(`@default SETTINGS\\.${setting}\\b[^*]*\\*/\\s*readonly ${arg}\\?`));
      expect(index, `index.ts passes settings.${setting}`).to.include(`settings.${setting}`);
    }
    // Every setting feeds something.
    for (const name of Object.keys(SETTINGS)) expect(index, name).to.include(`settings.${name}`);
  });

  it("exactly one stack file of each account region manages API Gateway's account setting (two would fight over it)", () => {
    const managers = new Map<string, string[]>();
    for (const file of stackFiles()) {
      const config = stackConfig(file);
      const manages = (config["tasklane:apiGatewayLogRole"] ?? SETTINGS.apiGatewayLogRole.default) === "this-stack";
      const region = String(config["aws:region"]);
      if (manages) managers.set(region, [...(managers.get(region) ?? []), file]);
    }
    // The example stack files share one account (Pulumi.prod.yaml says so); a stack in an account
    // of its own would be the one manager there.
    expect(stackFiles().length).to.be.greaterThan(1);
    for (const [region, files] of managers) expect(files, `${region}: ${files.join(", ")}`).to.have.length(1);
    expect([...managers.values()].flat()).to.deep.equal(["Pulumi.dev.yaml"]);
    expect(SETTINGS.apiGatewayLogRole.default, "a new stack never takes the account setting over by default").to.equal("");
    for (const file of stackFiles())
      expect(stackConfig(file)["tasklane:apiGatewayLogRole"], `${file} says who sets the account's log role`).to.be.oneOf([
        "this-stack",
        "elsewhere",
      ]);
  });

  it("exactly one stack file of the account sets a cost budget (a budget sees the whole account's bill)", () => {
    const budgets = stackFiles().filter(
      (file) => ((stackConfig(file)["tasklane:monthlyBudgetUsd"] as number | undefined) ?? SETTINGS.monthlyBudgetUsd.default) > 0,
    );
    expect(budgets).to.deep.equal(["Pulumi.dev.yaml"]);
  });
});
