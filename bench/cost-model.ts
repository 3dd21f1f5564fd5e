/**
 * The AWS bill per million API requests, from measured per-request figures and PRICES.
 * Pure: bench/run.ts and bench/cost.ts feed it what they measured.
 */
import { WAF_RULE_NAMES } from "../components/static-site";
import { ASSUMPTIONS, PRICES } from "./prices";
import { POLL_MS } from "../site/src/app";

/** Per-request figures of one route, measured by the handler-cost section of the bench. */
export interface RouteMeasure {
  readonly route: string;
  readonly cpuMsPerRequest: number;
  readonly dynamoCallsPerRequest: number;
  readonly readUnitsPerRequest: number;
  readonly writeUnitsPerRequest: number;
  readonly logBytesPerRequest: number;
  readonly responseBytesPerRequest: number;
}

export interface StackShape {
  readonly lambdaMemoryMb: number;
  /** Bytes of one API Gateway access-log line (the stage's JSON format). */
  readonly accessLogBytesPerRequest: number;
}

/**
 * What a person does in one active user-hour, whatever carries the sync: the tab visible all
 * hour; 29 changes (10 to-dos added, 15 edited or ticked, 3 deleted, one clear-completed), an
 * assumption about an hour of real use; about ten looks at the tab (focus, visibility, reconnect).
 */
const HOUR_CHANGES = { createTodo: 10, updateTodo: 15, deleteTodo: 3, clearCompleted: 1 } as const;
const HOUR_LOOKS = 10;
const hourChanges = Object.values(HOUR_CHANGES).reduce((a, b) => a + b, 0);

/**
 * The requests that hour sends by route when the app polls (no push channel, or while it is
 * down): the traffic the per-million table prices. The pulls are the app's (site/src/app.ts):
 * one every POLL_MS while the tab is visible, one on each look, and one after a bulk change. The
 * web app never reads list pages (GET /api/todos) or single to-dos (only after a conflict): those
 * routes serve other clients, and are priced per route in the table.
 */
export const ACTIVE_USER_HOUR: Readonly<Record<string, number>> = {
  listChanges: 3_600_000 / POLL_MS + HOUR_LOOKS + 1,
  ...HOUR_CHANGES,
};

/** Of the hour's looks, returns after more than HIDDEN_CLOSE_MS away: each reconnects (its pull is the look's). */
export const PUSH_RECONNECTS_PER_HOUR = 2;

/**
 * The same hour with the push channel up (site/src/live.ts): no pull on the timer. Every change
 * pokes the person's channel, but the hour's changes are made on this device, and a poke whose
 * changes all came from this device pulls nothing (issue 18: the poke names the writing device,
 * handlers/pokes.ts; its copy already holds its writes' answers). What is left: one pull after
 * each bulk change (the engine asks for it itself: the server bumped versions the answer does
 * not list, site/src/send.ts), one per look (the safety net for a lost poke; a return that
 * reconnects pulls once, on "up"), one when the connection first opens. A change made on another
 * device (or by another member) would add a pull each; the hour has none.
 */
export const PUSH_USER_HOUR: Readonly<Record<string, number>> = {
  listChanges: HOUR_CHANGES.clearCompleted + HOUR_LOOKS + 1,
  ...HOUR_CHANGES,
};

/**
 * The push service's own meters in that hour (PRICES.appSyncEvents…): connected all hour (an
 * upper bound: a hidden tab closes after HIDDEN_CLOSE_MS); a connection and a subscribe on each
 * (re)connect, counted as operations both; one message published and one delivered per change
 * (one device listening); "ka" keep-alives are not among the operations AppSync's pricing names
 * (if each counted: +60 an hour, +$0.00006). The poke function runs once per change (stream
 * batches of one at this rate).
 */
export const PUSH_SERVICE_HOUR = {
  connectionMinutes: 60,
  operations: 2 * (1 + PUSH_RECONNECTS_PER_HOUR) + 2 * hourChanges,
  pokeInvocations: hourChanges,
} as const;

const hourRequests = Object.values(ACTIVE_USER_HOUR).reduce((a, b) => a + b, 0);

/** Share of each route in the traffic we price (from ACTIVE_USER_HOUR). */
export const TRAFFIC_MIX: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ACTIVE_USER_HOUR).map(([route, n]) => [route, n / hourRequests]),
);

