/**
 * AWS list prices the cost model uses: us-east-1, on-demand, no free tier, no Savings Plans.
 * Taken from the public pricing pages of each service; checked 2026-11-25 (the figures have been
 * stable since DynamoDB's November 2024 on-demand price cut); WAF, X-Ray, Route 53, SES and Budgets
 * checked 2026-11-30; CloudWatch alarms, dashboards and custom metrics, the API Gateway cache and
 * KMS keys 2026-12-06. Change them here, and only here.
 */
export const PRICES = {
  checked: "2026-11-25",
  region: "us-east-1",
  /** API Gateway REST API, first 333 million requests a month, per request. */
  apiGatewayRestPerRequest: 3.5 / 1e6,
  /** Lambda requests, per request. */
  lambdaPerRequest: 0.2 / 1e6,
  /** Lambda compute on arm64 (Graviton), per GB-second, first 7.5 billion GB-s a month. */
  lambdaArm64PerGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit (1 KB) and read request unit (4 KB strongly consistent). */
  dynamoDbPerWrite: 0.625 / 1e6,
  dynamoDbPerRead: 0.125 / 1e6,
  /** CloudWatch Logs ingestion (Standard log class), per GB. */
  cloudWatchLogsPerGb: 0.5,
  /** CloudFront HTTPS requests (North America/Europe), per request; the API is reached through it. */
  cloudFrontHttpsPerRequest: 0.01 / 1e4,
  /** CloudFront data transfer out to the internet (North America/Europe, first 10 TB), per GB. */
  cloudFrontPerGbOut: 0.085,
  /** AWS WAF: each web ACL a month, each rule or managed rule group in it a month, each request inspected. */
  wafWebAclPerMonth: 5,
  wafRulePerMonth: 1,
  wafPerRequest: 0.6 / 1e6,
  /** AWS X-Ray: each trace recorded (after the free 100,000 a month). */
  xrayPerTraceRecorded: 5 / 1e6,
  xrayFreeTracesPerMonth: 100_000,
  /** Route 53: a public hosted zone a month (first 25); alias queries to CloudFront are free. ACM public certificates are free. */
  route53HostedZonePerMonth: 0.5,
  /** Amazon SES: each e-mail sent (Cognito sends sign-up codes and password resets through it). */
  sesPerEmail: 0.1 / 1000,
  /** AWS Budgets: an account's first two budgets are free, each further one costs this a day. */
  budgetPerDayBeyondTwo: 0.02,
  /**
   * CloudWatch alarms, per metric an alarm watches a month (a metric-math alarm: each metric in
   * it), standard resolution (60 s or longer) and high resolution; dashboards, each a month; custom
   * metrics (API Gateway's per-method ones too), each a month for the first 10,000, "prorated by
   * the hour and metered only when you send metrics to CloudWatch". The free tier (10 alarm
   * metrics, 3 dashboards, 10 metrics) is the account's, shared by every stack and app in it:
   * not counted. https://aws.amazon.com/cloudwatch/pricing/ (checked 2026-12-06)
   */
  cloudWatchAlarmMetricPerMonth: 0.1,
  cloudWatchHighResolutionAlarmMetricPerMonth: 0.3,
  cloudWatchDashboardPerMonth: 3,
  cloudWatchCustomMetricPerMonth: 0.3,
  /**
   * API Gateway's stage cache, per hour, by size in GB (only the smallest is priced here): billed
   * every hour it exists, traffic or not. https://aws.amazon.com/api-gateway/pricing/ (its rate
   * table; $0.020 an hour for 0.5 GB in us-east-1, checked 2026-12-06)
   */
  apiGatewayCachePerHour: { "0.5": 0.02 } as Readonly<Record<string, number>>,
  /** AWS KMS: a customer managed key a month; AWS managed keys (aws/dynamodb) are free. https://aws.amazon.com/kms/pricing/ */
  kmsCustomerKeyPerMonth: 1,
  /**
   * AWS AppSync Events (the push channel, issue 18): each Event API operation (a connection, a
   * message published, a message delivered), and each minute a WebSocket stays connected.
   * https://aws.amazon.com/appsync/pricing/ ("AWS AppSync Events", checked 2026-12-06; AWS's price
   * list has the same "$1 per million Event API operations" line per Region).
   */
  appSyncEventsPerOperation: 1 / 1e6,
  appSyncEventsPerConnectionMinute: 0.08 / 1e6,
} as const;

/**
 * Figures the bench cannot measure on this machine, with where they come from. Each is an
 * assumption; the README says how the bill moves when they do.
 */
export const ASSUMPTIONS = {
  /** Round trip from Lambda to DynamoDB in the same region: single-digit ms is typical; we take 5 ms. */
  dynamoDbRoundTripMs: 5,
  /** Lambda's own lines per invocation in JSON log format (platform.start, platform.report): about 700 bytes. */
  lambdaPlatformLogBytes: 700,
  /** Lambda bills at least 1 ms and rounds up to the next ms. */
  lambdaBillingGranularityMs: 1,
  /**
   * X-Ray's default sampling rule, which API Gateway and Lambda follow: the first request each
   * second (the reservoir), then 5 % of the rest. A month has 2,592,000 seconds, so a stack busy
   * every second records up to that many reservoir traces on top of the 5 %.
   */
  xrayReservoirPerSecond: 1,
  xraySampledShare: 0.05,
  secondsPerMonth: 30 * 24 * 3600,
  /**
   * The poke function's billed time per invocation (one batch: who to poke, one HTTPS publish to
   * AppSync Events in the same Region): not measured here (the local stack publishes in-process);
   * 20 ms is taken. Its stream reads are free: Lambda's GetRecords calls on a DynamoDB stream
   * trigger are not billed (DynamoDB pricing, "DynamoDB Streams").
   */
  pokeFunctionBilledMs: 20,
} as const;
