/**
 * The CI workflows (.github/workflows), read as YAML and as text. They cannot run here (no GitHub,
 * no Pulumi CLI, no AWS), so these tests hold what can be checked offline: what runs on which
 * event, the versions they install, and how they hold credentials: every action pinned to a
 * commit, no expression spliced into a shell script, each job's own minimal permissions, no
 * long-lived Pulumi token, and no token-using job for pull requests from forks.
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
/** The condition that runs a job only for pull requests whose branch lives in this repository. */
const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

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
/** `${{ a }}` and `a` are the same condition to GitHub. */
const condition = (expression: string | undefined): string =>
  String(expression ?? "")
    .replace(/^\s*\$\{\{\s*/, "")
    .replace(/\s*\}\}\s*$/, "")
    .replace(/\s+/g, " ");
/** Steps that trade the job's OIDC token for cloud credentials. */
const exchangesTokens = (job: Job): boolean =>
  job.steps.some((s) => usesAction(s, "pulumi/auth-actions") || usesAction(s, "aws-actions/configure-aws-credentials"));
const commentsOnPullRequest = (job: Job): boolean => job.steps.some((s) => String(s.with?.["comment-on-pr"]) === "true");
const permissionsOf = (job: Job): Record<string, string> => (job.permissions ?? {}) as Record<string, string>;

