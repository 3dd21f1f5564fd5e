/**
 * Who the poke function pokes, against a real DynamoDB-compatible server: the API's own handlers
 * write (handlers/http.ts through the in-process driver), dynalite reports each accepted write as
 * a stream record (local/change-tap.ts), and the poke's audience reads the members
 * with its real Query (handlers/store-audience.ts). Users: alice owns the list, bob edits it,
 * carol views it, dave is an outsider.
 */
import { expect } from "chai";
import { channelOf } from "../../common/push";
import { channelsToPoke, listAudience, type ChangeRecord } from "../../handlers/pokes";
import { membersReader } from "../../handlers/store-audience";
import type { User } from "../contract/driver";
import { startInProcessDriver, USER_IDS, type InProcessDriver } from "./in-process-driver";

describe("who a change pokes, read from the table (handlers/store-audience.ts on dynalite)", function () {
  let api: InProcessDriver;
  const records: ChangeRecord[] = [];
  let queried: string[] = [];
  before(async () => {
    api = await startInProcessDriver({ onChange: (batch) => records.push(...batch) });
  });
  after(async () => api?.close());
  beforeEach(async () => {
    await api.reset();
    records.length = 0;
  });

  /** The audience the poke function builds, counting its Queries. */
  const audience = () => {
    const read = membersReader({ doc: api.doc, name: api.tableName });
    return listAudience((listId) => {
      queried.push(listId);
      return read(listId);
    });
  };
  const channels = (...users: User[]) => users.map((u) => channelOf(USER_IDS[u])).sort();
  /** The channels the writes of `action` poke, as one stream batch (and the lists it Queried). */
  async function pokedBy(action: () => Promise<unknown>): Promise<string[]> {
    records.length = 0;
    queried = [];
    await action();
    // The tap reports on the server's "finish", which may come after the client has its answer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return channelsToPoke(records.splice(0), audience());
  }
  async function ok<T = any>(user: User, method: string, path: string, body?: unknown): Promise<T> {
    const res = await api.send(user, { method, path, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
    return res.body as T;
  }
  /** A list of alice's shared with bob (editor) and carol (viewer). */
  async function sharedList(name = "groceries"): Promise<string> {
    const { id } = await ok<{ id: string }>("alice", "POST", "/api/lists", { name });
    for (const [user, role] of [
      ["bob", "editor"],
      ["carol", "viewer"],
    ] as const) {
      await ok("alice", "POST", `/api/lists/${id}/members`, { email: api.email(user), role });
      await ok(user, "POST", `/api/invitations/${id}/accept`);
    }
    return id;
  }

  it("a to-do change by the owner or an editor pokes owner, editor and viewer, and not an outsider", async () => {
    const list = await sharedList();
    const byAlice = await pokedBy(() => ok("alice", "POST", `/api/lists/${list}/todos`, { title: "milk" }));
    expect(byAlice).to.deep.equal(channels("alice", "bob", "carol"));
    const todo = (await ok<{ items: { id: string }[] }>("bob", "GET", `/api/lists/${list}/todos`)).items[0];
    const byBob = await pokedBy(() => ok("bob", "PATCH", `/api/lists/${list}/todos/${todo.id}`, { completed: true }));
    expect(byBob).to.deep.equal(channels("alice", "bob", "carol"));
    expect(queried).to.deep.equal([list]);
  });

  it("a viewer's own change (their order of lists) pokes only them; their refused write pokes nobody", async () => {
    const list = await sharedList();
    expect(await pokedBy(() => ok("carol", "PATCH", `/api/lists/${list}`, { position: "a1" }))).to.deep.equal(channels("carol"));
    const refused = await pokedBy(() => api.send("carol", { method: "POST", path: `/api/lists/${list}/todos`, body: { title: "x" } }));
    expect(refused).to.deep.equal([]);
  });

  it("a removed member is poked by the removal, and not by later changes", async () => {
    const list = await sharedList();
    const removal = await pokedBy(() => ok("alice", "DELETE", `/api/lists/${list}/members/${USER_IDS.carol}`));
    expect(removal).to.deep.equal(channels("alice", "bob", "carol"));
    const later = await pokedBy(() => ok("bob", "POST", `/api/lists/${list}/todos`, { title: "bread" }));
    expect(later).to.deep.equal(channels("alice", "bob"));
  });

  it("a member who leaves is poked by leaving, and not afterwards", async () => {
    const list = await sharedList();
    expect(await pokedBy(() => ok("bob", "DELETE", `/api/lists/${list}/members/${USER_IDS.bob}`))).to.deep.equal(
      channels("alice", "bob", "carol"),
    );
    expect(await pokedBy(() => ok("alice", "POST", `/api/lists/${list}/todos`, { title: "x" }))).to.deep.equal(channels("alice", "carol"));
  });

  it("deleting a list pokes every former member (their items are deleted, so the Query finds nobody)", async () => {
    const list = await sharedList();
    await ok("alice", "POST", `/api/lists/${list}/todos`, { title: "milk" });
    const deletion = await pokedBy(() => ok("alice", "DELETE", `/api/lists/${list}`));
    expect(deletion).to.deep.equal(channels("alice", "bob", "carol"));
  });

  it("an invitation pokes nobody (fetched on focus); accepting it pokes the list's members and the new member", async () => {
    const { id } = await ok<{ id: string }>("alice", "POST", "/api/lists", { name: "party" });
    expect(
      await pokedBy(() => ok("alice", "POST", `/api/lists/${id}/members`, { email: api.email("dave"), role: "editor" })),
    ).to.deep.equal([]);
    expect(await pokedBy(() => ok("dave", "POST", `/api/invitations/${id}/accept`))).to.deep.equal(channels("alice", "dave"));
  });

  it("mark-all of 120 to-dos in a shared list: each member's channel once, one Query", async () => {
    const list = await sharedList();
    for (let i = 0; i < 120; i++) await ok("alice", "POST", `/api/lists/${list}/todos`, { title: `item ${i}` });
    const marked = await pokedBy(() => ok("bob", "POST", `/api/lists/${list}/todos/mark-all`, { completed: true }));
    expect(marked).to.deep.equal(channels("alice", "bob", "carol"));
    expect(queried).to.deep.equal([list]);
  });

  it("a batch over many lists: the union of their members, one Query per list, nobody else", async () => {
    const shared = await sharedList("shared");
    const { id: bobs } = await ok<{ id: string }>("bob", "POST", "/api/lists", { name: "bob's own" });
    const { id: daves } = await ok<{ id: string }>("dave", "POST", "/api/lists", { name: "dave's own" });
    const batch = await pokedBy(async () => {
      for (let i = 0; i < 3; i++) {
        await ok("bob", "POST", `/api/lists/${shared}/todos`, { title: `s${i}` });
        await ok("bob", "POST", `/api/lists/${bobs}/todos`, { title: `b${i}` });
      }
    });
    expect(batch).to.deep.equal(channels("alice", "bob", "carol"));
    expect([...queried].sort()).to.deep.equal([bobs, shared].sort());
    const withDave = await pokedBy(async () => {
      await ok("bob", "POST", `/api/lists/${bobs}/todos`, { title: "b" });
      await ok("dave", "POST", `/api/lists/${daves}/todos`, { title: "d" });
    });
    expect(withDave).to.deep.equal(channels("bob", "dave"));
  });

  it("the old /api/todos routes (a first list not adopted yet, no membership items) poke its owner", async () => {
    expect(await pokedBy(() => ok("dave", "POST", "/api/todos", { title: "before lists" }))).to.deep.equal(channels("dave"));
  });
});
