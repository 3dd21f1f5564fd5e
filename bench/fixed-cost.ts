/**
 * What a stack costs when nobody uses it: the monthly charges its resources bring whatever the
 * traffic. Pure: it reads the resources the program registers (type and inputs, as the Pulumi
 * mocks record them, dev/pulumi-mocks.ts `recorded`), so the counts come from the program and the
 * prices from PRICES. Everything else the program makes is billed by use (requests, GB-seconds,
 * reads and writes, bytes logged or stored, monthly active users) and costs nothing idle but what
 * it stores: a to-do table, logs and the site's files cost their storage, cents for a small stack.
 */
import { markdownTable } from "./lib/stats";
import { ASSUMPTIONS, PRICES } from "./prices";

/** A resource as the program registered it. */
export interface RegisteredResource {
  readonly type: string;
  readonly inputs: Record<string, any>;
}

export interface FixedCostItem {
  /** Stable key (FIXED_COST_ITEMS). */
  readonly key: FixedCostKey;
  readonly what: string;
  /** How many of the unit priced (alarm metrics, dashboards, web ACLs, …). */
  readonly count: number;
  readonly usdPerMonth: number;
  readonly note: string;
}

export interface FixedCost {
  readonly items: readonly FixedCostItem[];
  readonly totalUsd: number;
}

const TYPES = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  restApi: "aws:apigateway/restApi:RestApi",
  stage: "aws:apigateway/stage:Stage",
  budget: "aws:budgets/budget:Budget",
  topic: "aws:sns/topic:Topic",
  userPool: "aws:cognito/userPool:UserPool",
  kmsKey: "aws:kms/key:Key",
  table: "aws:dynamodb/table:Table",
  zone: "aws:route53/zone:Zone",
} as const;

/**
 * The metrics API Gateway sends per method with detailed metrics on (REST APIs): Count, 4XXError,
 * 5XXError, Latency, IntegrationLatency (CacheHitCount and CacheMissCount only with a cache).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 */
export const DETAILED_METRICS_PER_METHOD = 5;

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);
const usd = (n: number) => `$${n.toFixed(2)}`;
const hoursPerMonth = ASSUMPTIONS.secondsPerMonth / 3600;

/** The metrics one alarm watches: its metric, or each metric (not expression) of its metric math. */
export function alarmMetrics(inputs: Record<string, any>): { metrics: number; highResolution: boolean } {
  const queries = (inputs.metricQueries ?? []) as { metric?: { period?: number } }[];
  const periods = queries.length > 0 ? queries.flatMap((q) => (q.metric ? [q.metric.period ?? 60] : [])) : [inputs.period ?? 60];
  return { metrics: queries.length > 0 ? periods.length : 1, highResolution: Math.min(...periods) < 60 };
}

