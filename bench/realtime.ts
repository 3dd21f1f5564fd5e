/**
 * Real-time figures (issue 18), in Chromium against the local stack and its push channel, with
 * the web app as shipped:
 * - latency: a to-do added on device A (Enter in the form) until it shows on device B, another
 *   profile signed in as the same person, and on device M, another person's, a member (editor)
 *   of that list showing it; no focus or reload; `changes` of them, one after another. Timed on
 *   one clock: Date.now() in Node before the key press, Date.now() in B's and M's pages when a
 *   MutationObserver first sees the title in the list.
 * - idle: API requests a visible, signed-in tab sends in 10 minutes with nothing changing, with
 *   the channel and without it (WebSocket removed, so the app falls back to polling). The page's
 *   timers run on Playwright's clock, 10 minutes in 20 steps of POLL_MS; between steps the real
 *   channel's "ka" (every 50 ms here) reaches the page, as AppSync's (about one a minute) would in
 *   10 real minutes. Every API request the page makes is counted.
 * - the hour: requests and cost of an active user-hour with the channel (bench/cost-model.ts).
 */
import type { Page } from "playwright-core";
import { openPerson, type Person } from "../dev/browser";
import { startStack, type RunningStack } from "../local/stack";
import { POLL_MS } from "../site/src/app";
import { registerUser, signIn as cognitoSignIn } from "../dev/cognito-client";
import { CODE, register, signIn } from "../test/e2e/helpers";
import { markdownTable, round } from "./lib/stats";
import { ACTIVE_USER_HOUR, PUSH_SERVICE_HOUR, PUSH_USER_HOUR, type CostReport } from "./cost-model";

const PERSON = { email: "bench@example.com", password: "bench has a long password" };
const MEMBER = { email: "bench-member@example.com", password: "a member's long password" };
const IDLE_MS = 600_000;

