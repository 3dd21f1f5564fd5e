/**
 * The local push channel over real WebSockets (Node 24's WebSocket client, the protocol of
 * AppSync Events): a signed-in person hears of their own writes within a second, another
 * person's token is refused, and a dropped connection misses nothing once the client pulls.
 */
import { expect } from "chai";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { authProtocol, channelOf, EVENT_WS_PROTOCOL, POKE, REALTIME_PATH } from "../../common/push";
import { changeKeyOf, itemKey } from "../../handlers/table";
import { LOCAL_CREDENTIALS } from "../../local/dynamo";
import { startStack, type RunningStack } from "../../local/stack";
import { signUpTestUsers, TEST_CONFIRMATION_CODE } from "./http-driver";
import type { Tokens } from "../../dev/cognito-client";

const subOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as { sub: string }).sub;

interface Message {
  type: string;
  id?: string;
  event?: string;
  errors?: { errorType: string }[];
  connectionTimeoutMs?: number;
}

/** One client connection: what arrived, and a way to wait for the next message of a type. */
class Client {
  private readonly inbox: Message[] = [];
  private waiting: { types: string[]; resolve: (m: Message) => void } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(String(e.data)) as Message;
      if (m.type === "ka") return;
      if (this.waiting && this.waiting.types.includes(m.type)) {
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve(m);
      } else this.inbox.push(m);
    });
  }

  static async open(stack: RunningStack, token: string | undefined): Promise<Client> {
    const host = new URL(stack.url).host;
    const protocols = token ? [EVENT_WS_PROTOCOL, authProtocol({ host, Authorization: token })] : [EVENT_WS_PROTOCOL];
    const ws = new WebSocket(`${stack.url.replace(/^http/, "ws")}${REALTIME_PATH}`, protocols);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error("refused")), { once: true });
    });
    const client = new Client(ws);
    ws.send(JSON.stringify({ type: "connection_init" }));
    const ack = await client.next("connection_ack");
    expect(ack.connectionTimeoutMs).to.be.greaterThan(0);
    return client;
  }

  /** The next message of one of `types` (one waiter at a time). */
  next(type: string | string[], timeoutMs = 5000): Promise<Message> {
    const types = [type].flat();
    const i = this.inbox.findIndex((m) => types.includes(m.type));
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`no ${types.join(" or ")} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = { types, resolve: (m) => (clearTimeout(timer), resolve(m)) };
    });
  }

  async subscribe(stack: RunningStack, channel: string, token: string): Promise<Message> {
    const id = crypto.randomUUID();
    this.ws.send(
      JSON.stringify({ type: "subscribe", id, channel, authorization: { host: new URL(stack.url).host, Authorization: token } }),
    );
    return this.next(["subscribe_success", "subscribe_error"]);
  }

  /** Drops whatever arrived: a fresh start for counting pokes. */
  drain(): void {
    this.inbox.length = 0;
  }

  close(): void {
    this.ws.close();
  }
}

describe("local push channel (AppSync Events' protocol on the local origin)", function () {
  this.timeout(120_000);
  let stack: RunningStack;
  let tokens: { alice: Tokens; bob: Tokens };
  const api = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}/api${path}`, { ...init, headers: { Authorization: token, "Content-Type": "application/json", ...init.headers } });
  const create = (token: string, title: string) => api(token, "/todos", { method: "POST", body: JSON.stringify({ title }) });

  before(async () => {
    stack = await startStack({ confirmationCode: TEST_CONFIRMATION_CODE, log: () => undefined });
    tokens = await signUpTestUsers(stack);
  });
  after(() => stack?.close());

  it("pokes a signed-in person within 1 s of each write through the API (p95 over 50 writes)", async () => {
    const alice = await Client.open(stack, tokens.alice.idToken);
    expect(await alice.subscribe(stack, channelOf(subOf(tokens.alice.idToken)), tokens.alice.idToken)).to.include({
      type: "subscribe_success",
    });
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      alice.drain();
      const start = performance.now();
      const poked = alice.next("data");
      const response = await create(tokens.alice.idToken, `push ${i}`);
      expect(response.status).to.equal(201);
      const message = await poked;
      latencies.push(performance.now() - start);
      expect(JSON.parse(String(message.event))).to.deep.equal(POKE);
    }
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.ceil(0.95 * latencies.length) - 1];
    console.log(
      `      write → poke, 50 writes: p50 ${latencies[24].toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${latencies[49].toFixed(1)} ms`,
    );
    expect(p95).to.be.below(1000);
    alice.close();
  });

  it("refuses another person's token for my channel, and a connection without a token", async () => {
    const bob = await Client.open(stack, tokens.bob.idToken);
    const refused = await bob.subscribe(stack, channelOf(subOf(tokens.alice.idToken)), tokens.bob.idToken);
    expect(refused.type).to.equal("subscribe_error");
    expect(refused.errors?.[0].errorType).to.equal("UnauthorizedException");
    // Bob's token with Alice's channel, even on a connection Alice opened.
    const alice = await Client.open(stack, tokens.alice.idToken);
    expect((await alice.subscribe(stack, channelOf(subOf(tokens.alice.idToken)), tokens.bob.idToken)).type).to.equal("subscribe_error");
    expect((await bob.subscribe(stack, "/pokes/*", tokens.bob.idToken)).type).to.equal("subscribe_error");
    expect((await bob.subscribe(stack, channelOf(subOf(tokens.bob.idToken)), tokens.bob.idToken)).type).to.equal("subscribe_success");
    // Bob hears nothing of Alice's writes.
    await create(tokens.alice.idToken, "not for bob");
    await bob.next("data", 300).then(
      () => expect.fail("bob was poked for alice's write"),
      (err: Error) => expect(err.message).to.match(/no data/),
    );
    let error: Error | undefined;
    await Client.open(stack, undefined).catch((err: Error) => (error = err));
    expect(error?.message).to.equal("refused");
    bob.close();
    alice.close();
  });

  it("pokes for a write made around the API (straight to the local DynamoDB, as a script would)", async () => {
    const sub = subOf(tokens.alice.idToken);
    const alice = await Client.open(stack, tokens.alice.idToken);
    await alice.subscribe(stack, channelOf(sub), tokens.alice.idToken);
    const doc = DynamoDBDocument.from(
      new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: stack.region, credentials: LOCAL_CREDENTIALS }),
    );
    const now = new Date().toISOString();
    const id = "01JSCRIPT000000000000000000";
    const poked = alice.next("data");
    await doc.put({
      TableName: stack.tableName,
      Item: {
        ...itemKey(sub, id),
        title: "by script",
        completed: false,
        dueDate: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
        changeKey: changeKeyOf(now, id),
      },
    });
    expect(JSON.parse(String((await poked).event))).to.deep.equal(POKE);
    doc.destroy();
    alice.close();
  });

  it("a dropped connection misses nothing: the pull on reconnect brings every change made while it was down", async () => {
    const token = tokens.alice.idToken;
    const pull = async (cursor?: string) => {
      const ids: string[] = [];
      let next = cursor;
      for (;;) {
        const page = (await (await api(token, `/todos/changes${next ? `?cursor=${encodeURIComponent(next)}` : ""}`)).json()) as {
          items: { id: string }[];
          nextCursor: string;
          hasMore: boolean;
        };
        ids.push(...page.items.map((i) => i.id));
        next = page.nextCursor;
        if (!page.hasMore) return { ids, cursor: next };
      }
    };
    let client = await Client.open(stack, token);
    await client.subscribe(stack, channelOf(subOf(token)), token);
    const first = await pull();
    const local = new Set(first.ids);
    // Mid-burst: the connection drops after the first of ten writes.
    const made: string[] = [];
    for (let i = 0; i < 10; i++) {
      if (i === 1) client.close();
      made.push(((await (await create(token, `burst ${i}`)).json()) as { id: string }).id);
    }
    client = await Client.open(stack, token);
    await client.subscribe(stack, channelOf(subOf(token)), token);
    // The client pulls once when the connection comes back, whatever it heard.
    const caughtUp = await pull(first.cursor);
    caughtUp.ids.forEach((id) => local.add(id));
    for (const id of made) expect(local.has(id), id).to.equal(true);
    expect([...local].sort()).to.deep.equal((await pull()).ids.sort());
    client.close();
  });
});
