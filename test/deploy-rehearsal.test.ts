/**
 * The deploy rehearsal (dev/deploy-rules.ts): AWS's create-time rules on the dependency graph the
 * engine would follow, for the dev stack, the prod stack and the prod stack with every optional
 * setting on. Each rule is also shown failing on the program as it was before it held: the graph
 * is put back the way that program registered it (the comment on each says how), and the rule
 * must name the problem. Run on commit 692ab30 itself, the first three and the last two rules
 * below failed there (11 of 11 functions, both stacks; README, "Deploy rehearsal").
 */
import { expect } from "chai";
import { DEPLOY_RULES, rehearse, type DeployRule } from "../dev/deploy-rules";
import type { Recorded } from "../dev/pulumi-mocks";
import { snapshotStack, type Snapshot } from "../dev/snapshot";

/** Every optional setting on: own domain, SES e-mail, alarms by e-mail, a budget, access logs, WAF, dashboard, per-method metrics. */
export const EVERY_OPTION: Readonly<Record<string, string>> = {
  domainName: "todo.example.com",
  hostedZoneId: "Z0123456789ABCDEFGHIJ",
  sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
  emailFrom: "tasklane <no-reply@example.com>",
  alarmEmail: "ops@example.com",
  monthlyBudgetUsd: "100",
  apiGatewayLogRole: "this-stack",
  cdnAccessLogs: "true",
  wafRateLimit: "2000",
  alarms: "perFunction",
  dashboard: "true",
  detailedMetrics: "true",
};

const clone = (s: Snapshot): Snapshot => JSON.parse(JSON.stringify(s)) as Snapshot;
const of = (s: Snapshot, type: string): Recorded[] => s.resources.filter((r) => r.type === type);
const urnsOf = (s: Snapshot, type: string): Set<string> => new Set(of(s, type).map((r) => r.options.urn));
/** Removes every dependency of `r` on a resource of `type` (explicit and through inputs). */
function forget(s: Snapshot, r: Recorded, type: string): void {
  const gone = urnsOf(s, type);
  (r.options as { dependsOn: string[] }).dependsOn = r.options.dependsOn.filter((u) => !gone.has(u));
  for (const [key, urns] of Object.entries(r.options.propertyDependencies))
    r.options.propertyDependencies[key] = urns.filter((u) => !gone.has(u));
}
/** Rules a "fails on the program as it was" test has seen reporting problems. */
const seenFailing = new Set<string>();
const problemsOf = (rule: DeployRule, s: Snapshot): string[] => {
  const problems = rehearse(s).find((r) => r.rule.id === rule.id)!.finding.problems;
  if (problems.length > 0) seenFailing.add(rule.id);
  return problems;
};
const rule = (id: string): DeployRule => DEPLOY_RULES.find((r) => r.id === id)!;

