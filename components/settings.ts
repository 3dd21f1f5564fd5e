/**
 * The stack's settings: each one's type, default and meaning, written here and nowhere else.
 * index.ts reads the stack config through `readSettings()`; the components take their `??`
 * fallbacks from `SETTINGS`; Pulumi.yaml's `config:` block and the README's configuration table
 * are copies that test/components/settings.test.ts holds equal to this object (the README
 * table is `settingsTable()`'s output, verbatim).
 */
import type * as pulumi from "@pulumi/pulumi";

interface Setting<T extends string | number | boolean> {
  readonly type: T extends string ? "string" : T extends number ? "integer" : "boolean";
  readonly default: T;
  readonly description: string;
}

function setting<T extends string | number | boolean>(spec: Setting<T>): Setting<T> {
  return spec;
}

export const SETTINGS = {
  protectData: setting<boolean>({
    type: "boolean",
    default: false,
    description:
      "Deletion protection on the table and user pool, and keep both on `pulumi destroy` (the site itself is rebuilt from the repo and is deleted).",
  }),
  logRetentionDays: setting<number>({
    type: "integer",
    default: 30,
    description: "Days CloudWatch keeps function and API access logs (a value CloudWatch accepts, e.g. 7, 30, 90, 365).",
  }),
  lambdaMemoryMb: setting<number>({
    type: "integer",
    default: 256,
    description: "Memory of each Lambda function in MB (CPU grows with it).",
  }),
  lambdaTimeoutSeconds: setting<number>({
    type: "integer",
    default: 5,
    description: "Timeout of each Lambda function in seconds (1 to 29); the p99 duration alarm fires at 80 % of it.",
  }),
  apiThrottleRateLimit: setting<number>({
    type: "integer",
    default: 50,
    description:
      "Steady requests per second API Gateway accepts for each method (every route has its own limit of this size, shared by all clients) before it answers 429.",
  }),
  apiThrottleBurstLimit: setting<number>({
    type: "integer",
    default: 100,
    description: "Burst of requests API Gateway accepts for each method above the steady rate.",
  }),
  alarmEmail: setting<string>({
    type: "string",
    default: "",
    description: "E-mail address alarms and budget alerts are sent to (confirm the subscription mail); empty for none.",
  }),
  cdnPriceClass: setting<string>({
    type: "string",
    default: "PriceClass_100",
    description: "CloudFront price class; PriceClass_100, PriceClass_200 or PriceClass_All.",
  }),
  apiGatewayLogRole: setting<string>({
    type: "string",
    default: "",
    description:
      "Who sets API Gateway's account-wide CloudWatch Logs role, which access logging needs once per account and region: `this-stack` (sets it and keeps it on destroy; exactly one stack per account and region) or `elsewhere` (another stack or the console already did). Required: without it `pulumi up` stops before creating anything.",
  }),
  domainName: setting<string>({
    type: "string",
    default: "",
    description:
      "The site's own domain (e.g. todo.example.com): an ACM certificate in us-east-1, CloudFront aliases and A/AAAA records; needs hostedZoneId. Empty: the CloudFront domain.",
  }),
  hostedZoneId: setting<string>({
    type: "string",
    default: "",
    description: "The Route 53 public hosted zone that holds domainName (its ID, e.g. Z0123456789ABCDEFGHIJ).",
  }),
  sesIdentityArn: setting<string>({
    type: "string",
    default: "",
    description:
      "ARN of a verified SES identity (out of the SES sandbox) Cognito sends sign-up and reset e-mails from; needs emailFrom. Empty: Cognito's built-in sender and its small daily limit.",
  }),
  emailFrom: setting<string>({
    type: "string",
    default: "",
    description: "Sender of Cognito's e-mails through SES, e.g. `tasklane <no-reply@example.com>`; an address of sesIdentityArn.",
  }),
  monthlyBudgetUsd: setting<number>({
    type: "integer",
    default: 50,
    description:
      "Monthly AWS cost budget in USD for the whole account (budgets see the account's bill, so one stack per account sets it): alerts at 80 % of actual and 100 % of forecast spend to the alarm topic; 0 for none.",
  }),
  wafRateLimit: setting<number>({
    type: "integer",
    default: 1000,
    description:
      "AWS WAF on the distribution: requests one IP may send to /api/* in 5 minutes before it gets 429s, plus AWS's common rule set; 0 for no web ACL (about $7 a month less).",
  }),
  cdnAccessLogs: setting<boolean>({
    type: "boolean",
    default: false,
    description:
      "CloudFront's access logs (standard logging v2) to a CloudWatch Logs group in us-east-1, kept logRetentionDays; $0.50 per GB delivered.",
  }),
  alarms: setting<string>({
    type: "string",
    default: "perFunction",
    description:
      "CloudWatch alarms: perFunction (each function's errors, throttles and p99 duration, the API's 5xx rate and p99 latency, the table's throttles and system errors) or api (the API's 5xx rate and p99 latency only). Priced per metric watched (README, what a stack costs when nobody uses it).",
  }),
  dashboard: setting<boolean>({
    type: "boolean",
    default: false,
    description:
      "The stack's CloudWatch dashboard (requests, errors, latency, Lambda duration and concurrency, DynamoDB capacity); billed by the month (README, what a stack costs when nobody uses it). CloudWatch's automatic dashboards per service are free.",
  }),
  detailedMetrics: setting<boolean>({
    type: "boolean",
    default: false,
    description:
      "API Gateway's per-method metrics (the dashboard's latency per route): CloudWatch bills them as custom metrics, 5 a route, for each hour they get data; nothing while idle.",
  }),
};

export type SettingName = keyof typeof SETTINGS;
export type Settings = { readonly [K in SettingName]: (typeof SETTINGS)[K]["default"] };

/** The stack's settings: the stack file's value, else the default above. */
export function readSettings(config: pulumi.Config): Settings {
  const read = (name: SettingName): string | number | boolean => {
    const spec = SETTINGS[name];
    switch (spec.type) {
      case "boolean":
        return config.getBoolean(name) ?? spec.default;
      case "integer":
        return config.getNumber(name) ?? spec.default;
      default:
        return config.get(name) ?? spec.default;
    }
  };
  return Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, read(name as SettingName)])) as unknown as Settings;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The README's configuration table (after its `aws:region` row), generated from SETTINGS. */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(
    ([name, spec]) => `| \`${name}\` | ${spec.type} | \`${JSON.stringify(spec.default)}\` | ${cell(spec.description)} |`,
  );
  return [
    "| Key | Type | Default | Meaning |",
    "|---|---|---|---|",
    "| `aws:region` | string | (required) | Region for every regional resource |",
    ...rows,
  ].join("\n");
}