/**
 * Write units the change feed's index adds to each write unit a route spends on the table. The
 * `byChange` index is a local secondary index projecting every attribute (CHANGES_INDEX in
 * handlers/table.ts), and DynamoDB bills keeping it in step on top of the table's write: a new
 * item that has the index key costs one more write (put the entry), an update that changes the
 * key's value two more (delete the old entry, put the new), deleting an indexed item one more
 * (each up to 1 KB; a to-do is far smaller). DynamoDB Developer Guide, "Local secondary indexes",
 * Write capacity units:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ThroughputConsiderations.Writes
 * dynalite, the bench's DynamoDB, bills the table alone, so the meter cannot see these units.
 * Every item a route writes is of one kind, so a ratio per route is exact for what the bench sends.
 */
export const INDEX_WRITES_PER_TABLE_WRITE: Readonly<Record<string, number>> = {
  // A new to-do carries its changeKey. (With an Idempotency-Key a create makes two more writes, to
  // a record that has no changeKey and so no index entry: the bench sends none.)
  createTodo: 1,
  // Every change stamps a new updatedAt, so a new changeKey: the entry moves.
  updateTodo: 2,
  // A delete is an update to a tombstone, stamped like any change (the feed keeps it).
  deleteTodo: 2,
  clearCompleted: 2,
  markAllTodos: 2,
  // BatchWriteItem deletes the items: each removes its entry.
  deleteAllTodos: 1,
  // Lists and sharing (issue 17). A list's meta, its memberships and a person's index entries carry
  // a changeKey too; a counter update on the meta keeps the key (1 more: the projected entry is
  // rewritten); a profile counter, an invitation and an idempotency record are not in the index.
  // The counted create: the meta's counter (+1) and the new to-do (+1), 2 table writes.
  createListTodo: 1,
  // A plain change moves the key (the bench sends no move; a move is a put, a tombstone, two counters).
  updateListTodo: 2,
  // The tombstone (+2) and the meta's counter (+1), 2 table writes.
  deleteListTodo: 1.5,
  listMarkAll: 2,
  listClearCompleted: 2,
  // Profile counter (0), meta, membership and entry put (+1 each): 4 table writes, 3 index writes.
  createList: 0.75,
  // A rename or a move in the caller's order: the key moves.
  updateList: 2,
  // Deletes (+1 each), entries turned into tombstones (+2): about one more per write.
  deleteList: 1,
  // The same steps for each list of a deleted account (deletes, tombstones, a hand-over's keys moving): about one more per write.
  deleteAccount: 1,
  // The invitation has no changeKey.
  inviteMember: 0,
  // The membership's and the entry's keys move.
  updateMember: 2,
  // Membership and entry tombstones (+2 each), the meta's counter (+1), the profile's (0): 4 writes, 5 more.
  removeMember: 1.25,
  // Meta counter (+1), profile (0), membership and entry puts (+1 each), the invitation's delete (0).
  acceptInvitation: 0.6,
  declineInvitation: 0,
  // Only a first list's adoption writes (3 puts, +1 each), or a stale entry's repair.
  listLists: 1,
  allChanges: 1,
};

/** The index's write units on top of `tableWriteUnits` spent by `route` (0 for routes that only read). */
export function indexWriteUnits(route: string, tableWriteUnits: number): number {
  return tableWriteUnits * (INDEX_WRITES_PER_TABLE_WRITE[route] ?? 0);
}

/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below that. */
const FULL_VCPU_MB = 1769;

export interface CostLine {
  readonly route: string;
  readonly apiGateway: number;
  readonly cloudFront: number;
  readonly lambda: number;
  readonly dynamoDb: number;
  readonly logs: number;
  readonly total: number;
  readonly billedMs: number;
  /** The change feed index's write units per request, on top of the table's (INDEX_WRITES_PER_TABLE_WRITE). */
  readonly indexWriteUnits: number;
}