describe("deploy rehearsal: AWS's create-time rules on the engine's dependency graph", function () {
  // Three stacks run under mocks, one process each: over 2 minutes on a busy 2-core machine.
  this.timeout(300_000);
  const stacks: Record<string, Snapshot> = {};

  before(async () => {
    // One process each: resource names are global to a process. Sequential: each builds dist/site.
    stacks.dev = await snapshotStack("Pulumi.dev.yaml");
    stacks.prod = await snapshotStack("Pulumi.prod.yaml");
    stacks["prod, every option"] = await snapshotStack("Pulumi.prod.yaml", EVERY_OPTION);
  });

  for (const name of ["dev", "prod", "prod, every option"]) {
    it(`holds every rule on the ${name} stack`, () => {
      const failed = rehearse(stacks[name]).filter(({ finding }) => finding.problems.length > 0);
      expect(failed.map(({ rule, finding }) => `${rule.id}: ${finding.problems.join("; ")}`)).to.deep.equal([]);
    });
  }

  it("gives every rule something to check on the stack with every option (a rule that sees nothing proves nothing)", () => {
    for (const { rule, finding } of rehearse(stacks["prod, every option"])) expect(finding.checked, rule.id).to.be.greaterThan(0);
  });

  it("names a source for every rule", () => {
    for (const r of DEPLOY_RULES) {
      expect(r.sources.length, r.id).to.be.greaterThan(0);
      for (const source of r.sources) expect(source, r.id).to.have.length.greaterThan(20);
    }
  });

  describe("each rule fails on the program as it was", () => {
    let s: Snapshot;
    beforeEach(() => {
      s = clone(stacks["prod, every option"]);
    });

    it("X-Ray: the function made before its role's policy (before: the policy named the log group, which named the function)", () => {
      for (const fn of of(s, "aws:lambda/function:Function")) forget(s, fn, "aws:iam/rolePolicy:RolePolicy");
      expect(problemsOf(rule("xray-grant-before-traced-function"), s)).to.have.length(of(s, "aws:lambda/function:Function").length);
    });

    it("log group: the group named after the function, so invoke permissions came before it", () => {
      for (const fn of of(s, "aws:lambda/function:Function")) {
        forget(s, fn, "aws:iam/rolePolicy:RolePolicy");
        forget(s, fn, "aws:cloudwatch/logGroup:LogGroup");
      }
      expect(problemsOf(rule("log-group-before-invocation"), s)).to.have.length(of(s, "aws:lambda/permission:Permission").length);
    });

    it("account log role: a stack that does not say who sets it, and a stage that does not wait for it", () => {
      delete s.config["tasklane:apiGatewayLogRole"];
      expect(problemsOf(rule("account-log-role-before-access-logging"), s)).to.have.length(1);
      const t = clone(stacks["prod, every option"]);
      for (const stage of of(t, "aws:apigateway/stage:Stage")) forget(t, stage, "aws:apigateway/account:Account");
      expect(problemsOf(rule("account-log-role-before-access-logging"), t)).to.have.length(1);
    });

    it("CloudFront: a certificate used before its validation, or made outside us-east-1", () => {
      const cdn = of(s, "aws:cloudfront/distribution:Distribution")[0];
      forget(s, cdn, "aws:acm/certificateValidation:CertificateValidation");
      cdn.options.propertyDependencies.viewerCertificate = [...urnsOf(s, "aws:acm/certificate:Certificate")];
      expect(problemsOf(rule("cloudfront-us-east-1-and-validated-certificate"), s)).to.have.length(1);
      const t = clone(stacks["prod, every option"]);
      for (const r of [...of(t, "aws:acm/certificate:Certificate"), ...of(t, "aws:wafv2/webAcl:WebAcl")])
        (r.options as { provider: string }).provider = "";
      expect(problemsOf(rule("cloudfront-us-east-1-and-validated-certificate"), t)).to.have.length(2);
    });

    it("deployment: no triggers, so a changed definition is never deployed", () => {
      for (const d of of(s, "aws:apigateway/deployment:Deployment")) delete d.inputs.triggers;
      expect(problemsOf(rule("deployment-follows-definition"), s)).to.have.length(1);
    });

    it("invoke permissions: a stage that goes live before them", () => {
      for (const stage of of(s, "aws:apigateway/stage:Stage")) forget(s, stage, "aws:lambda/permission:Permission");
      expect(problemsOf(rule("invoke-permissions-before-traffic"), s)).to.have.length(of(s, "aws:lambda/permission:Permission").length);
    });

    it("SES: an identity in a region Cognito cannot send from for this pool", () => {
      const pool = of(s, "aws:cognito/userPool:UserPool")[0];
      pool.inputs.emailConfiguration.sourceArn = "arn:aws:ses:ap-south-1:123456789012:identity/example.com";
      expect(problemsOf(rule("ses-identity-in-a-region-cognito-sends-from"), s)).to.have.length(1);
    });

    it("stateful resources: kept on delete only (before: retainOnDelete without protect)", () => {
      for (const r of [...of(s, "aws:dynamodb/table:Table"), ...of(s, "aws:cognito/userPool:UserPool")])
        (r.options as { protect: boolean }).protect = false;
      expect(problemsOf(rule("stateful-resources-protected"), s)).to.have.length(2);
    });

    it("Route 53: alias records that do not say whether they may overwrite (before: unset)", () => {
      for (const r of of(s, "aws:route53/record:Record").filter((r) => r.name.includes("alias"))) delete r.inputs.allowOverwrite;
      expect(problemsOf(rule("route53-records-decide-overwrite"), s)).to.have.length(2);
    });

    it("usage plan: one that names a stage it does not wait for", () => {
      for (const plan of of(s, "aws:apigateway/usagePlan:UsagePlan")) forget(s, plan, "aws:apigateway/stage:Stage");
      expect(problemsOf(rule("usage-plan-after-stage"), s)).to.have.length(1);
    });

    it("stream: an event source mapping made before its function's role may read the stream (the poke function's mapping without its dependsOn)", () => {
      const mappings = of(s, "aws:lambda/eventSourceMapping:EventSourceMapping");
      expect(mappings).to.have.length(1);
      // The function (its functionName input) waits for the policy too; the old graph had neither.
      for (const m of mappings) forget(s, m, "aws:iam/rolePolicy:RolePolicy");
      for (const fn of of(s, "aws:lambda/function:Function")) forget(s, fn, "aws:iam/rolePolicy:RolePolicy");
      expect(problemsOf(rule("stream-read-grant-before-event-source-mapping"), s)).to.have.length(1);
    });

    it("scheduler: the sweep's role trusting Lambda instead of EventBridge Scheduler", () => {
      const roles = of(s, "aws:iam/role:Role").filter((r) => String(r.inputs.assumeRolePolicy).includes("scheduler.amazonaws.com"));
      expect(roles).to.have.length(1);
      for (const role of roles)
        role.inputs.assumeRolePolicy = String(role.inputs.assumeRolePolicy).replace("scheduler.amazonaws.com", "lambda.amazonaws.com");
      expect(problemsOf(rule("scheduler-role-trusts-scheduler"), s)).to.have.length(1);
    });

    it("stream off: a mapping on a table whose stream is not enabled (before the push channel the table had none)", () => {
      for (const table of of(s, "aws:dynamodb/table:Table")) table.inputs.streamEnabled = false;
      expect(problemsOf(rule("event-source-mapping-on-an-enabled-stream"), s)).to.have.length(1);
    });

    it("stream view type: KEYS_ONLY, as before the device id (no writer in the records), or a value DynamoDB refuses", () => {
      for (const viewType of ["KEYS_ONLY", "NEW"]) {
        for (const table of of(s, "aws:dynamodb/table:Table")) table.inputs.streamViewType = viewType;
        expect(problemsOf(rule("event-source-mapping-on-an-enabled-stream"), s)).to.have.length(1);
      }
    });

    it("OpenAPI import: deprecated operations (the old /api/todos routes) with an import that fails on any warning", () => {
      const apis = of(s, "aws:apigateway/restApi:RestApi");
      expect(apis).to.have.length(1);
      for (const api of apis) api.inputs.failOnWarnings = true;
      expect(problemsOf(rule("openapi-import-takes-deprecated-operations"), s)).to.have.length(1);
    });

    it("log group name: a custom group named as Lambda's own (aws/…), which Lambda cannot write to", () => {
      const fn = of(s, "aws:lambda/function:Function")[0];
      const group = of(s, "aws:cloudwatch/logGroup:LogGroup").find((l) => l.state.name === fn.inputs.loggingConfig.logGroup)!;
      group.state.name = fn.inputs.loggingConfig.logGroup = "aws/lambda/custom";
      expect(problemsOf(rule("log-group-before-invocation"), s)).to.deep.equal([
        `LogGroup ${group.name}: a custom log group named aws/lambda/custom (Lambda refuses names that begin with aws/)`,
      ]);
    });

    it("covers every rule of the catalogue", () => {
      // Every rule was seen failing by a test above; a new rule needs its own.
      expect([...seenFailing].sort()).to.deep.equal(DEPLOY_RULES.map((r) => r.id).sort());
    });
  });

  describe("refused before anything is created", () => {
    it("a stack that does not say who sets API Gateway's log role: the message names both fixes", async () => {
      const error = await snapshotStack("Pulumi.dev.yaml", { apiGatewayLogRole: "" }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(error?.message).to.match(/pulumi config set tasklane:apiGatewayLogRole this-stack/);
      expect(error?.message).to.match(/`elsewhere`/);
    });

    it("an SES identity in a region Cognito cannot use for this pool: the message names the regions that work", async () => {
      const error = await snapshotStack("Pulumi.prod.yaml", {
        ...EVERY_OPTION,
        sesIdentityArn: "arn:aws:ses:ap-south-1:123456789012:identity/example.com",
      }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(error?.message).to.match(/sesIdentityArn is in ap-south-1.*eu-west-1, us-east-1, us-west-2/);
    });
  });
});
