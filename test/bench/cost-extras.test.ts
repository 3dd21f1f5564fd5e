/** `npm run cost`'s second table: what WAF, X-Ray, Route 53, SES and the budget add, and which are on. */
import { expect } from "chai";
import { extrasReport } from "../../bench/cost-model";
import { PRICES } from "../../bench/prices";
import { SETTINGS } from "../../components/settings";

const defaults = {
  wafRateLimit: SETTINGS.wafRateLimit.default,
  domainName: SETTINGS.domainName.default,
  sesIdentityArn: SETTINGS.sesIdentityArn.default,
  monthlyBudgetUsd: SETTINGS.monthlyBudgetUsd.default,
};
const line = (lines: ReturnType<typeof extrasReport>, part: string) => lines.find((l) => l.part.startsWith(part))!;

describe("cost model: the production parts", () => {
  it("prices WAF as one web ACL with two rules plus $0.60 per million requests, and X-Ray at 5 % sampling", () => {
    const lines = extrasReport(defaults);
    expect(line(lines, "AWS WAF")).to.include({ monthly: 7, perMillion: 0.6 });
    // 5 % of a million requests are 50,000 traces at $5 a million: $0.25.
    expect(line(lines, "X-Ray").perMillion).to.be.closeTo(0.25, 1e-9);
    // The reservoir: one trace a second for 30 days, less the free 100,000.
    expect(line(lines, "X-Ray").monthly).to.be.closeTo((2_592_000 - 100_000) * PRICES.xrayPerTraceRecorded, 1e-9);
    expect(line(lines, "Route 53").monthly).to.equal(0.5);
  });

  it("says which parts a stack's defaults turn on: WAF, X-Ray and the budget on; the domain and SES off until configured", () => {
    const on = Object.fromEntries(extrasReport(defaults).map((l) => [l.setting, l.on]));
    expect(on).to.deep.equal({ wafRateLimit: true, "always on": true, domainName: false, sesIdentityArn: false, monthlyBudgetUsd: true });
  });

  it("follows the settings: no WAF at 0, the domain and SES once set, no budget at 0", () => {
    const lines = extrasReport({
      wafRateLimit: 0,
      domainName: "todo.example.com",
      sesIdentityArn: "arn:aws:ses:eu-west-1:1:identity/x",
      monthlyBudgetUsd: 0,
    });
    expect(lines.map((l) => [l.setting, l.on])).to.deep.equal([
      ["wafRateLimit", false],
      ["always on", true],
      ["domainName", true],
      ["sesIdentityArn", true],
      ["monthlyBudgetUsd", false],
    ]);
  });
});
