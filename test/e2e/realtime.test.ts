/**
 * Real time (issue 18) in Chromium against the whole local stack and its push channel: two
 * devices of one person (two browser profiles). A change on one shows on the other with no focus
 * and no reload, sooner than the 30 s timer could bring it; the channel dropped mid-burst, every
 * device still ends exactly equal to the server; a hidden tab sends nothing (its clock run past
 * the timer and the close), then pulls once when seen again. A device's own change makes it pull
 * nothing (the poke names its device), another device's change still does. The tests run in order and share the
 * devices (a story).
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { deviceRecords, openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";
import { POLL_MS } from "../../site/src/app";
import { HIDDEN_CLOSE_MS } from "../../site/src/live";
import { add, apiCall, CODE, registerAndSignIn, row, serverTodos, signIn } from "./helpers";

const ANN = { email: "ann@example.com", password: "ann has a long password" };

/**
 * Lets a test hide the page as the app sees it: `document.hidden`, `visibilityState` and the
 * `visibilitychange` event the app listens to (headless Chromium never hides a page on its own).
 */
const HIDEABLE = () => {
  let hidden = false;
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  (window as unknown as { setHidden(h: boolean): void }).setHidden = (h: boolean) => {
    hidden = h;
    document.dispatchEvent(new Event("visibilitychange"));
  };
};
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((h) => (window as unknown as { setHidden(h: boolean): void }).setHidden(h), hidden);

/** The device copy (IndexedDB) of the person's first list: "id title completed version", sorted. */
const deviceTodos = async (page: Page, listId: string) =>
  (await deviceRecords<{ listId: string; id: string; title: string; completed: boolean; version: number }>(page, "todos"))
    .filter((t) => t.listId === listId)
    .map((t) => `${t.id} ${t.title} ${t.completed} ${t.version}`)
    .sort();
const serverView = async (page: Page) => (await serverTodos(page)).map((t) => `${t.id} ${t.title} ${t.completed} ${t.version}`).sort();

