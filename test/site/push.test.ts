/**
 * The web app's push client (site/src/push.ts) against the local push channel's own code
 * (local/push-server.ts) on a real socket, with Node 24's WebSocket as the browser's: up on
 * subscribe, a poke per event, a refused channel is down at each try (the app keeps polling), a dead link
 * (no "ka") and a dropped one come back with one "up" each (the app pulls once per up), and
 * close() ends it for good. Tokens are checked by a stub authorizer: who is who is all it needs.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createPushServer, type PushServer } from "../../local/push-server";
import { channelOf, POKE_TEXT, pokeText, REALTIME_PATH } from "../../common/push";
import { connectPush, type PushOptions } from "../../site/src/push";
import { createChannel, POKE_GATHER_MS } from "../../site/src/live";

const TOKENS: Record<string, string> = { "token-alice": "alice", "token-bob": "bob" };

/** What one client reported, in order: "up", "down", "poke". */
function recorder() {
  const events: string[] = [];
  const froms: string[] = [];
  let wake: (() => void) | undefined;
  const note = (e: string) => {
    events.push(e);
    wake?.();
  };
  return {
    events,
    /** Every poke's `from`, in order ("" for none). */
    froms,
    hooks: {
      poked(poke: { from?: string }) {
        froms.push(poke.from ?? "");
        note("poke");
      },
      up: (on: boolean) => note(on ? "up" : "down"),
    },
    /** Resolves once `events` satisfies `test`, or fails after `ms`. */
    async until(test: (events: string[]) => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!test(events)) {
        if (Date.now() > deadline) throw new Error(`not within ${ms} ms; events: ${events.join(", ")}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}
const count = (events: string[], e: string) => events.filter((x) => x === e).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("push client (site/src/push.ts) against the local push channel", function () {
  this.timeout(20_000);
  let http: Server;
  let push: PushServer;
  let url: string;
  let host: string;
  /** Every token the channel was shown (upgrades and subscribes). */
  const seen: string[] = [];
  const closers: { close(): void }[] = [];

  before(async () => {
    push = createPushServer({
      authorize: (header) => {
        seen.push(String(header));
        const sub = header ? TOKENS[header] : undefined;
        return Promise.resolve(sub ? { sub, iss: "test" } : undefined);
      },
      keepAliveMs: 50,
      connectionTimeoutMs: 400,
    });
    http = createServer((_req, res) => res.writeHead(404).end());
    http.on("upgrade", (req, socket) => push.handleUpgrade(req, socket) || socket.destroy());
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(http.address() as AddressInfo).port}`;
    url = `ws://${host}${REALTIME_PATH}`;
  });
  afterEach(async () => {
    closers.splice(0).forEach((c) => c.close());
    await sleep(100); // an upgrade already on its way still reaches the authorizer
    seen.length = 0;
  });
  after(() => {
    push.close();
    http.close();
  });

  const connect = (options: Partial<PushOptions> & Pick<PushOptions, "poked" | "up">) => {
    const client = connectPush({
      url,
      host,
      sub: "alice",
      idToken: () => Promise.resolve("token-alice"),
      backoff: { firstMs: 50, maxMs: 200 },
      ...options,
    });
    closers.push(client);
    return client;
  };

  it("is up once subscribed to the person's channel, and hears each poke", async () => {
    const r = recorder();
    connect(r.hooks);
    await r.until((e) => e.includes("up"));
    push.publish(channelOf("alice"), POKE_TEXT);
    push.publish(channelOf("bob"), POKE_TEXT);
    push.publish(channelOf("alice"), POKE_TEXT);
    await r.until((e) => count(e, "poke") === 2);
    await sleep(100);
    expect(r.events).to.deep.equal(["up", "poke", "poke"]);
  });

  it("hands on the device a poke names, and none for a poke without one or with one that is not a string", async () => {
    const r = recorder();
    connect(r.hooks);
    await r.until((e) => e.includes("up"));
    push.publish(channelOf("alice"), pokeText("device-of-alice-1"));
    push.publish(channelOf("alice"), POKE_TEXT);
    push.publish(channelOf("alice"), '{"type":"poke","from":["device-of-alice-1"]}');
    await r.until((e) => count(e, "poke") === 3);
    expect(r.froms).to.deep.equal(["device-of-alice-1", "", ""]);
  });

  it("stays down when the channel refuses the subscription (another person's channel), and keeps trying", async () => {
    const r = recorder();
    // Bob's token, Alice's channel: the channel's onSubscribe refuses it.
    connect({ ...r.hooks, idToken: () => Promise.resolve("token-bob") });
    await r.until((e) => count(e, "down") >= 2); // two tries, each refused at subscribe
    push.publish(channelOf("alice"), POKE_TEXT);
    await sleep(100);
    // Never up, never poked: the app goes on pulling on its timer.
    expect(r.events.every((e) => e === "down")).to.equal(true);
    expect(seen.slice(0, 4)).to.deep.equal(["token-bob", "token-bob", "token-bob", "token-bob"]); // upgrade, subscribe, twice
  });

  it("stays down when the upgrade is refused (no valid token), and keeps trying", async () => {
    const r = recorder();
    connect({ ...r.hooks, idToken: () => Promise.resolve("not a token") });
    await r.until((e) => count(e, "down") >= 2);
    expect(r.events.every((e) => e === "down")).to.equal(true);
    expect(seen.every((t) => t === "not a token")).to.equal(true);
  });

  it("a dead link (no ka within connectionTimeoutMs) goes down and comes back up, with a fresh token", async () => {
    const r = recorder();
    let tokens = 0;
    connect({ ...r.hooks, idToken: () => Promise.resolve((tokens++, "token-alice")) });
    await r.until((e) => e.includes("up"));
    push.stall();
    // The socket stays open; only the missing "ka" (400 ms here) says it is dead.
    await r.until((e) => e.join() === "up,down,up", 3000);
    expect(tokens).to.equal(2);
    // A poke on the new link arrives.
    push.publish(channelOf("alice"), POKE_TEXT);
    await r.until((e) => e.includes("poke"));
  });

  it("a dropped connection goes down and comes back up once (one pull on reconnect)", async () => {
    const r = recorder();
    connect(r.hooks);
    await r.until((e) => e.includes("up"));
    push.dropConnections();
    await r.until((e) => e.join() === "up,down,up");
    await sleep(600); // longer than the connection timeout: nothing more happens on a live link
    expect(r.events).to.deep.equal(["up", "down", "up"]);
  });

  it("close() ends it: down, the connection closed, no more tries", async () => {
    const r = recorder();
    const client = connect(r.hooks);
    await r.until((e) => e.includes("up"));
    const before = seen.length;
    client.close();
    await r.until(() => push.connections === 0);
    await sleep(300);
    expect(r.events).to.deep.equal(["up", "down"]);
    expect(seen.length).to.equal(before);
  });
});

