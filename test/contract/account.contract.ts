/**
 * The account-deletion part of the API contract (issue 19 "Broken 3", issue 17's hand-over):
 * `DELETE /api/account`, run in-process and over HTTP. alice owns a list shared with bob
 * (editor) and carol (viewer), another shared with carol only, and her first list; she edits
 * dave's list. Deleting her account hands the first shared list to bob (its oldest editor),
 * deletes the other (carol loses it), leaves dave's, deletes her invitations and her index, and
 * from then on every request of hers answers 410 account_deleted with nothing written.
 *
 * Runs last in todoApiContract: over HTTP it deletes alice's local-Cognito user for good.
 */
import { expect } from "chai";
import type { Role } from "../../handlers/lists";
import { TABLE_KEY } from "../../handlers/table";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "./driver";

type List = { id: string; name: string; role: Role; ownerId: string };

export function accountContract(api: () => ApiDriver): void {
  const send = (user: User, request: ApiRequest) => api().send(user, request);
  const expectStatus = (res: ApiResponse, status: number) => expect(res.status, JSON.stringify(res.body)?.slice(0, 300)).to.equal(status);
  async function ok<T>(user: User, request: ApiRequest, status = 200): Promise<T> {
    const res = await send(user, request);
    expectStatus(res, status);
    return res.body as T;
  }
  const createList = (user: User, name: string) => ok<List>(user, { method: "POST", path: "/api/lists", body: { name } }, 201);
  const lists = async (user: User) => (await ok<{ items: List[] }>(user, { method: "GET", path: "/api/lists" })).items;
  const addTodo = (user: User, listId: string, title: string) =>
    ok<{ id: string }>(user, { method: "POST", path: `/api/lists/${listId}/todos`, body: { title } }, 201);
  async function share(owner: User, listId: string, member: User, role: Role): Promise<void> {
    expectStatus(
      await send(owner, { method: "POST", path: `/api/lists/${listId}/members`, body: { email: api().email(member), role } }),
      202,
    );
    expectStatus(await send(member, { method: "POST", path: `/api/invitations/${listId}/accept` }), 200);
  }
  /** Deletes alice's account, calling again while a nextCursor says work is left; the number of calls. */
  async function deleteAccount(): Promise<number> {
    let cursor: string | null = null;
    let calls = 0;
    do {
      const body: { nextCursor: string | null } = await ok("alice", {
        method: "DELETE",
        path: `/api/account${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
      });
      cursor = body.nextCursor;
      calls += 1;
    } while (cursor && calls < 1000);
    return calls;
  }
  const partitionsOf = async (...partitions: string[]) =>
    (await api().tableItems()).filter((item) => partitions.includes(item[TABLE_KEY.partition] as string));
  const keysOf = (items: Record<string, unknown>[]) =>
    items.map((i) => `${i[TABLE_KEY.partition] as string} ${i[TABLE_KEY.sort] as string}`).sort();

  describe("deleting an account (DELETE /api/account)", function () {
    let groceries: List;
    let photos: List;
    let daves: List;

    beforeEach(async function () {
      await api().reset();
      for (const user of ["alice", "bob", "carol", "dave"] as const) await lists(user); // first lists
      await addTodo("alice", api().userId("alice"), "alice's own");
      groceries = await createList("alice", "Groceries");
      await share("alice", groceries.id, "bob", "editor");
      await share("alice", groceries.id, "carol", "viewer");
      await addTodo("bob", groceries.id, "milk");
      photos = await createList("alice", "Photos");
      await share("alice", photos.id, "carol", "viewer");
      await addTodo("alice", photos.id, "album");
      daves = await createList("dave", "Dave's");
      await share("dave", daves.id, "alice", "editor");
      await addTodo("alice", daves.id, "written by alice in dave's list");
      // A pending invitation to alice (from a list of bob's).
      const bobs = await createList("bob", "Bob's");
      expectStatus(
        await send("bob", { method: "POST", path: `/api/lists/${bobs.id}/members`, body: { email: api().email("alice"), role: "viewer" } }),
        202,
      );
    });

    it("hands a shared list to its oldest editor, deletes one shared with viewers only, leaves the others' lists", async function () {
      await deleteAccount();
      const bobsGroceries = (await lists("bob")).find((l) => l.id === groceries.id);
      expect(bobsGroceries, "bob keeps Groceries").to.include({ role: "owner", ownerId: api().userId("bob") });
      const carols = await lists("carol");
      expect(carols.find((l) => l.id === groceries.id)).to.include({ role: "viewer", ownerId: api().userId("bob") });
      expect(
        carols.map((l) => l.id),
        "carol loses Photos",
      ).not.to.include(photos.id);
      const members = await ok<{ items: { id: string }[] }>("bob", { method: "GET", path: `/api/lists/${groceries.id}/members` });
      expect(members.items.map((m) => m.id).sort()).to.deep.equal([api().userId("bob"), api().userId("carol")].sort());
      // Dave's list lives on without her; the to-do she wrote there belongs to it.
      const davesMembers = await ok<{ items: { id: string }[] }>("dave", { method: "GET", path: `/api/lists/${daves.id}/members` });
      expect(davesMembers.items.map((m) => m.id)).to.deep.equal([api().userId("dave")]);
      // Nothing of hers is left but the marker: her first list, Photos, her index, her invitations.
      const left = await partitionsOf(api().userId("alice"), photos.id, `u#${api().userId("alice")}`, `i#${api().email("alice")}`);
      expect(keysOf(left)).to.deep.equal([`u#${api().userId("alice")} ~deleted`]);
    });

    it("answers every later request of hers 410 account_deleted and writes nothing", async function () {
      await deleteAccount();
      const before = keysOf(await api().tableItems());
      const requests: ApiRequest[] = [
        { method: "GET", path: "/api/lists" },
        { method: "GET", path: "/api/changes" },
        { method: "POST", path: "/api/lists", body: { name: "again" } },
        { method: "POST", path: "/api/todos", body: { title: "old route" } },
        { method: "GET", path: "/api/todos" },
        { method: "GET", path: "/api/invitations" },
        { method: "POST", path: `/api/lists/${daves.id}/todos`, body: { title: "in dave's" } },
        { method: "POST", path: `/api/lists/${groceries.id}/todos`, body: { title: "in groceries" } },
        { method: "GET", path: `/api/lists/${api().userId("alice")}/todos` },
      ];
      for (const request of requests) {
        const res = await send("alice", request);
        expect(res.status, `${request.method} ${request.path}`).to.equal(410);
        expect(res.body.error).to.include({ code: "account_deleted", message: "This account was deleted." });
      }
      expect(keysOf(await api().tableItems())).to.deep.equal(before);
    });

    it("is idempotent: a second deletion changes nothing", async function () {
      await deleteAccount();
      const before = keysOf(await api().tableItems());
      const body = await ok<{ nextCursor: string | null }>("alice", { method: "DELETE", path: "/api/account" });
      expect(body.nextCursor).to.equal(null);
      expect(keysOf(await api().tableItems())).to.deep.equal(before);
    });

    it("finishes after interruptions: a tiny time budget, a call per step, the same result", async function () {
      if (!api().setTimeBudget) this.skip();
      api().setTimeBudget!(1);
      try {
        expect(await deleteAccount()).to.be.greaterThan(1);
      } finally {
        api().setTimeBudget!(undefined);
      }
      expect((await lists("bob")).find((l) => l.id === groceries.id)).to.include({ role: "owner" });
      expect((await lists("carol")).map((l) => l.id)).not.to.include(photos.id);
      const left = await partitionsOf(api().userId("alice"), photos.id, `u#${api().userId("alice")}`);
      expect(keysOf(left)).to.deep.equal([`u#${api().userId("alice")} ~deleted`]);
    });
  });
}