export function costPerMillion(m: RouteMeasure, stack: StackShape): CostLine {
  const million = 1e6;
  const cpuShare = Math.min(1, stack.lambdaMemoryMb / FULL_VCPU_MB);
  const durationMs = m.cpuMsPerRequest / cpuShare + m.dynamoCallsPerRequest * ASSUMPTIONS.dynamoDbRoundTripMs;
  const billedMs = Math.max(1, Math.ceil(durationMs / ASSUMPTIONS.lambdaBillingGranularityMs) * ASSUMPTIONS.lambdaBillingGranularityMs);
  const gbSeconds = (stack.lambdaMemoryMb / 1024) * (billedMs / 1000);
  const logBytes = m.logBytesPerRequest + ASSUMPTIONS.lambdaPlatformLogBytes + stack.accessLogBytesPerRequest;
  const apiGateway = PRICES.apiGatewayRestPerRequest * million;
  const cloudFront = (PRICES.cloudFrontHttpsPerRequest + (m.responseBytesPerRequest / 1e9) * PRICES.cloudFrontPerGbOut) * million;
  const lambda = (PRICES.lambdaPerRequest + gbSeconds * PRICES.lambdaArm64PerGbSecond) * million;
  const indexUnits = indexWriteUnits(m.route, m.writeUnitsPerRequest);
  const dynamoDb =
    (m.readUnitsPerRequest * PRICES.dynamoDbPerRead + (m.writeUnitsPerRequest + indexUnits) * PRICES.dynamoDbPerWrite) * million;
  const logs = (logBytes / 1e9) * PRICES.cloudWatchLogsPerGb * million;
  return {
    route: m.route,
    apiGateway,
    cloudFront,
    lambda,
    dynamoDb,
    logs,
    total: apiGateway + cloudFront + lambda + dynamoDb + logs,
    billedMs,
    indexWriteUnits: indexUnits,
  };
}

export interface CostReport {
  readonly prices: typeof PRICES;
  readonly assumptions: typeof ASSUMPTIONS;
  readonly stack: StackShape;
  readonly mix: Readonly<Record<string, number>>;
  readonly perRoute: readonly CostLine[];
  /** The mix, per million requests. */
  readonly blended: CostLine;
  /** Services ordered by their share of the blended bill. */
  readonly dominant: readonly { service: string; share: number }[];
  /** What one active user-hour of the web app (ACTIVE_USER_HOUR) sends and costs. */
  readonly activeUserHour: { readonly requests: number; readonly dollars: number };
  /** The same hour with the push channel up (PUSH_USER_HOUR, PUSH_SERVICE_HOUR): API requests at each route's price, plus the push service. */
  readonly pushUserHour: PushHour;
}

export interface PushHour {
  readonly requests: number;
  readonly apiDollars: number;
  readonly appSyncDollars: number;
  readonly pokeFunctionDollars: number;
  readonly dollars: number;
}

/** PUSH_USER_HOUR at each route's own cost per request, plus AppSync Events and the poke function (the API functions' memory, 256 MB as components/push-channel.ts). */
export function pushHour(perRoute: readonly CostLine[], blended: CostLine, stack: StackShape): PushHour {
  const costOf = (route: string) => (perRoute.find((l) => l.route === route) ?? blended).total / 1e6;
  const entries = Object.entries(PUSH_USER_HOUR);
  const apiDollars = entries.reduce((s, [route, n]) => s + n * costOf(route), 0);
  const appSyncDollars =
    PUSH_SERVICE_HOUR.connectionMinutes * PRICES.appSyncEventsPerConnectionMinute +
    PUSH_SERVICE_HOUR.operations * PRICES.appSyncEventsPerOperation;
  const gbSeconds = (stack.lambdaMemoryMb / 1024) * (ASSUMPTIONS.pokeFunctionBilledMs / 1000);
  const pokeFunctionDollars = PUSH_SERVICE_HOUR.pokeInvocations * (PRICES.lambdaPerRequest + gbSeconds * PRICES.lambdaArm64PerGbSecond);
  return {
    requests: entries.reduce((s, [, n]) => s + n, 0),
    apiDollars,
    appSyncDollars,
    pokeFunctionDollars,
    dollars: apiDollars + appSyncDollars + pokeFunctionDollars,
  };
}

