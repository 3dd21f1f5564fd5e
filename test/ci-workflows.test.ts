/**
 * The CI workflows (.github/workflows), read as YAML. They cannot run here (no GitHub, no Pulumi
 * CLI, no AWS), so these tests hold what can be checked offline: what runs on which event, the
 * versions they install, and which role each Pulumi job assumes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { ROOT, readYaml } from "../dev/pulumi-mocks";

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = {
  needs?: string;
  if?: string;
  container?: string;
  environment?: string;
  permissions?: unknown;
  env?: Record<string, unknown>;
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, Job> };

const PULL_REQUEST = ".github/workflows/pull-request.yml";
const MAIN = ".github/workflows/main.yml";
const FILES = [PULL_REQUEST, MAIN];
const expectations = [
  { file: PULL_REQUEST, event: "pull_request", command: "preview", role: "AWS_PREVIEW_ROLE_ARN" },
  { file: MAIN, event: "push", command: "up", role: "AWS_DEPLOY_ROLE_ARN" },
];
const text = (file: string): string => readFileSync(join(ROOT, file), "utf8");
const workflow = (file: string): Workflow => readYaml(file) as Workflow;
const jobs = (file: string): [string, Job][] => Object.entries(workflow(file).jobs);
const usesAction = (step: Step, action: string): boolean => String(step.uses ?? "").startsWith(`${action}@`);
const pulumiJob = (file: string): Job => jobs(file).find(([, j]) => j.steps.some((s) => usesAction(s, "pulumi/actions")))![1];
const pulumiStep = (job: Job): Step => job.steps.find((s) => usesAction(s, "pulumi/actions"))!;
const runs = (job: Job): string[] => job.steps.map((s) => s.run).filter((r): r is string => typeof r === "string");
const sdkVersion = (): string =>
  (JSON.parse(text("package-lock.json")) as { packages: Record<string, { version: string }> }).packages["node_modules/@pulumi/pulumi"]
    .version;
describe("CI (.github/workflows)", () => {
  it("previews on pull requests and deploys main with the official Pulumi action, after npm ci and npm test", () => {
    for (const { file, event, command } of expectations) {
      expect(workflow(file).on, file).to.have.property(event);
      const deploy = pulumiJob(file);
      expect(pulumiStep(deploy).with?.command, file).to.equal(command);
      expect(pulumiStep(deploy).with?.["stack-name"], file).to.be.a("string");
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
    for (const file of FILES) {
      for (const [name, job] of jobs(file)) {
        const setup = job.steps.find((s) => usesAction(s, "actions/setup-node"));
        const node = job.container ?? String(setup?.with?.["node-version"]);
        expect(node, `${file} ${name}`).to.match(/^(node:)?24(\b|-)/);
      }
      expect(String(pulumiStep(pulumiJob(file)).with?.["pulumi-version"]), file).to.equal(sdkVersion());
    }
  });

  it("previews with a read-only role and deploys with another; the README gives each role's exact OIDC subject", () => {
    const readme = text("README.md");
    for (const { file, role } of expectations) {
      const credentials = pulumiJob(file).steps.find((s) => usesAction(s, "aws-actions/configure-aws-credentials"))!;
      expect(credentials.with?.["role-to-assume"], file).to.equal(`\${{ secrets.${role} }}`);
      expect(readme, `README names ${role}`).to.include(role);
    }
    // A pull_request job presents repo:ORG/REPO:pull_request; a job with an environment presents
    // repo:ORG/REPO:environment:NAME (neither matches a trust policy written for refs/heads/main).
    expect(pulumiJob(PULL_REQUEST).environment, "preview runs without an environment").to.be.undefined;
    expect(readme).to.include('"token.actions.githubusercontent.com:sub": "repo:ORG/REPO:pull_request"');
    const environment = pulumiJob(MAIN).environment!;
    expect(environment).to.equal("${{ vars.PULUMI_STACK || 'dev' }}");
    for (const stack of ["dev", "prod"]) expect(readme).to.include(`"repo:ORG/REPO:environment:${stack}"`);
    expect(readme).to.include('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
  });
});