export interface Latency {
  readonly who: string;
  readonly changes: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface RealtimeFigures {
  readonly latency: Latency;
  /** The same changes on a member's device (another person). */
  readonly member: Latency;
  /** Pulls (GET /api/changes) during those changes: by the device that made them (its own pokes) and by the other. */
  readonly pulls: { readonly writer: number; readonly other: number };
  readonly idleTenMinutes: { readonly withPush: number; readonly withoutPush: number };
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

function latency(who: string, ms: readonly number[]): Latency {
  const sorted = [...ms].sort((x, y) => x - y);
  return { who, changes: sorted.length, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), maxMs: sorted[sorted.length - 1] };
}

async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Signs the person in on a fresh profile (registering first on the first one). */
async function device(stack: RunningStack, first: boolean, prepare?: (p: Person) => Promise<void>): Promise<Person> {
  const person = await openPerson();
  await prepare?.(person);
  await person.page.goto(stack.url);
  if (first) await register(person.page, PERSON.email, PERSON.password);
  await signIn(person.page, PERSON.email, PERSON.password);
  return person;
}

/** Resolves with Date.now() in the page when `title` first shows in the list. */
const shows = (page: Page, title: string) =>
  page.evaluate(
    (title) =>
      new Promise<number>((resolve) => {
        const seen = () => document.getElementById("list")?.textContent?.includes(title) ?? false;
        if (seen()) return resolve(Date.now());
        const observer = new MutationObserver(() => {
          if (!seen()) return;
          observer.disconnect();
          resolve(Date.now());
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      }),
    title,
  );

/** API requests `person`'s page sends while its clock runs IDLE_MS ahead in POLL_MS steps. */
async function idleRequests(person: Person): Promise<number> {
  const requests: string[] = [];
  person.page.on("request", (r) => r.url().includes("/api/") && requests.push(r.url()));
  for (let t = 0; t < IDLE_MS; t += POLL_MS) {
    await person.page.clock.runFor(POLL_MS);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return requests.length;
}

export async function benchRealtime(options: { changes: number }): Promise<RealtimeFigures> {
  const stack = await startStack({ confirmationCode: CODE, log: () => undefined, pushKeepAliveMs: 50 });
  const people: Person[] = [];
  try {
    const a = await device(stack, true);
    const b = await device(stack, false);
    people.push(a, b);
    // A member: A invites them to A's first list (its id is A's sub) as an editor; they accept.
    const api = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${stack.url}${path}`, {
        method,
        headers: { Authorization: token, ...(body !== undefined && { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
        return r.status === 204 ? undefined : ((await r.json()) as unknown);
      });
    const owner = await cognitoSignIn(stack.cognitoEndpoint, stack.userPoolClientId, PERSON.email, PERSON.password);
    const listId = (JSON.parse(Buffer.from(owner.idToken.split(".")[1], "base64url").toString()) as { sub: string }).sub;
    const member = await registerUser(stack.cognitoEndpoint, stack.userPoolClientId, MEMBER.email, MEMBER.password, CODE);
    await api(owner.idToken, "POST", `/api/lists/${listId}/members`, { email: MEMBER.email, role: "editor" });
    const invitations = (await api(member.idToken, "GET", "/api/invitations")) as { items: { id: string }[] };
    await api(member.idToken, "POST", `/api/invitations/${invitations.items[0].id}/accept`);
    const m = await openPerson();
    people.push(m);
    await m.page.goto(`${stack.url}/?list=${encodeURIComponent(listId)}`);
    await signIn(m.page, MEMBER.email, MEMBER.password);
    await until(() => stack.push.connections === 3, 10_000, "the three devices listening");
    const pulls = { writer: 0, other: 0 };
    a.page.on("request", (r) => r.url().includes("/api/changes") && pulls.writer++);
    b.page.on("request", (r) => r.url().includes("/api/changes") && pulls.other++);
    const latencies: number[] = [];
    const memberLatencies: number[] = [];
    for (let i = 0; i < options.changes; i++) {
      const title = `rt ${i}.`;
      const seen = shows(b.page, title);
      const seenByMember = shows(m.page, title);
      await a.page.getByLabel("What needs doing?").fill(title);
      const started = Date.now();
      await a.page.getByLabel("What needs doing?").press("Enter");
      latencies.push((await seen) - started);
      memberLatencies.push((await seenByMember) - started);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last poke's pulls

    const clocked = (person: Person) => person.page.clock.install();
    const live = await device(stack, false, clocked);
    people.push(live);
    await until(() => stack.push.connections === 4, 10_000, "the idle tab listening");
    const polling = await device(stack, false, async (person) => {
      await clocked(person);
      await person.context.addInitScript(() => delete (window as { WebSocket?: unknown }).WebSocket);
    });
    people.push(polling);
    // Started and settled: what follows is idle time only.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [withPush, withoutPush] = await Promise.all([idleRequests(live), idleRequests(polling)]);
    return {
      latency: latency("same person, another device", latencies),
      member: latency("another person, a member of the list", memberLatencies),
      pulls,
      idleTenMinutes: { withPush, withoutPush },
    };
  } finally {
    await Promise.all(people.map((p) => p.close()));
    await stack.close();
  }
}

/** The README's real-time figures: latency, the idle tab, and the active hour with and without push. */
export function realtimeMarkdown(r: RealtimeFigures, cost: CostReport): string {
  const sum = (hour: Readonly<Record<string, number>>) => Object.values(hour).reduce((a, b) => a + b, 0);
  const usd = (x: number) => `$${x.toFixed(6)}`;
  const hour = cost.pushUserHour;
  return [
    ...[r.latency, r.member].map(
      (l) =>
        `Change on device A → shown on ${l === r.latency ? "device B" : "device M"} (${l.who}, ${l.changes} changes, no focus or reload): p50 ${round(l.p50Ms, 0)} ms, p95 ${round(l.p95Ms, 0)} ms, max ${round(l.maxMs, 0)} ms.`,
    ),
    "",
    `Pulls during those ${r.latency.changes} changes: ${r.pulls.writer} by device A (its own changes' pokes name it and pull nothing there), ${r.pulls.other} by device B.`,
    "",
    `API requests an idle visible tab sends in 10 minutes: ${r.idleTenMinutes.withPush} with the push channel, ${r.idleTenMinutes.withoutPush} without it (polling every ${POLL_MS / 1000} s).`,
    "",
    markdownTable([
      {
        "active user-hour": "polling (no channel, or while it is down)",
        "pulls (listChanges)": ACTIVE_USER_HOUR.listChanges,
        requests: sum(ACTIVE_USER_HOUR),
        "API cost": usd(cost.activeUserHour.dollars),
        "AppSync Events": "—",
        "poke function": "—",
        total: usd(cost.activeUserHour.dollars),
      },
      {
        "active user-hour": `push (${PUSH_SERVICE_HOUR.connectionMinutes} connection-minutes, ${PUSH_SERVICE_HOUR.operations} operations)`,
        "pulls (listChanges)": PUSH_USER_HOUR.listChanges,
        requests: hour.requests,
        "API cost": usd(hour.apiDollars),
        "AppSync Events": usd(hour.appSyncDollars),
        "poke function": usd(hour.pokeFunctionDollars),
        total: `${usd(hour.dollars)} (${round((hour.dollars / cost.activeUserHour.dollars) * 100, 0)} %)`,
      },
    ]),
  ].join("\n");
}