describe("the channel's pulls (site/src/live.ts) with pokes of this device's own writes", function () {
  this.timeout(20_000);
  const MINE = "this-device-0001";
  const OTHER = "other-device-0002";
  let http: Server;
  let push: PushServer;
  let host: string;
  const g = globalThis as unknown as { document?: { hidden: boolean } };
  const page = { hidden: false };
  let channel: ReturnType<typeof createChannel> | undefined;
  let pulls = 0;
  let signedIn = true;

  before(async () => {
    push = createPushServer({
      authorize: (header) => Promise.resolve(header === "token-alice" ? { sub: "alice", iss: "test" } : undefined),
      keepAliveMs: 1000,
      connectionTimeoutMs: 5000,
    });
    http = createServer((_req, res) => res.writeHead(404).end());
    http.on("upgrade", (req, socket) => push.handleUpgrade(req, socket) || socket.destroy());
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(http.address() as AddressInfo).port}`;
    g.document = page; // live.ts reads document.hidden: the tab is seen
  });
  beforeEach(async () => {
    page.hidden = false;
    signedIn = true;
    pulls = 0;
    channel = createChannel({
      live: { realtimeUrl: `ws://${host}${REALTIME_PATH}`, host, idToken: () => Promise.resolve("token-alice"), device: () => MINE },
      sub: "alice",
      may: () => signedIn,
      pull: () => void pulls++,
    });
    channel.steer();
    const deadline = Date.now() + 5000;
    while (pulls === 0 && Date.now() < deadline) await sleep(10); // up: its one pull
    expect(pulls, "the pull when it comes up").to.equal(1);
    pulls = 0;
  });
  afterEach(() => {
    signedIn = false;
    channel?.steer(); // closes it
  });
  after(() => {
    delete g.document;
    push.close();
    http.close();
  });
  /** Waits until `n` pulls were made (no deadline but the test's), then a little more for any extra one. */
  async function pulled(n: number): Promise<number> {
    while (pulls < n) await sleep(10);
    await sleep(POKE_GATHER_MS + 200);
    return pulls;
  }

  it("pulls nothing for pokes of this device's own writes", async () => {
    for (let i = 0; i < 5; i++) push.publish(channelOf("alice"), pokeText(MINE));
    // A poke from elsewhere after them (in order on the socket): once it has pulled, the five were handled.
    await sleep(POKE_GATHER_MS * 2);
    push.publish(channelOf("alice"), pokeText(OTHER));
    expect(await pulled(1)).to.equal(1);
  });

  it("pulls once for a poke from another device or from nowhere in particular", async () => {
    push.publish(channelOf("alice"), pokeText(OTHER));
    expect(await pulled(1)).to.equal(1);
    push.publish(channelOf("alice"), POKE_TEXT);
    expect(await pulled(2)).to.equal(2);
  });

  it("pulls once when own and other pokes arrive in one window, whichever comes first", async () => {
    push.publish(channelOf("alice"), pokeText(MINE));
    push.publish(channelOf("alice"), POKE_TEXT);
    push.publish(channelOf("alice"), pokeText(MINE));
    expect(await pulled(1)).to.equal(1);
  });

  it("while nobody looks, an own poke leaves nothing to pull later; another's does", async () => {
    page.hidden = true;
    channel?.hid();
    push.publish(channelOf("alice"), pokeText(MINE));
    await sleep(POKE_GATHER_MS + 400);
    page.hidden = false;
    channel?.steer();
    expect(pulls).to.equal(0);
    page.hidden = true;
    channel?.hid();
    push.publish(channelOf("alice"), pokeText(OTHER));
    await sleep(POKE_GATHER_MS + 400);
    page.hidden = false;
    channel?.steer();
    expect(await pulled(1)).to.equal(1);
  });
});