/** Methods of the REST API's OpenAPI document (each gets its own detailed metrics). */
function methodCount(resources: readonly RegisteredResource[]): number {
  return resources
    .filter((r) => r.type === TYPES.restApi && typeof r.inputs.body === "string")
    .reduce((n, r) => {
      const paths = (JSON.parse(r.inputs.body as string) as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
      return n + Object.values(paths).reduce((m, ops) => m + Object.keys(ops).filter((k) => HTTP_METHODS.has(k)).length, 0);
    }, 0);
}

export function fixedMonthlyCost(resources: readonly RegisteredResource[]): FixedCost {
  const of = (type: string) => resources.filter((r) => r.type === type);

  const alarms = of(TYPES.alarm).map((a) => alarmMetrics(a.inputs));
  const alarmMetricCount = alarms.reduce((n, a) => n + a.metrics, 0);
  const highResolution = alarms.filter((a) => a.highResolution).reduce((n, a) => n + a.metrics, 0);
  const alarmUsd =
    (alarmMetricCount - highResolution) * PRICES.cloudWatchAlarmMetricPerMonth +
    highResolution * PRICES.cloudWatchHighResolutionAlarmMetricPerMonth;

  const dashboards = of(TYPES.dashboard).length;

  const acls = of(TYPES.webAcl);
  const wafRules = acls.reduce((n, a) => n + ((a.inputs.rules as unknown[] | undefined)?.length ?? 0), 0);

  const detailed = of(TYPES.methodSettings).some((m) => m.inputs.settings?.metricsEnabled === true);
  const detailedMetrics = detailed ? methodCount(resources) * DETAILED_METRICS_PER_METHOD : 0;

  const caches = of(TYPES.stage).filter((s) => s.inputs.cacheClusterEnabled === true);
  const cacheUsd = caches.reduce((sum, s) => {
    const size = String(s.inputs.cacheClusterSize ?? "0.5");
    const perHour = PRICES.apiGatewayCachePerHour[size];
    if (perHour === undefined) throw new Error(`No price for an API Gateway cache of ${size} GB (bench/prices.ts)`);
    return sum + perHour * hoursPerMonth;
  }, 0);

  const budgets = of(TYPES.budget).length;
  const pools = of(TYPES.userPool);
  const keys = of(TYPES.kmsKey).length;
  const awsManagedKeyTables = of(TYPES.table).filter((t) => !t.inputs.serverSideEncryption?.kmsKeyArn).length;
  const zones = of(TYPES.zone).length;

  const items: FixedCostItem[] = [
    {
      key: "alarms",
      what: "CloudWatch alarms (metrics watched)",
      count: alarmMetricCount,
      usdPerMonth: alarmUsd,
      note: `in ${alarms.length} alarms`,
    },
    {
      key: "dashboard",
      what: "CloudWatch dashboard",
      count: dashboards,
      usdPerMonth: dashboards * PRICES.cloudWatchDashboardPerMonth,
      note: "",
    },
    {
      key: "detailedMetrics",
      what: "API Gateway per-method metrics",
      count: detailedMetrics,
      usdPerMonth: 0,
      note: detailed ? `nothing idle; up to ${usd(detailedMetrics * PRICES.cloudWatchCustomMetricPerMonth)} with traffic every hour` : "",
    },
    {
      key: "waf",
      what: "AWS WAF web ACL (and its rules)",
      count: acls.length,
      usdPerMonth: acls.length * PRICES.wafWebAclPerMonth + wafRules * PRICES.wafRulePerMonth,
      note: acls.length ? `${wafRules} rules` : "",
    },
    {
      key: "apiCache",
      what: "API Gateway cache",
      count: caches.length,
      usdPerMonth: cacheUsd,
      note: "",
    },
    {
      key: "budget",
      what: "AWS Budgets budget",
      count: budgets,
      usdPerMonth: 0,
      note: budgets ? "the account's, one of its two free ones" : "",
    },
    { key: "sns", what: "SNS topic", count: of(TYPES.topic).length, usdPerMonth: 0, note: "" },
    {
      key: "userPool",
      what: "Cognito user pool",
      count: pools.length,
      usdPerMonth: 0,
      note: pools.map((p) => String(p.inputs.userPoolTier ?? "ESSENTIALS")).join(", "),
    },
    {
      key: "kms",
      what: "KMS keys (customer managed)",
      count: keys,
      usdPerMonth: keys * PRICES.kmsCustomerKeyPerMonth,
      note: awsManagedKeyTables ? "the table uses the AWS managed key" : "",
    },
    { key: "zone", what: "Route 53 hosted zone", count: zones, usdPerMonth: zones * PRICES.route53HostedZonePerMonth, note: "" },
  ];
  // Cents are what a bill shows; rounding here keeps float noise (0.1 × 46) out of the figures.
  const cents = (n: number) => Math.round(n * 100) / 100;
  const rounded = items.map((i) => ({ ...i, usdPerMonth: cents(i.usdPerMonth) }));
  return { items: rounded, totalUsd: cents(rounded.reduce((sum, i) => sum + i.usdPerMonth, 0)) };
}

export type FixedCostKey = "alarms" | "dashboard" | "detailedMetrics" | "waf" | "apiCache" | "budget" | "sns" | "userPool" | "kms" | "zone";

/** Each item's unit, its setting (the one that adds or removes it, if any) and its price, for the README's table. */
export const FIXED_COST_ITEMS: Readonly<Record<FixedCostKey, { unit: string; setting: string; price: string }>> = {
  alarms: {
    unit: "metric",
    setting: "alarms",
    price: `${usd(PRICES.cloudWatchAlarmMetricPerMonth)} a month per metric an alarm watches (a metric-math alarm: each metric in it)`,
  },
  dashboard: { unit: "dashboard", setting: "dashboard", price: `${usd(PRICES.cloudWatchDashboardPerMonth)} a month` },
  detailedMetrics: {
    unit: "metric",
    setting: "detailedMetrics",
    price: `${usd(PRICES.cloudWatchCustomMetricPerMonth)} a month per metric (${DETAILED_METRICS_PER_METHOD} a route), by the hour, only hours with traffic: nothing idle`,
  },
  waf: {
    unit: "web ACL",
    setting: "wafRateLimit",
    price: `${usd(PRICES.wafWebAclPerMonth)} a month, ${usd(PRICES.wafRulePerMonth)} per rule (a managed rule group is one), plus ${usd(PRICES.wafPerRequest * 1e6)} per million requests`,
  },
  apiCache: {
    unit: "cache",
    setting: "none: kept off (below)",
    price: `${usd(PRICES.apiGatewayCachePerHour["0.5"])} an hour for 0.5 GB (${usd(PRICES.apiGatewayCachePerHour["0.5"] * hoursPerMonth)} a month), traffic or not`,
  },
  budget: {
    unit: "budget",
    setting: "monthlyBudgetUsd",
    price: `free (the account's first two), then ${usd(PRICES.budgetPerDayBeyondTwo)} a day`,
  },
  sns: { unit: "topic", setting: "always", price: "none: per message sent" },
  userPool: { unit: "pool", setting: "always, on the LITE plan", price: "none: per monthly active user beyond the free 10,000" },
  kms: {
    unit: "key",
    setting: "always the AWS managed key",
    price: `AWS managed keys free; ${usd(PRICES.kmsCustomerKeyPerMonth)} a month a customer managed key`,
  },
  zone: { unit: "zone", setting: "none: `domainName` uses your own", price: `${usd(PRICES.route53HostedZonePerMonth)} a month` },
};

/** One stack as the table shows it: its name, its settings (stack file over defaults), what it costs idle. */
export interface PricedStack {
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly cost: FixedCost;
}

/** The README's "What a stack costs when nobody uses it" table, for the stacks given (dev, prod). */
export function fixedCostTable(defaults: Readonly<Record<string, unknown>>, stacks: readonly PricedStack[]): string {
  const value = (settings: Readonly<Record<string, unknown>>, setting: string) =>
    setting in defaults ? `\`${JSON.stringify(settings[setting])}\`` : "";
  const rows: Record<string, string>[] = stacks[0].cost.items.map((item) => {
    const meta = FIXED_COST_ITEMS[item.key];
    const row: Record<string, string> = { item: item.what, setting: meta.setting in defaults ? `\`${meta.setting}\`` : meta.setting };
    row.default = value(defaults, meta.setting);
    for (const stack of stacks) {
      const mine = stack.cost.items.find((i) => i.key === item.key)!;
      const counted = mine.count ? `${mine.count} ${meta.unit}${mine.count === 1 ? "" : "s"}` : "none";
      const detail = mine.note ? `${counted} (${mine.note})` : counted;
      row[stack.name] = [value(stack.settings, meta.setting), `${detail}: ${usd(mine.usdPerMonth)}`].filter(Boolean).join(" → ");
    }
    row.price = meta.price;
    return row;
  });
  const total: Record<string, string> = { item: "**total a month, idle**", setting: "", default: "" };
  for (const stack of stacks) total[stack.name] = `**${usd(stack.cost.totalUsd)}**`;
  total.price = "";
  return markdownTable([...rows, total]);
}