export function costReport(measures: readonly RouteMeasure[], stack: StackShape): CostReport {
  const perRoute = measures.map((m) => costPerMillion(m, stack));
  const weight = (route: string) => TRAFFIC_MIX[route] ?? 0;
  const totalWeight = perRoute.reduce((s, l) => s + weight(l.route), 0);
  const blend = (key: keyof Omit<CostLine, "route">) => perRoute.reduce((s, l) => s + l[key] * weight(l.route), 0) / totalWeight;
  const blended: CostLine = {
    route: "mix",
    apiGateway: blend("apiGateway"),
    cloudFront: blend("cloudFront"),
    lambda: blend("lambda"),
    dynamoDb: blend("dynamoDb"),
    logs: blend("logs"),
    total: blend("total"),
    billedMs: blend("billedMs"),
    indexWriteUnits: blend("indexWriteUnits"),
  };
  const services = ["apiGateway", "cloudFront", "lambda", "dynamoDb", "logs"] as const;
  const dominant = services.map((service) => ({ service, share: blended[service] / blended.total })).sort((a, b) => b.share - a.share);
  const activeUserHour = { requests: hourRequests, dollars: (blended.total * hourRequests) / 1e6 };
  const pushUserHour = pushHour(perRoute, blended, stack);
  return { prices: PRICES, assumptions: ASSUMPTIONS, stack, mix: TRAFFIC_MIX, perRoute, blended, dominant, activeUserHour, pushUserHour };
}

/** Which of the stack's optional parts are on, from its settings (components/settings.ts). */
export interface OptionalParts {
  readonly wafRateLimit: number;
  readonly domainName: string;
  readonly sesIdentityArn: string;
  readonly monthlyBudgetUsd: number;
}

/** One part the production settings add: what it costs a month and per million API requests. */
export interface ExtraLine {
  readonly part: string;
  /** The setting that turns it on or off, and whether it is on in the stack priced. */
  readonly setting: string;
  readonly on: boolean;
  /** Fixed monthly cost, or its upper bound (see `note`). */
  readonly monthly: number;
  /** Cost per million API requests. */
  readonly perMillion: number;
  readonly note: string;
}

/**
 * What the optional and always-on production parts add to the bill: AWS WAF, X-Ray at its
 * sampling rate, Route 53 (with ACM) for the own domain, SES for Cognito's e-mail, the budget.
 */
export function extrasReport(parts: OptionalParts): ExtraLine[] {
  const reservoirTraces = ASSUMPTIONS.xrayReservoirPerSecond * ASSUMPTIONS.secondsPerMonth;
  return [
    {
      part: "AWS WAF",
      setting: "wafRateLimit",
      on: parts.wafRateLimit > 0,
      monthly: PRICES.wafWebAclPerMonth + WAF_RULE_NAMES.length * PRICES.wafRulePerMonth,
      perMillion: PRICES.wafPerRequest * 1e6,
      note: "every request to the distribution is inspected: site files cost the same per million as API calls",
    },
    {
      part: "X-Ray (stage and functions)",
      setting: "always on",
      on: true,
      monthly: Math.max(0, reservoirTraces - PRICES.xrayFreeTracesPerMonth) * PRICES.xrayPerTraceRecorded,
      perMillion: ASSUMPTIONS.xraySampledShare * 1e6 * PRICES.xrayPerTraceRecorded,
      note: `monthly is the most the reservoir (first request each second) records, reached only with traffic every second; then ${ASSUMPTIONS.xraySampledShare * 100} % of the rest; ${PRICES.xrayFreeTracesPerMonth.toLocaleString("en")} traces a month free`,
    },
    {
      part: "Route 53 + ACM (own domain)",
      setting: "domainName",
      on: parts.domainName !== "",
      monthly: PRICES.route53HostedZonePerMonth,
      perMillion: 0,
      note: "the hosted zone, if it exists only for this site; alias queries to CloudFront and the certificate are free",
    },
    {
      part: "SES (Cognito's e-mail)",
      setting: "sesIdentityArn",
      on: parts.sesIdentityArn !== "",
      monthly: 0,
      perMillion: 0,
      note: `$${(PRICES.sesPerEmail * 1000).toFixed(2)} per 1,000 e-mails (sign-up codes, resends, password resets), not per API request`,
    },
    {
      part: "AWS Budgets",
      setting: "monthlyBudgetUsd",
      on: parts.monthlyBudgetUsd > 0,
      monthly: 0,
      perMillion: 0,
      note: `free as one of the account's first two budgets; $${(PRICES.budgetPerDayBeyondTwo * 30).toFixed(2)} a month beyond them`,
    },
  ];
}