/** Every `uses:` line of a file: the reference and what follows it on the line. */
const usesLines = (file: string): { line: number; ref: string; comment: string }[] =>
  text(file)
    .split("\n")
    .flatMap((l, i) => {
      const m = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(.*)$/.exec(l);
      return m ? [{ line: i + 1, ref: m[1], comment: m[2] }] : [];
    });

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

  it("pins every action to a full commit SHA with its release in a comment, the same commit in both workflows, as the README lists", () => {
    const readme = text("README.md");
    const pins = new Map<string, string>();
    for (const file of FILES) {
      const lines = usesLines(file);
      // Every `uses` the YAML holds is on a line of its own, so the line checks below see them all.
      const parsed = jobs(file).flatMap(([, j]) => j.steps.filter((s) => s.uses !== undefined));
      expect(lines.length, `${file}: uses lines vs parsed steps`).to.equal(parsed.length);
      for (const { line, ref, comment } of lines) {
        const where = `${file}:${line} ${ref}`;
        expect(ref, where).to.match(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        expect(comment, where).to.match(/^# v\d+\.\d+\.\d+(\s|$)/);
        const [action, sha] = ref.split("@");
        const pin = `${sha} ${comment.split(/\s+/)[1]}`;
        expect(pins.get(action) ?? pin, `${where}: one commit per action across the workflows`).to.equal(pin);
        pins.set(action, pin);
      }
    }
    expect([...pins.keys()]).to.include.members([
      "actions/checkout",
      "actions/setup-node",
      "aws-actions/configure-aws-credentials",
      "pulumi/auth-actions",
      "pulumi/actions",
    ]);
    for (const [action, pin] of pins) {
      const [sha, version] = pin.split(" ");
      expect(readme, `README lists ${action}`).to.include(`| \`${action}\` | ${version} | \`${sha}\` |`);
    }
  });

  it("splices no expression into a shell script: step outputs and event fields reach `run` through `env`", () => {
    for (const file of FILES) {
      for (const [name, job] of jobs(file)) {
        for (const run of runs(job)) expect(run, `${file} ${name}`).not.to.match(/\$\{\{/);
      }
    }
    const summary = pulumiJob(MAIN).steps.find((s) => s.run?.includes("GITHUB_STEP_SUMMARY"))!;
    expect(summary.env).to.deep.equal({
      SITE_URL: "${{ steps.pulumi.outputs.siteUrl }}",
      DASHBOARD_URL: "${{ steps.pulumi.outputs.dashboardUrl }}",
    });
    // Quoted, so the shell neither splits nor globs them.
    expect(summary.run).to.match(/^echo "[^"]*\$SITE_URL[^"]*\$DASHBOARD_URL[^"]*" >> "\$GITHUB_STEP_SUMMARY"$/);
  });

  it("grants nothing workflow-wide; each job lists its own permissions, writing only what it must", () => {
    for (const file of FILES) {
      const top = workflow(file).permissions;
      expect([{}, { contents: "read" }], `${file}: top-level permissions`).to.deep.include(top);
      for (const [name, job] of jobs(file)) {
        const where = `${file} ${name}`;
        expect(job.permissions, `${where} lists its permissions`).to.be.an("object");
        const granted = permissionsOf(job);
        for (const [scope, level] of Object.entries(granted)) expect(["read", "write", "none"], `${where} ${scope}`).to.include(level);
        // id-token: write only where a step trades the OIDC token; pull-requests: write only where
        // a step comments; no other scope is ever written.
        expect(granted["id-token"] === "write", `${where} id-token`).to.equal(exchangesTokens(job));
        expect(granted["pull-requests"] === "write", `${where} pull-requests`).to.equal(commentsOnPullRequest(job));
        const writes = Object.keys(granted).filter((scope) => granted[scope] === "write");
        expect(
          writes.filter((scope) => scope !== "id-token" && scope !== "pull-requests"),
          where,
        ).to.deep.equal([]);
      }
    }
  });

  it("the README's table of permissions per job is the workflows'", () => {
    const readme = text("README.md");
    for (const file of FILES) {
      for (const [name, job] of jobs(file)) {
        const listed = Object.entries(permissionsOf(job))
          .map(([scope, level]) => `\`${scope}: ${level}\``)
          .join(", ");
        expect(readme, `${file} ${name}`).to.include(`| \`${file.split("/").pop()}\` | \`${name}\` | ${listed} |`);
      }
    }
  });

  it("keeps the git token out of the working tree: no checkout persists credentials", () => {
    for (const file of FILES) {
      for (const [name, job] of jobs(file)) {
        for (const checkout of job.steps.filter((s) => usesAction(s, "actions/checkout"))) {
          expect(checkout.with?.["persist-credentials"], `${file} ${name}`).to.equal(false);
        }
      }
    }
  });

  it("holds no long-lived Pulumi token: both workflows exchange the job's OIDC token for a team token, preview and deploy teams apart", () => {
    expect(text(PULL_REQUEST), "pull-request.yml never names the token variable").not.to.include("PULUMI_ACCESS_TOKEN");
    const readme = text("README.md");
    const scopes: string[] = [];
    for (const file of FILES) {
      expect(text(file), file).not.to.match(/secrets\.PULUMI_ACCESS_TOKEN/);
      const job = pulumiJob(file);
      const auth = job.steps.findIndex((s) => usesAction(s, "pulumi/auth-actions"));
      expect(auth, `${file}: pulumi/auth-actions runs`).to.be.greaterThan(-1);
      expect(auth, `${file}: before pulumi/actions`).to.be.lessThan(job.steps.indexOf(pulumiStep(job)));
      const exchange = job.steps[auth].with!;
      expect(exchange.organization, file).to.equal("${{ vars.PULUMI_ORG }}");
      expect(exchange["requested-token-type"], file).to.equal("urn:pulumi:token-type:access_token:team");
      // The team is a repository variable with a default; the README names both, so a team set up
      // from the README is the one the workflow asks for.
      const team = /^team:\$\{\{ vars\.(\w+) \|\| '([\w-]+)' \}\}$/.exec(String(exchange.scope));
      expect(team, `${file} scope ${String(exchange.scope)}`).to.not.equal(null);
      expect(readme, file).to.include(`\`${team![1]}\``).and.include(`\`${team![2]}\``);
      scopes.push(String(exchange.scope));
      // Credentials come after npm ci: install scripts run with no cloud token in the environment.
      const install = job.steps.findIndex((s) => s.run?.startsWith("npm ci"));
      for (const credentials of ["pulumi/auth-actions", "aws-actions/configure-aws-credentials"]) {
        expect(install, `${file}: npm ci before ${credentials}`).to.be.lessThan(job.steps.findIndex((s) => usesAction(s, credentials)));
      }
    }
    expect(new Set(scopes).size, "the preview and the deploy ask for different teams").to.equal(2);
  });

  it("runs no job that needs a token or a secret for a pull request from a fork, and nothing on events that hand forks secrets", () => {
    for (const [name, job] of jobs(PULL_REQUEST)) {
      // What the job gets: its own list, else the workflow's.
      const granted = (job.permissions ?? workflow(PULL_REQUEST).permissions ?? {}) as Record<string, string>;
      const needsTrust =
        granted["id-token"] === "write" ||
        granted["pull-requests"] === "write" ||
        /\bsecrets\./.test(JSON.stringify({ steps: job.steps, env: job.env }));
      if (needsTrust) expect(condition(job.if), `${PULL_REQUEST} ${name}`).to.equal(SAME_REPOSITORY);
    }
    // The test job stays open to forks: it needs nothing a fork lacks.
    expect(workflow(PULL_REQUEST).jobs.test.if).to.be.undefined;
    // pull_request_target and workflow_run run with the base repository's secrets; main.yml runs
    // only for pushes to main and manual runs.
    for (const file of FILES) {
      for (const event of ["pull_request_target", "workflow_run"]) expect(workflow(file).on, file).not.to.have.property(event);
    }
    expect(Object.keys(workflow(MAIN).on).sort()).to.deep.equal(["push", "workflow_dispatch"]);
  });
});
