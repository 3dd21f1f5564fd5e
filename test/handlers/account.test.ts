/**
 * Account deletion in-process (the contract suite, test/contract/account.contract.ts, covers
 * what both transports share): what the route asks of Cognito and the scheduler, the oldest
 * editor as heir, the first list handed over, and the sweep removing what was written in flight.
 */
import { expect } from "chai";
import { SWEEP_DELAY_MS, sweepAccount } from "../../handlers/account";
import { dynamoTodoStore } from "../../handlers/store";
import { itemKey, TABLE_KEY } from "../../handlers/table";
import type { User } from "../contract/driver";
import { recordingAdmin, startInProcessDriver, USER_NAMES, type AdminCall, type InProcessDriver } from "./in-process-driver";

describe("account deletion (in-process)", function () {
  let api: InProcessDriver;
  before(async () => {
    api = await startInProcessDriver();
  });
  after(async () => api?.close());
  beforeEach(async () => api.reset());

  async function ok<T>(user: User, method: string, path: string, body?: unknown, status = 200): Promise<T> {
    const res = await api.send(user, { method, path, body });
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    return res.body as T;
  }
  async function join(owner: User, listId: string, member: User, role: "editor" | "viewer"): Promise<void> {
    await ok(owner, "POST", `/api/lists/${listId}/members`, { email: api.email(member), role }, 202);
    await ok(member, "POST", `/api/invitations/${listId}/accept`);
  }
  const roleIn = async (user: User, listId: string) =>
    (await ok<{ items: { id: string; role: string }[] }>(user, "GET", "/api/lists")).items.find((l) => l.id === listId)?.role;
  const deleteAlice = () =>
    ok<{ nextCursor: string | null; handedOver: number; deleted: number; left: number }>("alice", "DELETE", "/api/account");

  it("ends her sessions and schedules the sweep on the first call, deletes her Cognito user once done", async function () {
    await ok("alice", "GET", "/api/lists");
    const body = await deleteAlice();
    expect(body.nextCursor).to.equal(null);
    const [end, schedule, remove, ...rest] = api.adminCalls;
    expect(end).to.deep.equal({ call: "endSessions", username: USER_NAMES.alice });
    expect(schedule).to.include({ call: "scheduleSweep", sub: api.userId("alice") });
    const marker = (await api.doc.get({ TableName: api.tableName, Key: itemKey(`u#${api.userId("alice")}`, "~deleted") })).Item;
    expect((schedule as Extract<AdminCall, { call: "scheduleSweep" }>).at.getTime()).to.equal(
      Date.parse(marker?.deletedAt as string) + SWEEP_DELAY_MS,
    );
    expect(remove).to.deep.equal({ call: "deleteUser", username: USER_NAMES.alice });
    expect(rest).to.deep.equal([]);
    expect(SWEEP_DELAY_MS, "after the ID tokens' hour").to.be.greaterThan(60 * 60_000);
  });

  it("hands a list to its OLDEST editor (by when they joined), the first list too", async function () {
    const first = api.userId("alice");
    await ok("alice", "GET", "/api/lists");
    await join("alice", first, "carol", "editor");
    await join("alice", first, "bob", "editor");
    await join("alice", first, "dave", "viewer");
    const body = await deleteAlice();
    expect(body).to.include({ handedOver: 1, deleted: 0, left: 0 });
    expect(await roleIn("carol", first)).to.equal("owner");
    expect(await roleIn("bob", first)).to.equal("editor");
    expect(await roleIn("dave", first)).to.equal("viewer");
    // The new owner may add to it; the deleted person's old route to that partition answers 410.
    await ok("carol", "POST", `/api/lists/${first}/todos`, { title: "still here" }, 201);
    expect((await api.send("alice", { method: "GET", path: "/api/todos" })).status).to.equal(410);
  });

  it("the sweep removes what a request already past its checks wrote after the deletion", async function () {
    await ok("alice", "GET", "/api/lists");
    const photos = await ok<{ id: string }>("alice", "POST", "/api/lists", { name: "Photos" }, 201);
    await deleteAlice();
    // Written "in flight": straight into her old partitions, as a request that passed the marker
    // check before the marker existed would, and an adoption of her first list racing the deletion.
    const inFlight = [
      { [TABLE_KEY.partition]: api.userId("alice"), [TABLE_KEY.sort]: "01JZZZZZZZZZZZZZZZZZZZZZZZ", title: "late", version: 1 },
      { [TABLE_KEY.partition]: photos.id, [TABLE_KEY.sort]: "01JZZZZZZZZZZZZZZZZZZZZZZY", title: "late too", version: 1 },
      {
        [TABLE_KEY.partition]: `u#${api.userId("alice")}`,
        [TABLE_KEY.sort]: `list#${api.userId("alice")}`,
        listId: api.userId("alice"),
        role: "owner",
      },
    ];
    for (const Item of inFlight) await api.doc.put({ TableName: api.tableName, Item });
    const calls: AdminCall[] = [];
    const store = dynamoTodoStore(api.doc, api.tableName);
    const result = await sweepAccount(store, recordingAdmin(calls), api.userId("alice"), new Date(), () => 5000);
    expect(result.stop).to.equal(undefined);
    const keys = (await api.tableItems()).map((i) => `${i[TABLE_KEY.partition] as string} ${i[TABLE_KEY.sort] as string}`);
    for (const item of inFlight) expect(keys).not.to.include(`${item[TABLE_KEY.partition]} ${item[TABLE_KEY.sort]}`);
    expect(keys).to.include(`u#${api.userId("alice")} ~deleted`);
    // The sweep knows whom to delete from the marker alone (it has no token).
    expect(calls).to.deep.equal([{ call: "deleteUser", username: USER_NAMES.alice }]);
  });

  it("a deleted person's list route answers 410, a stranger's still 404", async function () {
    const list = await ok<{ id: string }>("bob", "POST", "/api/lists", { name: "Bob's" }, 201);
    await deleteAlice();
    const alice = await api.send("alice", { method: "GET", path: `/api/lists/${list.id}/todos` });
    const dave = await api.send("dave", { method: "GET", path: `/api/lists/${list.id}/todos` });
    expect([alice.status, alice.body.error.code]).to.deep.equal([410, "account_deleted"]);
    expect([dave.status, dave.body.error.code]).to.deep.equal([404, "not_found"]);
  });
});
