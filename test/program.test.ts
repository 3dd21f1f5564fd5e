/**
 * The whole program under Pulumi mocks: index.ts with the dev stack's config. Checks that cut
 * across components: stack outputs, config declarations, least privilege, no public bucket.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { XRAY_WRITE_ACTIONS } from "../components/todo-api";
import {
  ROOT,
  projectConfig,
  readYaml,
  recorded,
  runProgram,
  unexpectedCalls,
  type Recorded,
  type StackOutputs,
} from "../dev/pulumi-mocks";

const policyDocuments = (): { owner: string; doc: { Statement: any[] } }[] => {
  const docs: { owner: string; doc: { Statement: any[] } }[] = [];
  for (const r of recorded) {
    for (const key of ["policy", "assumeRolePolicy"]) {
      if (typeof r.inputs[key] === "string" && r.inputs[key].trim().startsWith("{"))
        docs.push({ owner: `${r.type} ${r.name}.${key}`, doc: JSON.parse(r.inputs[key]) });
    }
    for (const inline of r.inputs.inlinePolicies ?? []) docs.push({ owner: `${r.name} inline`, doc: JSON.parse(inline.policy) });
  }
  return docs;
};
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe("the Pulumi program (index.ts, dev stack, mocks)", () => {
  let outputs: StackOutputs;
  before(async () => {
    outputs = await runProgram();
  });

  it("exports siteUrl, apiUrl, userPoolId, userPoolClientId, tableName and dashboardUrl", () => {
    for (const key of ["siteUrl", "apiUrl", "userPoolId", "userPoolClientId", "tableName", "dashboardUrl"]) {
      expect(outputs[key], key).to.be.a("string").and.not.equal("");
    }
    expect(outputs.siteUrl).to.match(/^https:\/\/[^/]+\.cloudfront\.net$/);
    expect(outputs.apiUrl).to.equal(`${String(outputs.siteUrl)}/api`);
    // The dev stack has no dashboard of its own (setting `dashboard`): the console's dashboards.
    expect(outputs.dashboardUrl).to.match(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/.*#dashboards:/);
  });

  it("composes the five components, each a tasklane:index ComponentResource", () => {
    const components = recorded.filter((r) => r.type.startsWith("tasklane:index:") && !r.custom).map((r) => r.type);
    expect(components).to.include.members([
      "tasklane:index:TodoTable",
      "tasklane:index:AuthPool",
      "tasklane:index:TodoApi",
      "tasklane:index:StaticSite",
      "tasklane:index:Monitoring",
    ]);
  });

  it("calls no provider function (everything it needs comes from config and resources)", () => {
    expect(unexpectedCalls).to.deep.equal([]);
  });

  it("declares every setting in Pulumi.yaml with a type, a default and a description; stack files set only declared keys", () => {
    const declared = projectConfig();
    expect(Object.keys(declared)).to.have.length.greaterThan(5);
    for (const [key, spec] of Object.entries(declared)) {
      expect(spec.type, key).to.be.oneOf(["string", "integer", "boolean"]);
      expect(spec, key).to.have.property("default");
      expect(typeof spec.default, key).to.equal(spec.type === "integer" ? "number" : spec.type);
      expect(spec.description, key).to.be.a("string").with.length.greaterThan(10);
    }
    for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
      const { config } = readYaml(file) as { config: Record<string, unknown> };
      expect(config["aws:region"], file).to.be.a("string");
      for (const [key, value] of Object.entries(config)) {
        if (key.startsWith("aws:")) continue;
        const name = key.replace(/^tasklane:/, "");
        expect(declared, `${file}: ${key}`).to.have.property(name);
        expect(typeof value, `${file}: ${key}`).to.equal(declared[name].type === "integer" ? "number" : declared[name].type);
      }
    }
  });

  it("the prod example protects data: protectData on, logs kept a year, alarms e-mailed, WAF on", () => {
    const { config } = readYaml("Pulumi.prod.yaml") as { config: Record<string, unknown> };
    expect(config["tasklane:protectData"]).to.equal(true);
    expect(config["tasklane:logRetentionDays"]).to.be.at.least(365);
    expect(config["tasklane:alarmEmail"]).to.match(/@/);
    // The per-client rate limit: WAF is on unless a stack turns it off (the dev stack does).
    expect(config["tasklane:wafRateLimit"] ?? projectConfig().wafRateLimit.default).to.be.greaterThan(0);
  });

  it("index.ts's defaults are Pulumi.yaml's: unset keys of the dev stack come out as declared", () => {
    const declared = projectConfig();
    const { config } = readYaml("Pulumi.dev.yaml") as { config: Record<string, unknown> };
    const setting = (key: string) => (config[`tasklane:${key}`] ?? declared[key].default) as number | string | boolean;
    // The program's own resources (its TodoApi is "api"): component tests add others to this process.
    const program = recorded.filter((r) => r.name.startsWith("api-"));
    const functions = program.filter((r) => r.type === "aws:lambda/function:Function");
    expect(functions).to.have.length.greaterThan(0);
    expect(functions.map((f) => f.inputs.memorySize)).to.satisfy((v: number[]) => v.every((m) => m === setting("lambdaMemoryMb")));
    expect(functions.map((f) => f.inputs.timeout)).to.satisfy((v: number[]) => v.every((t) => t === setting("lambdaTimeoutSeconds")));
    for (const group of program.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")) {
      expect(group.inputs.retentionInDays, group.name).to.equal(setting("logRetentionDays"));
    }
    const methodSettings = program.find((r) => r.type === "aws:apigateway/methodSettings:MethodSettings")!;
    expect(methodSettings.inputs.settings.throttlingRateLimit).to.equal(setting("apiThrottleRateLimit"));
    expect(methodSettings.inputs.settings.throttlingBurstLimit).to.equal(setting("apiThrottleBurstLimit"));
    expect(recorded.find((r) => r.type === "aws:cloudfront/distribution:Distribution")!.inputs.priceClass).to.equal(
      setting("cdnPriceClass"),
    );
    expect(recorded.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription")).to.have.length(
      setting("alarmEmail") === "" ? 0 : 1,
    );
    expect(program.filter((r) => r.type === "aws:apigateway/account:Account")).to.have.length(setting("manageApiGatewayAccount") ? 1 : 0);
    const table = recorded.find((r) => r.type === "aws:dynamodb/table:Table" && r.name === "todos-table")!;
    expect(table.inputs.deletionProtectionEnabled).to.equal(setting("protectData"));
    // By name: component tests in the same process build other StaticSites (e.g. prod-site).
    expect(recorded.filter((r) => r.type === "aws:wafv2/webAcl:WebAcl" && r.name === "site-waf")).to.have.length(
      setting("wafRateLimit") === 0 ? 0 : 1,
    );
    expect(recorded.filter((r) => r.type === "aws:budgets/budget:Budget" && r.name === "monitoring-budget")).to.have.length(
      setting("monthlyBudgetUsd") === 0 ? 0 : 1,
    );
    expect(recorded.filter((r) => r.type === "aws:acm/certificate:Certificate" && r.name === "site-certificate")).to.have.length(
      setting("domainName") === "" ? 0 : 1,
    );
  });

  describe("least privilege", () => {
    it("no IAM statement allows a * action; * resources only for X-Ray's two write actions; DynamoDB only on the table", () => {
      const docs = policyDocuments();
      expect(docs.length).to.be.greaterThan(6);
      for (const { owner, doc } of docs) {
        for (const statement of list(doc.Statement) as any[]) {
          if (statement.Effect !== "Allow") continue;
          const actions = list(statement.Action) as string[];
          expect(actions, owner).to.not.be.empty;
          for (const action of actions) expect(action, owner).to.not.match(/\*/);
          // X-Ray defines no resource for PutTraceSegments/PutTelemetryRecords, so IAM takes them only
          // on "*"; nothing else may use it.
          if ((list(statement.Resource) as string[]).includes("*"))
            expect([...actions].sort(), `${owner}: "*" resource`).to.deep.equal([...XRAY_WRITE_ACTIONS].sort());
          if (actions.some((a) => a.startsWith("dynamodb:"))) {
            for (const resource of list(statement.Resource) as string[]) {
              expect(resource, owner).to.not.equal("*");
              expect(resource, owner).to.match(/^arn:aws:dynamodb:[^:]+:\d+:table\/[^*]+$/);
            }
          }
        }
      }
    });

    it("attaches no *FullAccess (or PowerUser) managed policy anywhere", () => {
      const attached = [
        ...recorded.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.inputs.policyArn as string),
        ...recorded.flatMap((r) => (r.type === "aws:iam/role:Role" ? ((r.inputs.managedPolicyArns ?? []) as string[]) : [])),
      ];
      expect(attached.length).to.be.greaterThan(0); // API Gateway's logging role has one
      for (const arn of attached) expect(arn).to.not.match(/FullAccess|PowerUser|AdministratorAccess/);
    });

    it("gives every Lambda function a role of its own, none of CallbackFunction's default roles", () => {
      const functions = recorded.filter((r) => r.type === "aws:lambda/function:Function");
      const roles = functions.map((f) => f.inputs.role as string);
      expect(new Set(roles).size).to.equal(functions.length);
      const roleArns = recorded.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.state.arn);
      for (const role of roles) expect(roleArns).to.include(role);
      // CallbackFunction names its default role after the function itself.
      const roleNames = recorded.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name);
      for (const fn of functions) expect(roleNames).to.not.include(fn.name);
    });
  });

  it("never makes the bucket public: every public-access switch is on and no statement grants * principals anything", () => {
    const blocks = recorded.filter((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    const buckets = recorded.filter((r) => r.type === "aws:s3/bucket:Bucket");
    expect(blocks).to.have.length(buckets.length);
    for (const block of blocks) {
      expect(block.inputs).to.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
    for (const bucket of buckets) expect(bucket.inputs.acl ?? "private").to.equal("private");
    const objects = recorded.filter((r) => r.type.startsWith("aws:s3/bucketObject"));
    for (const object of objects) expect(object.inputs.acl, object.name).to.be.undefined;
    for (const policy of recorded.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")) {
      for (const statement of JSON.parse(policy.inputs.policy).Statement) {
        if (statement.Effect === "Allow") expect(statement.Principal).to.not.equal("*").and.not.deep.equal({ AWS: "*" });
      }
    }
  });

  it("registers every resource under a component (nothing loose in the stack)", () => {
    const loose = recorded.filter(
      (r: Recorded) => r.custom && r.type.startsWith("aws:") && r.options.parent === "" && !r.type.startsWith("pulumi:"),
    );
    expect(loose.map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
  });

  describe("CI (.github/workflows)", () => {
    const sdkVersion = (): string =>
      (JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages[
        "node_modules/@pulumi/pulumi"
      ].version;
    const expectations = [
      { file: ".github/workflows/pull-request.yml", event: "pull_request", command: "preview", role: "AWS_PREVIEW_ROLE_ARN" },
      { file: ".github/workflows/main.yml", event: "push", command: "up", role: "AWS_DEPLOY_ROLE_ARN" },
    ];
    type Job = { needs?: string; container?: string; environment?: string; steps: any[] };
    const workflow = (file: string) => readYaml(file) as { on: Record<string, unknown>; jobs: Record<string, Job> };
    const pulumiJob = (file: string) =>
      Object.values(workflow(file).jobs).find((j) => j.steps.some((s) => String(s.uses ?? "").startsWith("pulumi/actions@")))!;
    const pulumiStep = (job: Job) => job.steps.find((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
    const runs = (job: Job) => job.steps.map((s) => s.run as string | undefined).filter(Boolean) as string[];

    it("previews on pull requests and deploys main with the official Pulumi action, after npm ci and npm test", () => {
      for (const { file, event, command } of expectations) {
        expect(workflow(file).on, file).to.have.property(event);
        const deploy = pulumiJob(file);
        expect(pulumiStep(deploy).with.command, file).to.equal(command);
        expect(pulumiStep(deploy).with["stack-name"], file).to.be.a("string");
        expect(
          runs(deploy).some((r) => r.startsWith("npm ci")),
          file,
        ).to.equal(true);
        const testJob = workflow(file).jobs[deploy.needs as string];
        expect(testJob, `${file}: the Pulumi job needs the test job`).to.exist;
        const testRuns = runs(testJob);
        expect(testRuns.indexOf("npm test"), file).to.be.greaterThan(-1);
        expect(
          testRuns.findIndex((r) => r.startsWith("npm ci")),
          file,
        ).to.be.lessThan(testRuns.indexOf("npm test"));
      }
    });

    it("runs on Node 24 and installs the Pulumi CLI release of the SDK in package-lock.json", () => {
      expect(sdkVersion()).to.match(/^3\.\d+\.\d+$/);
      for (const { file } of expectations) {
        for (const [name, job] of Object.entries(workflow(file).jobs)) {
          const setup = job.steps.find((s) => String(s.uses ?? "").startsWith("actions/setup-node@"));
          const node = job.container ?? String(setup?.with?.["node-version"]);
          expect(node, `${file} ${name}`).to.match(/^(node:)?24(\b|-)/);
        }
        expect(String(pulumiStep(pulumiJob(file)).with["pulumi-version"]), file).to.equal(sdkVersion());
      }
    });

    it("previews with a read-only role and deploys with another; the README gives each role's exact OIDC subject", () => {
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      for (const { file, role } of expectations) {
        const deploy = pulumiJob(file);
        const credentials = deploy.steps.find((s) => String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
        expect(credentials.with["role-to-assume"], file).to.equal(`\${{ secrets.${role} }}`);
        expect(readme, `README names ${role}`).to.include(role);
      }
      // A pull_request job presents repo:ORG/REPO:pull_request; a job with an environment presents
      // repo:ORG/REPO:environment:NAME (neither matches a trust policy written for refs/heads/main).
      expect(pulumiJob(".github/workflows/pull-request.yml").environment, "preview runs without an environment").to.be.undefined;
      expect(readme).to.include('"token.actions.githubusercontent.com:sub": "repo:ORG/REPO:pull_request"');
      const environment = pulumiJob(".github/workflows/main.yml").environment!;
      expect(environment).to.equal("${{ vars.PULUMI_STACK || 'dev' }}");
      for (const stack of ["dev", "prod"]) expect(readme).to.include(`"repo:ORG/REPO:environment:${stack}"`);
      expect(readme).to.include('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
    });
  });
});
