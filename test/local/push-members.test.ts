/**
 * `npm start` pokes the members of a shared list, as the poke function does on AWS: the local
 * stack's change tap feeds the same audience (handlers/pokes.ts `listAudience` over the members
 * Query of handlers/store-audience.ts) through the local document client. A write by one member
 * is a publish on the other member's channel; a removed member hears of the removal, then nothing.
 */
import { expect } from "chai";
import { authProtocol, channelOf, EVENT_WS_PROTOCOL, POKE, REALTIME_PATH } from "../../common/push";
import { startStack, type RunningStack } from "../../local/stack";
import { EMAILS, signUpTestUsers, TEST_CONFIRMATION_CODE } from "./http-driver";

const subOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as { sub: string }).sub;

/** A device subscribed to its person's channel: the pokes that reached it, in order. */
async function listen(stack: RunningStack, idToken: string): Promise<{ pokes: unknown[]; close(): void }> {
  const host = new URL(stack.url).host;
  const ws = new WebSocket(`${stack.url.replace(/^http/, "ws")}${REALTIME_PATH}`, [
    EVENT_WS_PROTOCOL,
    authProtocol({ host, Authorization: idToken }),
  ]);
  const pokes: unknown[] = [];
  const subscribed = new Promise<void>((resolve, reject) => {
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(String(e.data)) as { type: string; event?: string };
      if (m.type === "connection_ack") {
        const authorization = { host, Authorization: idToken };
        ws.send(JSON.stringify({ type: "subscribe", id: "s1", channel: channelOf(subOf(idToken)), authorization }));
      } else if (m.type === "subscribe_success") resolve();
      else if (m.type === "subscribe_error") reject(new Error("subscribe_error"));
      else if (m.type === "data") pokes.push(JSON.parse(String(m.event)));
    });
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "connection_init" })), { once: true });
    ws.addEventListener("error", () => reject(new Error("refused")), { once: true });
  });
  await subscribed;
  return { pokes, close: () => ws.close() };
}

/** Resolves once `pokes` holds more than `count`, or rejects after `ms`. */
async function pokedAfter(pokes: unknown[], count: number, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (pokes.length <= count) {
    if (Date.now() > until) throw new Error(`no poke within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("local push channel: members of a shared list", function () {
  this.timeout(120_000);
  let stack: RunningStack;
  let alice: string;
  let bob: string;
  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}/api${path}`, {
      method,
      headers: { Authorization: token, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).to.be.within(200, 299);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
  };

  before(async () => {
    stack = await startStack({ confirmationCode: TEST_CONFIRMATION_CODE, log: () => undefined });
    const tokens = await signUpTestUsers(stack);
    alice = tokens.alice.idToken;
    bob = tokens.bob.idToken;
  });
  after(() => stack?.close());

  it("a write by one member pokes the other member's channel; after a removal, the removed member hears of it and then nothing", async () => {
    const list = (await api(alice, "POST", "/lists", { name: "shared" }))!.id as string;
    await api(alice, "POST", `/lists/${list}/members`, { email: EMAILS.bob, role: "editor" });
    await api(bob, "POST", `/invitations/${list}/accept`);
    const bobsDevice = await listen(stack, bob);
    const alicesDevice = await listen(stack, alice);

    // Locally each accepted DynamoDB request pokes at once (no batches), so a write may poke more
    // than once: the test counts "more than before", never an exact number.
    await api(alice, "POST", `/lists/${list}/todos`, { title: "from alice" });
    await pokedAfter(bobsDevice.pokes, 0);
    expect(bobsDevice.pokes[0]).to.deep.equal(POKE);
    const [aliceHad, bobHad] = [alicesDevice.pokes.length, bobsDevice.pokes.length];
    await api(bob, "POST", `/lists/${list}/todos`, { title: "from bob" });
    await pokedAfter(alicesDevice.pokes, aliceHad);
    await pokedAfter(bobsDevice.pokes, bobHad);

    await new Promise((resolve) => setTimeout(resolve, 200)); // every poke of the writes above has arrived
    const beforeRemoval = bobsDevice.pokes.length;
    await api(alice, "DELETE", `/lists/${list}/members/${subOf(bob)}`);
    await pokedAfter(bobsDevice.pokes, beforeRemoval);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterRemoval = bobsDevice.pokes.length;
    const alicePokes = alicesDevice.pokes.length;
    await api(alice, "POST", `/lists/${list}/todos`, { title: "not for bob" });
    await pokedAfter(alicesDevice.pokes, alicePokes);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bobsDevice.pokes.length, "bob poked after his removal").to.equal(afterRemoval);
    bobsDevice.close();
    alicesDevice.close();
  });
});
