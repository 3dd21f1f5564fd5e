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
import { channelOf, POKE_TEXT, REALTIME_PATH } from "../../common/push";
import { connectPush, type PushOptions } from "../../site/src/push";

const TOKENS: Record<string, string> = { "token-alice": "alice", "token-bob": "bob" };

/** What one client reported, in order: "up", "down", "poke". */
function recorder() {
  const events: string[] = [];
  let wake: (() => void) | undefined;
  const note = (e: string) => {
    events.push(e);
    wake?.();
  };
  return {
    events,
    hooks: { poked: () => note("poke"), up: (on: boolean) => note(on ? "up" : "down") },
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
