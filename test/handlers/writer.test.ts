/**
 * The device a write names (X-Tasklane-Device) lands on every item the request writes
 * (handlers/writer.ts) and in the poke the stream-derived records make (handlers/pokes.ts): the
 * API's own handlers on dynalite through the in-process driver, dynalite's accepted writes as
 * stream records (local/change-tap.ts), the members Query of the poke function.
 */
import { expect } from "chai";
import { DEVICE_HEADER } from "../../common/device";
import { channelOf } from "../../common/push";
import { listAudience, pokesFor, type ChangeRecord } from "../../handlers/pokes";
import { membersReader } from "../../handlers/store-audience";
import { itemKey } from "../../handlers/table";
import { WRITER_ATTRIBUTE } from "../../handlers/writer";
import type { User } from "../contract/driver";
import { startInProcessDriver, USER_IDS, type InProcessDriver } from "./in-process-driver";

const PHONE = "3f0c2a9e-5d1b-4c7a-9e21-phone0000001";
const LAPTOP = "laptop_device-0002";

describe("the writing device, from the header to the item and the poke (handlers/writer.ts)", function () {
  let api: InProcessDriver;
  const records: ChangeRecord[] = [];
  before(async () => {
    api = await startInProcessDriver({ onChange: (batch) => records.push(...batch) });
  });
  after(async () => api?.close());
  beforeEach(async () => {
    await api.reset();
    records.length = 0;
  });

  async function ok<T = any>(user: User, method: string, path: string, body?: unknown, device?: string): Promise<T> {
    const res = await api.send(user, { method, path, body, headers: device === undefined ? {} : { [DEVICE_HEADER]: device } });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
    return res.body as T;
  }
  const raw = async (partition: string, sort: string) =>
    (await api.doc.get({ TableName: api.tableName, Key: itemKey(partition, sort), ConsistentRead: true })).Item ?? {};
  /** The pokes the writes of `action` make, as one stream batch: channel → `from` (or null). */
  async function pokedBy(action: () => Promise<unknown>): Promise<Record<string, string | null>> {
    records.length = 0;
    await action();
    // The tap reports on the server's "finish", which may come after the client has its answer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const audience = listAudience(membersReader({ doc: api.doc, name: api.tableName }));
    return Object.fromEntries((await pokesFor(records.splice(0), audience)).map((p) => [p.channel, p.from ?? null]));
  }
  /** A list of alice's shared with bob (editor). */
  async function sharedList(): Promise<string> {
    const { id } = await ok<{ id: string }>("alice", "POST", "/api/lists", { name: "groceries" });
    await ok("alice", "POST", `/api/lists/${id}/members`, { email: api.email("bob"), role: "editor" });
    await ok("bob", "POST", `/api/invitations/${id}/accept`);
    return id;
  }
  const alice = USER_IDS.alice;

  it("stamps a new to-do and its list's counter with <sub>/<device>; alice's poke names her device, bob's names none", async () => {
    const list = await sharedList();
    let id = "";
    const pokes = await pokedBy(async () => {
      id = (await ok<{ id: string }>("alice", "POST", `/api/lists/${list}/todos`, { title: "milk" }, PHONE)).id;
    });
    expect((await raw(list, id))[WRITER_ATTRIBUTE]).to.equal(`${alice}/${PHONE}`);
    expect((await raw(list, "~list"))[WRITER_ATTRIBUTE]).to.equal(`${alice}/${PHONE}`);
    expect(pokes).to.deep.equal({ [channelOf(alice)]: PHONE, [channelOf(USER_IDS.bob)]: null });
  });

  it("never shows the writer: not in the to-do, not in the change feed", async () => {
    const list = await sharedList();
    const todo = await ok<Record<string, unknown>>("alice", "POST", `/api/lists/${list}/todos`, { title: "milk" }, PHONE);
    expect(todo).not.to.have.property(WRITER_ATTRIBUTE);
    const feed = await ok<{ items: object[] }>("bob", "GET", "/api/changes");
    expect(JSON.stringify(feed)).not.to.contain(PHONE);
  });

  it("a write without the header (or from another device) replaces the writer: the poke names no device, or the other one", async () => {
    const list = await sharedList();
    const { id } = await ok<{ id: string }>("alice", "POST", `/api/lists/${list}/todos`, { title: "milk" }, PHONE);
    const plain = await pokedBy(() => ok("alice", "PATCH", `/api/lists/${list}/todos/${id}`, { completed: true }));
    expect((await raw(list, id))[WRITER_ATTRIBUTE]).to.equal(undefined);
    expect(plain[channelOf(alice)]).to.equal(null);
    const other = await pokedBy(() => ok("alice", "PATCH", `/api/lists/${list}/todos/${id}`, { title: "oat milk" }, LAPTOP));
    expect((await raw(list, id))[WRITER_ATTRIBUTE]).to.equal(`${alice}/${LAPTOP}`);
    expect(other[channelOf(alice)]).to.equal(LAPTOP);
  });

  it("stamps every item of a bulk route: mark-all's updates and clear-completed's tombstones", async () => {
    const list = await sharedList();
    const ids: string[] = [];
    for (const title of ["a", "b", "c"]) ids.push((await ok<{ id: string }>("bob", "POST", `/api/lists/${list}/todos`, { title })).id);
    const marked = await pokedBy(() => ok("alice", "POST", `/api/lists/${list}/todos/mark-all`, { completed: true }, PHONE));
    for (const id of ids) expect((await raw(list, id))[WRITER_ATTRIBUTE]).to.equal(`${alice}/${PHONE}`);
    expect(marked[channelOf(alice)]).to.equal(PHONE);
    const cleared = await pokedBy(() => ok("alice", "POST", `/api/lists/${list}/todos/clear-completed`, {}, PHONE));
    for (const id of ids) expect(await raw(list, id)).to.include({ deleted: true, [WRITER_ATTRIBUTE]: `${alice}/${PHONE}` });
    expect(cleared[channelOf(alice)]).to.equal(PHONE);
  });

  it("a GET names no device, though the header came with it: its side writes (adopting a first list) poke plainly", async () => {
    const pokes = await pokedBy(() => ok("alice", "GET", "/api/lists", undefined, PHONE));
    expect(pokes[channelOf(alice)]).to.equal(null);
    expect((await raw(alice, "~list"))[WRITER_ATTRIBUTE]).to.equal(undefined);
  });

  it("answers 400 invalid_header to a malformed device id, and writes nothing", async () => {
    for (const device of ["short", "x".repeat(65), "has space in it", "semi;colon-device"]) {
      const res = await api.send("alice", {
        method: "POST",
        path: "/api/todos",
        body: { title: "x" },
        headers: { [DEVICE_HEADER]: device },
      });
      expect(res.status, device).to.equal(400);
      expect((res.body as { error: { code: string } }).error.code).to.equal("invalid_header");
    }
    expect((await ok<{ items: unknown[] }>("alice", "GET", "/api/todos")).items).to.deep.equal([]);
  });
});