/** Waits until `test` holds, checking every 100 ms; fails after `ms` with what it last saw. */
async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("real time in Chromium (e2e)", function () {
  this.timeout(120_000);
  let stack: RunningStack;
  let a: Person;
  let b: Person;
  let me = "";
  const bRequests: string[] = [];

  before(async () => {
    [stack, a, b] = await Promise.all([startStack({ confirmationCode: CODE, log: () => undefined }), openPerson(), openPerson()]);
    // Device B can be hidden, and its clock run ahead (Playwright's clock: time flows as usual until told).
    await b.context.addInitScript(HIDEABLE);
    await b.page.clock.install();
    b.page.on("request", (r) => r.url().includes("/api/") && bRequests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await registerAndSignIn(a.page, stack.url, ANN);
    await b.page.goto(stack.url);
    await signIn(b.page, ANN.email, ANN.password);
    me = (await apiCall(a.page, "GET", "/api/lists")).body.items[0].id as string;
    // Both leaders are listening.
    await eventually(
      () => Promise.resolve(stack.push.connections),
      (n) => n === 2,
      10_000,
    );
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await stack?.close();
  });

  it("shows a change made on one device on the other, with no focus and no reload, well before the timer", async () => {
    const started = Date.now();
    await add(a.page, "Ring the plumber");
    // Without the channel this would take up to POLL_MS (30 s): the wait is a third of it.
    await row(b.page, "Ring the plumber").waitFor({ timeout: POLL_MS / 3 });
    console.log(`      A → B: ${Date.now() - started} ms (the add's own round trip included)`);
    await row(b.page, "Ring the plumber").getByRole("checkbox").check();
    await row(a.page, "Ring the plumber")
      .and(a.page.locator(".done"))
      .waitFor({ timeout: POLL_MS / 3 });
  });

  it("a change made on A makes no pull on A (its poke names A's device); one made on B still makes A pull and show it", async () => {
    const pulls: string[] = [];
    const onRequest = (r: { url(): string; method(): string }) =>
      r.method() === "GET" && r.url().includes("/api/changes") && pulls.push(r.url());
    await new Promise((resolve) => setTimeout(resolve, 500)); // the previous test's pokes and pulls are over
    a.page.on("request", onRequest);
    try {
      await add(a.page, "Own change");
      // B shows it: the pokes of that write went out to both devices at once (locally each write pokes at once).
      await row(b.page, "Own change").waitFor({ timeout: POLL_MS / 3 });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // settle: any pull A would make is made by now
      expect(pulls, "A pulled for its own write").to.deep.equal([]);
      await add(b.page, "Change from B");
      await row(a.page, "Change from B").waitFor({ timeout: POLL_MS / 3 });
      expect(pulls.length, "A pulls for B's write").to.be.at.least(1);
    } finally {
      a.page.off("request", onRequest);
    }
  });

  it("drops the channel mid-burst of 50 changes: every device ends exactly equal to the server", async () => {
    // 50 changes from device A's page, through the API as another client would: 35 adds, 10
    // ticks, 5 deletes. The channel drops twice; the last 5 changes land while it is down, so only
    // the pull on reconnect can bring them (no poke follows).
    const made: { id: string; version: number }[] = [];
    for (let i = 0; i < 50; i++) {
      if (i === 20 || i === 45) stack.push.dropConnections();
      if (i < 35) {
        const r = await apiCall(a.page, "POST", "/api/todos", { title: `burst ${i}` });
        expect(r.status).to.equal(201);
        made.push(r.body as { id: string; version: number });
      } else if (i < 45) {
        const t = made[i - 35];
        const r = await apiCall(a.page, "PATCH", `/api/todos/${t.id}`, { completed: true }, { "If-Match": `"${t.version}"` });
        expect(r.status).to.equal(200);
      } else {
        const t = made[i - 25];
        expect((await apiCall(a.page, "DELETE", `/api/todos/${t.id}`, undefined, { "If-Match": `"${t.version}"` })).status).to.equal(204);
      }
    }
    const server = await serverView(a.page);
    expect(server).to.have.length(3 + 35 - 5); // the three to-dos of the tests before, and the burst
    for (const device of [a, b])
      await eventually(
        () => deviceTodos(device.page, me),
        (copy) => copy.join() === server.join(),
        15_000,
      );
  });

  it("a hidden tab sends nothing (no timer pulls, no pulls on pokes), closes the channel, and pulls once when seen again", async () => {
    // Both devices listening again after the drops above (a reconnect waits 0.5–1 s, more under load).
    const before = await eventually(
      () => Promise.resolve(stack.push.connections),
      (n) => n === 2,
      15_000,
    );
    await setHidden(b.page, true);
    bRequests.length = 0;
    // Pokes arrive while hidden: B remembers them and pulls nothing.
    await add(a.page, "Made while B looks away");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(bRequests).to.deep.equal([]);
    // Past every POLL_MS tick and past HIDDEN_CLOSE_MS: no request, and the connection is closed.
    await b.page.clock.runFor(HIDDEN_CLOSE_MS + 2 * POLL_MS);
    await eventually(
      () => Promise.resolve(stack.push.connections),
      (n) => n === before - 1,
      15_000,
    );
    await add(a.page, "Made while B is closed");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(bRequests).to.deep.equal([]);
    // Seen again: it reconnects and pulls, and both changes show.
    await setHidden(b.page, false);
    await row(b.page, "Made while B is closed").waitFor({ timeout: POLL_MS / 3 });
    await row(b.page, "Made while B looks away").waitFor();
    await eventually(
      () => Promise.resolve(stack.push.connections),
      (n) => n === before,
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // One pull (the feed answers in one page), and the invitations a look at the tab checks.
    expect(bRequests.sort()).to.deep.equal(["GET /api/changes", "GET /api/invitations"]);
  });

  // Pokes reach the list's other members through the members audience (handlers/store-audience.ts).
  it("shows a member's change on the other person's device, with no focus", async () => {
    const BEN = { email: "ben@example.com", password: "ben has a long password" };
    const ben = await openPerson();
    try {
      await registerAndSignIn(ben.page, stack.url, BEN);
      const list = (await apiCall(a.page, "POST", "/api/lists", { name: "Shared" }, { "Idempotency-Key": crypto.randomUUID() })).body as {
        id: string;
      };
      expect((await apiCall(a.page, "POST", `/api/lists/${list.id}/members`, { email: BEN.email, role: "editor" })).status).to.equal(202);
      const invitations = (await apiCall(ben.page, "GET", "/api/invitations")).body as { items: { id: string }[] };
      await apiCall(ben.page, "POST", `/api/invitations/${invitations.items[0].id}/accept`);
      await eventually(
        () => Promise.resolve(stack.push.connections),
        (n) => n === 3,
        10_000,
      );
      await apiCall(ben.page, "POST", `/api/lists/${list.id}/todos`, { title: "From Ben" }, { "Idempotency-Key": crypto.randomUUID() });
      // Ann's device B, untouched since: the poke brings Ben's to-do into its copy of the list.
      await eventually(
        () => deviceTodos(b.page, list.id),
        (copy) => copy.some((t) => t.includes(" From Ben ")),
        POLL_MS / 3,
      );
    } finally {
      await ben.close();
    }
  });
});
