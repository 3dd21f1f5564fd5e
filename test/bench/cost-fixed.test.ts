/**
 * What a stack costs when nobody uses it (bench/fixed-cost.ts), priced from what the program
 * registers: the dev stack in this process (runProgram), the prod stack in a child process of its
 * own (bench/idle-cost.ts; the mocks allow one program a process). The targets: dev at most $1 a
 * month, prod (WAF on) at most $12.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { fixedCostTable, fixedMonthlyCost, type FixedCost, type RegisteredResource } from "../../bench/fixed-cost";
import { idleCost, SETTING_DEFAULTS, stackFileSettings } from "../../bench/idle-cost";
import { WAF_RULE_NAMES } from "../../components/static-site";
import { routes } from "../../handlers/routes";
import { programResources, ROOT, runProgram } from "../../dev/pulumi-mocks";

const item = (cost: FixedCost, key: string) => cost.items.find((i) => i.key === key)!;
const alarm = (inputs: Record<string, unknown>): RegisteredResource => ({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", inputs });
const metric = (period = 300) => ({ metric: { namespace: "AWS/Lambda", metricName: "Errors", period, stat: "Sum" } });

describe("what a stack costs when nobody uses it", () => {
  describe("fixedMonthlyCost (pure)", () => {
    it("bills an alarm by the metrics it watches: one for a plain alarm, each metric (not expression) of a metric-math one", () => {
      const cost = fixedMonthlyCost([
        alarm({ metricName: "Errors", period: 300 }),
        alarm({ metricQueries: [metric(), metric(), metric(), { id: "total", expression: "SUM([m0,m1,m2])" }] }),
      ]);
      expect(item(cost, "alarms")).to.include({ count: 4, usdPerMonth: 0.4, note: "in 2 alarms" });
      // High resolution (a period under a minute) costs three times as much.
      expect(item(fixedMonthlyCost([alarm({ metricName: "Errors", period: 10 })]), "alarms").usdPerMonth).to.equal(0.3);
    });

    it("prices a dashboard at $3 (the account's three free ones are shared by every stack), a web ACL at $5 plus $1 a rule", () => {
      const cost = fixedMonthlyCost([
        { type: "aws:cloudwatch/dashboard:Dashboard", inputs: {} },
        { type: "aws:wafv2/webAcl:WebAcl", inputs: { rules: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
      ]);
      expect(item(cost, "dashboard").usdPerMonth).to.equal(3);
      expect(item(cost, "waf")).to.include({ count: 1, usdPerMonth: 8, note: "3 rules" });
      expect(cost.totalUsd).to.equal(11);
    });

    it("counts per-method metrics from the API's document: nothing idle, what they cost busy in the note", () => {
      const body = JSON.stringify({ paths: { "/a": { get: {}, post: {}, parameters: [] }, "/b": { delete: {} } } });
      const cost = fixedMonthlyCost([
        { type: "aws:apigateway/restApi:RestApi", inputs: { body } },
        { type: "aws:apigateway/methodSettings:MethodSettings", inputs: { settings: { metricsEnabled: true } } },
      ]);
      // 3 methods × 5 metrics at $0.30 a month, only for the hours they get data.
      expect(item(cost, "detailedMetrics")).to.include({
        count: 15,
        usdPerMonth: 0,
        note: "nothing idle; up to $4.50 with traffic every hour",
      });
    });

    it("prices an API Gateway cache by the hour, traffic or not, and refuses a size it has no price for", () => {
      const stage = (inputs: Record<string, unknown>): RegisteredResource => ({ type: "aws:apigateway/stage:Stage", inputs });
      expect(item(fixedMonthlyCost([stage({ cacheClusterEnabled: true, cacheClusterSize: "0.5" })]), "apiCache").usdPerMonth).to.equal(
        14.4,
      );
      expect(item(fixedMonthlyCost([stage({})]), "apiCache").usdPerMonth).to.equal(0);
      expect(() => fixedMonthlyCost([stage({ cacheClusterEnabled: true, cacheClusterSize: "6.1" })])).to.throw(/No price.*6\.1 GB/);
    });
  });

  describe("the stacks", () => {
    let dev: FixedCost;
    let prod: FixedCost;
    before(async function () {
      this.timeout(180_000);
      await runProgram();
      dev = fixedMonthlyCost(programResources());
      // Then the prod stack, in a child process (about 20 s; not meanwhile: both build dist/site).
      prod = await idleCost("prod");
    });

    it("the dev stack costs at most $1 a month idle: the API's two alarms (3 metrics), no dashboard, no web ACL", () => {
      expect(dev.totalUsd).to.be.at.most(1);
      expect(item(dev, "alarms")).to.include({ count: 3, usdPerMonth: 0.3 });
      for (const key of ["dashboard", "waf", "detailedMetrics", "apiCache", "kms", "zone"]) expect(item(dev, key).count, key).to.equal(0);
      expect(item(dev, "budget")).to.include({ count: 1, usdPerMonth: 0 }); // the account's budget lives in the dev stack
      expect(item(dev, "userPool").note).to.equal("LITE");
    });

    it("the prod stack (WAF on) costs at most $12 a month idle, and keeps every alarm", () => {
      expect(prod.totalUsd).to.be.at.most(12);
      expect(item(prod, "waf")).to.include({ count: 1, note: `${WAF_RULE_NAMES.length} rules` });
      // Each function's errors, throttles and p99 duration; the API's 5xx rate (2 metrics) and
      // latency; the table's throttles and system errors (5 operations each).
      expect(item(prod, "alarms").count).to.equal(routes.length * 3 + 2 + 1 + 2 * 5);
      expect(item(prod, "dashboard").count).to.equal(0);
    });

    it("the README's table is fixedCostTable() of the dev and prod stacks, verbatim", () => {
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      const table = /<!-- fixed-cost:start -->\n([\s\S]*?)\n<!-- fixed-cost:end -->/.exec(readme);
      expect(table, "README.md has a <!-- fixed-cost:start --> … <!-- fixed-cost:end --> block").to.not.equal(null);
      const expected = fixedCostTable(SETTING_DEFAULTS, [
        { name: "dev", settings: stackFileSettings("dev"), cost: dev },
        { name: "prod", settings: stackFileSettings("prod"), cost: prod },
      ]);
      expect(table![1]).to.equal(expected);
    });
  });
});
