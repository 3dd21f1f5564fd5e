/**
 * The sharing part of the API contract (issue 17): lists, their to-dos, members and invitations,
 * with four people: alice owns a list, bob is its editor, carol its viewer, dave is in no list
 * of hers. Part of todoApiContract, so it runs in-process and over HTTP.
 *
 * Transport differences allowed for: none beyond the suite's own (validator-territory 400s).
 * Over HTTP every person is a real local-Cognito user whose ID token carries their e-mail; the
 * local stack's authorizer reports it verified (local/authorizer.ts, a local-only rule).
 */
import { expect } from "chai";
import { can, ROLE_PERMISSIONS, type Access, type Role } from "../../handlers/lists";
import { ulidFactory } from "../../handlers/ids";
import { sealCursor } from "../../handlers/cursor";
import { TABLE_KEY } from "../../handlers/table";
import type { ApiDriver, ApiRequest, ApiResponse, User } from "./driver";

type List = { id: string; name: string; role: Role; version: number; ownerId: string };

/** One list route, as a request for a list (made fresh for each call: some change things). */
interface Case {
  readonly name: string;
  readonly access: Access;
  readonly request: (listId: string) => Promise<ApiRequest> | ApiRequest;
}

export function sharingContract(api: () => ApiDriver): void {
  const send = (user: User | null, request: ApiRequest) => api().send(user, request);
  const nextId = ulidFactory();

  function expectStatus(res: ApiResponse, status: number): void {
    expect(res.status, JSON.stringify(res.body)?.slice(0, 300)).to.equal(status);
  }
  async function ok<T>(user: User, request: ApiRequest, status = 200): Promise<T> {
    const res = await send(user, request);
    expectStatus(res, status);
    return res.body as T;
  }
  const createList = (user: User, name: string) => ok<List>(user, { method: "POST", path: "/api/lists", body: { name } }, 201);
  const invite = (user: User, listId: string, email: string, role: Role) =>
    send(user, { method: "POST", path: `/api/lists/${listId}/members`, body: { email, role } });
  const accept = (user: User, invitationId: string) => send(user, { method: "POST", path: `/api/invitations/${invitationId}/accept` });
  const createTodo = (user: User, listId: string, title: string) =>
    ok<{ id: string; version: number }>(user, { method: "POST", path: `/api/lists/${listId}/todos`, body: { title } }, 201);
  const lists = async (user: User) => (await ok<{ items: List[] }>(user, { method: "GET", path: "/api/lists" })).items;

  /** A fresh list of alice's with bob as editor and carol as viewer. */
  async function sharedList(name = "Groceries"): Promise<List> {
    const list = await createList("alice", name);
    expectStatus(await invite("alice", list.id, api().email("bob"), "editor"), 202);
    expectStatus(await invite("alice", list.id, api().email("carol"), "viewer"), 202);
    expectStatus(await accept("bob", list.id), 200);
    expectStatus(await accept("carol", list.id), 200);
    return list;
  }

  /** Every route under /api/lists/{listId}, with the access ROLE_PERMISSIONS must allow. */
  const cases = (owner: User): Case[] => [
    { name: "GET list", access: "read", request: (id) => ({ method: "GET", path: `/api/lists/${id}` }) },
    {
      name: "PATCH list position",
      access: "read",
      request: (id) => ({ method: "PATCH", path: `/api/lists/${id}`, body: { position: "V" } }),
    },
    {
      name: "PATCH list name",
      access: "manage",
      request: (id) => ({ method: "PATCH", path: `/api/lists/${id}`, body: { name: "Renamed" } }),
    },
    { name: "GET todos", access: "read", request: (id) => ({ method: "GET", path: `/api/lists/${id}/todos` }) },
    { name: "POST todo", access: "write", request: (id) => ({ method: "POST", path: `/api/lists/${id}/todos`, body: { title: "new" } }) },
    {
      name: "GET todo",
      access: "read",
      request: async (id) => ({ method: "GET", path: `/api/lists/${id}/todos/${(await createTodo(owner, id, "t")).id}` }),
    },
    {
      name: "PATCH todo",
      access: "write",
      request: async (id) => ({
        method: "PATCH",
        path: `/api/lists/${id}/todos/${(await createTodo(owner, id, "t")).id}`,
        body: { completed: true },
      }),
    },
    {
      name: "DELETE todo",
      access: "write",
      request: async (id) => ({ method: "DELETE", path: `/api/lists/${id}/todos/${(await createTodo(owner, id, "t")).id}` }),
    },
    { name: "GET summary", access: "read", request: (id) => ({ method: "GET", path: `/api/lists/${id}/todos/summary` }) },
    {
      name: "POST mark-all",
      access: "write",
      request: (id) => ({ method: "POST", path: `/api/lists/${id}/todos/mark-all`, body: { completed: true } }),
    },
    {
      name: "POST clear-completed",
      access: "write",
      request: (id) => ({ method: "POST", path: `/api/lists/${id}/todos/clear-completed`, body: {} }),
    },
    { name: "GET export", access: "read", request: (id) => ({ method: "GET", path: `/api/lists/${id}/todos/export?format=csv` }) },
    { name: "GET members", access: "read", request: (id) => ({ method: "GET", path: `/api/lists/${id}/members` }) },
    {
      name: "POST member (invite)",
      access: "manage",
      request: (id) => ({ method: "POST", path: `/api/lists/${id}/members`, body: { email: "someone@example.com", role: "viewer" } }),
    },
    {
      name: "PATCH member",
      access: "manage",
      request: (id) => ({ method: "PATCH", path: `/api/lists/${id}/members/${api().userId("carol")}`, body: { role: "viewer" } }),
    },
  ];

  describe("sharing: lists, roles, members and invitations (issue 17)", function () {
    beforeEach(async () => api().reset());

    it("gives each person a first list, named To-dos, whose id is their user id, holding their to-dos from before lists", async function () {
      const old = await ok<{ id: string }>("alice", { method: "POST", path: "/api/todos", body: { title: "from before" } }, 201);
      const [first] = await lists("alice");
      expect(first).to.include({ id: api().userId("alice"), name: "To-dos", role: "owner", ownerId: api().userId("alice") });
      const page = await ok<{ items: { id: string }[] }>("alice", { method: "GET", path: `/api/lists/${first.id}/todos` });
      expect(page.items.map((t) => t.id)).to.deep.equal([old.id]);
      // The old routes see what the first list holds, and nothing of the list's own items.
      const created = await createTodo("alice", first.id, "through the list");
      const flat = await ok<{ items: { id: string }[] }>("alice", { method: "GET", path: "/api/todos" });
      expect(flat.items.map((t) => t.id)).to.deep.equal([created.id, old.id]);
      const feed = await ok<{ items: { id: string }[] }>("alice", { method: "GET", path: "/api/todos/changes" });
      expect(feed.items.map((t) => t.id).sort()).to.deep.equal([created.id, old.id].sort());
      expect(await lists("alice")).to.have.length(1);
    });

    it("lets every role do what ROLE_PERMISSIONS allows (2xx) and answers 403 to the rest", async function () {
      const list = await sharedList();
      const roles: Record<Role, User> = { owner: "alice", editor: "bob", viewer: "carol" };
      for (const c of cases("alice")) {
        for (const [role, user] of Object.entries(roles) as [Role, User][]) {
          const res = await send(user, await c.request(list.id));
          const label = `${c.name} as ${role}: ${JSON.stringify(res.body)?.slice(0, 200)}`;
          if (can(role, c.access)) expect(res.status, label).to.be.within(200, 299);
          else {
            expect(res.status, label).to.equal(403);
            expect(res.body.error.code, label).to.equal("forbidden");
          }
        }
      }
      // Removing another member and deleting the list: the owner only.
      for (const user of ["bob", "carol"] as const) {
        expectStatus(await send(user, { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("alice")}` }), 403);
        expectStatus(await send(user, { method: "DELETE", path: `/api/lists/${list.id}` }), 403);
      }
      expectStatus(await send("bob", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("carol")}` }), 403);
      expectStatus(await send("alice", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("carol")}` }), 204);
      const deleted = await ok<{ deleted: number; nextCursor: string | null }>("alice", {
        method: "DELETE",
        path: `/api/lists/${list.id}`,
      });
      expect(deleted.nextCursor).to.equal(null);
      expect(ROLE_PERMISSIONS.viewer).to.deep.equal(["read"]);
    });

    it("answers an outsider 404 on every list route, with the same body as for a missing list or a malformed id", async function () {
      const list = await sharedList();
      const missing = nextId();
      const withoutRequestId = (res: ApiResponse) => ({
        status: res.status,
        code: res.body?.error?.code,
        message: res.body?.error?.message,
        details: res.body?.error?.details,
      });
      for (const c of [
        ...cases("alice"),
        { name: "DELETE list", access: "manage" as const, request: (id: string) => ({ method: "DELETE", path: `/api/lists/${id}` }) },
        {
          name: "DELETE member",
          access: "manage" as const,
          request: (id: string) => ({ method: "DELETE", path: `/api/lists/${id}/members/${api().userId("bob")}` }),
        },
      ]) {
        const request = await c.request(list.id);
        const outsider = withoutRequestId(await send("dave", request));
        const absent = withoutRequestId(await send("dave", { ...request, path: request.path.replace(list.id, missing) }));
        const malformed = withoutRequestId(await send("alice", { ...request, path: request.path.replace(list.id, "not-a-list") }));
        expect(outsider.status, c.name).to.equal(404);
        expect(outsider, c.name).to.deep.equal(absent);
        expect(outsider, c.name).to.deep.equal(malformed);
      }
      expect(await lists("dave")).to.have.length(1); // their own first list only
    });

    it("makes a removal take effect on the removed member's very next request, and their list index drops the list", async function () {
      const list = await sharedList();
      const todo = await createTodo("bob", list.id, "bob's");
      expect((await lists("bob")).map((l) => l.id)).to.include(list.id);
      expectStatus(await send("alice", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("bob")}` }), 204);
      expectStatus(await send("bob", { method: "GET", path: `/api/lists/${list.id}/todos/${todo.id}` }), 404);
      expectStatus(await send("bob", { method: "POST", path: `/api/lists/${list.id}/todos`, body: { title: "x" } }), 404);
      expect((await lists("bob")).map((l) => l.id)).to.not.include(list.id);
      const members = await ok<{ items: { id: string }[] }>("alice", { method: "GET", path: `/api/lists/${list.id}/members` });
      expect(members.items.map((m) => m.id).sort()).to.deep.equal([api().userId("alice"), api().userId("carol")].sort());
    });

    it("lets a member leave, and a member see the others and each to-do's last editor", async function () {
      const list = await sharedList();
      const todo = await createTodo("bob", list.id, "bob's");
      const seen = await ok<{ lastEditedBy: string; position: string }>("carol", {
        method: "GET",
        path: `/api/lists/${list.id}/todos/${todo.id}`,
      });
      expect(seen.lastEditedBy).to.equal(api().userId("bob"));
      expect(seen.position).to.be.a("string");
      const members = await ok<{ items: { id: string; email: string; role: Role }[] }>("carol", {
        method: "GET",
        path: `/api/lists/${list.id}/members`,
      });
      expect(members.items.map((m) => [m.email, m.role])).to.deep.equal([
        [api().email("alice"), "owner"],
        [api().email("bob"), "editor"],
        [api().email("carol"), "viewer"],
      ]);
      expectStatus(await send("carol", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("carol")}` }), 204);
      expectStatus(await send("carol", { method: "GET", path: `/api/lists/${list.id}` }), 404);
    });

    it("lets only the invitee see and accept an invitation, and decline one", async function () {
      const list = await createList("alice", "Trip");
      expectStatus(await invite("alice", list.id, api().email("dave").toUpperCase(), "viewer"), 202);
      expect((await ok<{ items: unknown[] }>("bob", { method: "GET", path: "/api/invitations" })).items).to.deep.equal([]);
      expectStatus(await accept("bob", list.id), 404);
      expectStatus(await send("bob", { method: "DELETE", path: `/api/invitations/${list.id}` }), 404);
      expectStatus(await send("bob", { method: "GET", path: `/api/lists/${list.id}` }), 404);
      const invitations = await ok<{ items: Record<string, unknown>[] }>("dave", { method: "GET", path: "/api/invitations" });
      expect(invitations.items).to.have.length(1);
      expect(invitations.items[0]).to.include({
        id: list.id,
        listId: list.id,
        listName: "Trip",
        role: "viewer",
        invitedBy: api().email("alice"),
      });
      const joined = await accept("dave", list.id);
      expectStatus(joined, 200);
      expect(joined.body).to.include({ id: list.id, role: "viewer" });
      expectStatus(await accept("dave", list.id), 404); // used up
      expect((await lists("dave")).map((l) => l.id)).to.include(list.id);

      const other = await createList("alice", "Other");
      expectStatus(await invite("alice", other.id, api().email("bob"), "editor"), 202);
      expectStatus(await send("bob", { method: "DELETE", path: `/api/invitations/${other.id}` }), 204);
      expectStatus(await accept("bob", other.id), 404);
    });

    it("never leaves a list without an owner: the owner cannot leave until they hand it over", async function () {
      const list = await sharedList();
      const alice = api().userId("alice");
      const refused = await send("alice", { method: "DELETE", path: `/api/lists/${list.id}/members/${alice}` });
      expectStatus(refused, 409);
      expectStatus(await send("alice", { method: "PATCH", path: `/api/lists/${list.id}/members/${alice}`, body: { role: "viewer" } }), 409);
      const handed = await ok<{ role: Role }>("alice", {
        method: "PATCH",
        path: `/api/lists/${list.id}/members/${api().userId("bob")}`,
        body: { role: "owner" },
      });
      expect(handed.role).to.equal("owner");
      expect(await ok<List>("alice", { method: "GET", path: `/api/lists/${list.id}` })).to.include({
        role: "editor",
        ownerId: api().userId("bob"),
      });
      expectStatus(await send("alice", { method: "DELETE", path: `/api/lists/${list.id}/members/${alice}` }), 204);
      expectStatus(await send("bob", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("bob")}` }), 409);
      // The first list is its person's for good: not handed over, not deleted. (It is made by
      // their first GET /api/lists, which is how a client learns its list ids.)
      const first = api().userId("alice");
      expectStatus(await invite("alice", first, api().email("bob"), "editor"), 404);
      await lists("alice");
      expectStatus(await invite("alice", first, api().email("bob"), "editor"), 202);
      expectStatus(await accept("bob", first), 200);
      expectStatus(
        await send("alice", { method: "PATCH", path: `/api/lists/${first}/members/${api().userId("bob")}`, body: { role: "owner" } }),
        409,
      );
      expectStatus(await send("alice", { method: "DELETE", path: `/api/lists/${first}` }), 409);
    });

    it("answers an invitation the same way whether or not the e-mail has an account", async function () {
      const list = await createList("alice", "Party");
      const known = await invite("alice", list.id, api().email("dave"), "editor");
      const unknown = await invite("alice", list.id, "nobody-at-all@example.com", "editor");
      expect(known.status).to.equal(202);
      expect(unknown.status).to.equal(known.status);
      expect({ ...unknown.body, email: "x" }).to.deep.equal({ ...known.body, email: "x" });
      expect(Object.keys(unknown.headers).sort()).to.deep.equal(Object.keys(known.headers).sort());
    });

    it("keeps lists apart: a to-do of one list is not reachable through another, nor through the old routes", async function () {
      const list = await sharedList();
      const todo = await createTodo("bob", list.id, "in the shared list");
      const bobsFirst = api().userId("bob");
      await lists("bob");
      expectStatus(await send("bob", { method: "GET", path: `/api/lists/${bobsFirst}/todos/${todo.id}` }), 404);
      expectStatus(await send("bob", { method: "GET", path: `/api/todos/${todo.id}` }), 404);
      expectStatus(await send("alice", { method: "GET", path: `/api/todos/${todo.id}` }), 404);
      const cursor = (await ok<{ nextCursor: string | null }>("alice", { method: "GET", path: `/api/lists/${list.id}/todos?limit=1` }))
        .nextCursor;
      if (cursor) {
        const other = await createList("alice", "Other");
        expectStatus(
          await send("alice", { method: "GET", path: `/api/lists/${other.id}/todos?cursor=${encodeURIComponent(cursor)}` }),
          400,
        );
      }
    });

    it("renames a list with If-Match, answers 412 to a stale version, and keeps each person's own order of lists", async function () {
      const list = await sharedList();
      const renamed = await send("alice", {
        method: "PATCH",
        path: `/api/lists/${list.id}`,
        body: { name: "Food" },
        headers: { "If-Match": `"${list.version}"` },
      });
      expectStatus(renamed, 200);
      expect(renamed.body).to.include({ name: "Food", version: list.version + 1 });
      const stale = await send("alice", {
        method: "PATCH",
        path: `/api/lists/${list.id}`,
        body: { name: "Late" },
        headers: { "If-Match": `"${list.version}"` },
      });
      expectStatus(stale, 412);
      expect((await lists("carol")).find((l) => l.id === list.id)?.name).to.equal("Food");
      await ok("bob", { method: "PATCH", path: `/api/lists/${list.id}`, body: { position: "0V" } });
      expect((await lists("bob"))[0].id).to.equal(list.id);
      expect((await lists("alice"))[0].id).to.equal(api().userId("alice"));
    });

    type FeedItem = { type: string; id: string; listId?: string; removed?: boolean; deleted?: boolean; name?: string; title?: string };
    /** Follows GET /api/changes to the end of a pass: every item, and the cursor for the next sync. */
    async function feed(user: User, cursor: string | null, limit = 500): Promise<{ items: FeedItem[]; cursor: string }> {
      const items: FeedItem[] = [];
      for (let page = 0; page < 1000; page++) {
        const query = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const body = await ok<{ items: FeedItem[]; nextCursor: string; hasMore: boolean }>(user, {
          method: "GET",
          path: `/api/changes${query}`,
        });
        items.push(...body.items);
        cursor = body.nextCursor;
        if (!body.hasMore) return { items, cursor };
      }
      throw new Error("the feed did not end");
    }

    it("GET /api/changes carries everything a member can see, joins, renames and a removal on the next sync", async function () {
      const list = await sharedList();
      const todo = await createTodo("alice", list.id, "milk");
      await lists("bob");
      const full = await feed("bob", null);
      expect(
        full.items
          .filter((i) => i.type === "list")
          .map((i) => i.id)
          .sort(),
      ).to.deep.equal([api().userId("bob"), list.id].sort());
      expect(full.items.filter((i) => i.type === "todo").map((i) => [i.listId, i.id])).to.deep.equal([[list.id, todo.id]]);
      expect(full.items.filter((i) => i.type === "member" && i.listId === list.id)).to.have.length(3);
      // Page by page, the same pass.
      const paged = await feed("bob", null, 1);
      expect(paged.items.map((i) => `${i.type}${i.id}`).sort()).to.deep.equal(full.items.map((i) => `${i.type}${i.id}`).sort());
      // Nothing of a list bob is not in, even after alice's other list changes.
      const other = await createList("alice", "Private");
      const secret = await createTodo("alice", other.id, "secret");
      const later = await createTodo("alice", list.id, "eggs");
      await ok("alice", { method: "PATCH", path: `/api/lists/${list.id}`, body: { name: "Food" } });
      const delta = await feed("bob", full.cursor);
      expect(delta.items.map((i) => i.id))
        .to.include(later.id)
        .and.not.include(secret.id)
        .and.not.include(other.id);
      expect(delta.items.find((i) => i.type === "list" && i.id === list.id)?.name).to.equal("Food");
      // Removed: the very next sync says so, and carries none of the list's to-dos.
      expectStatus(await send("alice", { method: "DELETE", path: `/api/lists/${list.id}/members/${api().userId("bob")}` }), 204);
      await createTodo("alice", list.id, "after bob left");
      const removed = await feed("bob", delta.cursor);
      expect(removed.items.filter((i) => i.type === "list" && i.id === list.id)).to.deep.equal([
        { type: "list", id: list.id, removed: true },
      ]);
      expect(removed.items.filter((i) => i.listId === list.id)).to.deep.equal([]);
      // A newly joined member gets the whole list on their next sync, not only what changed since.
      const dave = await feed("dave", null);
      expectStatus(await invite("alice", list.id, api().email("dave"), "viewer"), 202);
      expectStatus(await accept("dave", list.id), 200);
      const joined = await feed("dave", dave.cursor);
      expect(joined.items.filter((i) => i.type === "todo" && i.listId === list.id && !i.deleted)).to.have.length(3);
    });

    it("GET /api/changes answers 410 to a cursor older than 30 days, and 400 to another person's cursor", async function () {
      const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
      const res = await send("bob", {
        method: "GET",
        path: `/api/changes?cursor=${sealCursor(api().userId("bob"), "allChanges", { s: old })}`,
      });
      expectStatus(res, 410);
      expect(res.body.error.code).to.equal("sync_expired");
      const alices = (await feed("alice", null)).cursor;
      expectStatus(await send("bob", { method: "GET", path: `/api/changes?cursor=${encodeURIComponent(alices)}` }), 400);
    });

    it("moves a to-do to another list the caller can write to (put, then tombstone: a retry answers the same), and nowhere else", async function () {
      const list = await sharedList();
      await lists("bob");
      const bobs = api().userId("bob");
      const todo = await createTodo("alice", list.id, "move me");
      const move = { method: "PATCH", path: `/api/lists/${list.id}/todos/${todo.id}`, body: { listId: bobs } };
      const moved = await send("bob", move);
      expectStatus(moved, 200);
      expect(moved.body).to.include({ id: todo.id, title: "move me", version: todo.version + 1, lastEditedBy: bobs });
      expectStatus(await send("alice", { method: "GET", path: `/api/lists/${list.id}/todos/${todo.id}` }), 404);
      expect((await ok<{ id: string }>("bob", { method: "GET", path: `/api/lists/${bobs}/todos/${todo.id}` })).id).to.equal(todo.id);
      const retried = await send("bob", move);
      expectStatus(retried, 200);
      expect(retried.body).to.deep.equal(moved.body);
      // Into a list the caller only reads: 403; one they are not in: the list 404; a viewer moves nothing.
      const other = await createTodo("alice", list.id, "stay");
      await lists("carol");
      const viewerOnly = await createList("alice", "Read-only for bob");
      expectStatus(await invite("alice", viewerOnly.id, api().email("bob"), "viewer"), 202);
      expectStatus(await accept("bob", viewerOnly.id), 200);
      expectStatus(await send("bob", { ...move, path: `/api/lists/${list.id}/todos/${other.id}`, body: { listId: viewerOnly.id } }), 403);
      const outside = await send("bob", {
        ...move,
        path: `/api/lists/${list.id}/todos/${other.id}`,
        body: { listId: api().userId("dave") },
      });
      expectStatus(outside, 404);
      expect(outside.body.error.message).to.equal("No list with this id exists.");
      expectStatus(
        await send("carol", { ...move, path: `/api/lists/${list.id}/todos/${other.id}`, body: { listId: api().userId("carol") } }),
        403,
      );
      expect((await ok<{ total: number }>("alice", { method: "GET", path: `/api/lists/${list.id}/todos/summary` })).total).to.equal(1);
    });

    it("puts a new to-do on top, and moving one by its position rewrites that to-do only", async function () {
      const list = await createList("alice", "Order");
      const made = [];
      for (const title of ["a", "b", "c"]) {
        made.push(
          await ok<{ id: string; position: string; version: number }>(
            "alice",
            { method: "POST", path: `/api/lists/${list.id}/todos`, body: { title } },
            201,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect(made[2].position < made[1].position && made[1].position < made[0].position).to.equal(true);
      // c (top) goes between b and a: a key strictly between theirs.
      const between = `${made[1].position}V`;
      expect(made[1].position < between && between < made[0].position).to.equal(true);
      const moved = await ok<{ position: string; version: number }>("alice", {
        method: "PATCH",
        path: `/api/lists/${list.id}/todos/${made[2].id}`,
        body: { position: between },
      });
      expect(moved).to.include({ position: between, version: made[2].version + 1 });
      const page = await ok<{ items: { id: string; version: number; position: string }[] }>("alice", {
        method: "GET",
        path: `/api/lists/${list.id}/todos`,
      });
      const byId = new Map(page.items.map((t) => [t.id, t]));
      expect(byId.get(made[0].id)?.version).to.equal(made[0].version);
      expect(byId.get(made[1].id)?.version).to.equal(made[1].version);
      expect([...page.items].sort((x, y) => (x.position < y.position ? -1 : 1)).map((t) => t.id)).to.deep.equal([
        made[1].id,
        made[2].id,
        made[0].id,
      ]);
      expectStatus(
        await send("alice", { method: "PATCH", path: `/api/lists/${list.id}/todos/${made[2].id}`, body: { position: "V0" } }),
        400,
      );
    });

    it("deletes a list with its to-dos (owner), continuing with nextCursor, and every member loses it at once", async function () {
      const list = await sharedList("Doomed");
      await Promise.all(Array.from({ length: 120 }, (_, i) => createTodo("bob", list.id, `t${i}`)));
      const bobSync = await feed("bob", null);
      api().setTimeBudget?.(1); // in-process: each call does one chunk and hands out a cursor
      let calls = 0;
      let deleted = 0;
      try {
        let cursor: string | null = null;
        do {
          const body: { deleted: number; nextCursor: string | null } = await ok("alice", {
            method: "DELETE",
            path: `/api/lists/${list.id}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
          });
          deleted += body.deleted;
          cursor = body.nextCursor;
          calls++;
          // Other members lost the list with the first call.
          expectStatus(await send("bob", { method: "GET", path: `/api/lists/${list.id}/todos` }), 404);
        } while (cursor !== null && calls < 100);
      } finally {
        api().setTimeBudget?.(undefined);
      }
      expect(deleted).to.equal(120);
      if (api().setTimeBudget) expect(calls).to.be.above(1);
      expectStatus(await send("alice", { method: "GET", path: `/api/lists/${list.id}` }), 404);
      expect((await api().tableItems()).filter((i) => i[TABLE_KEY.partition] === list.id)).to.deep.equal([]);
      expect((await lists("alice")).map((l) => l.id)).to.not.include(list.id);
      expect((await feed("bob", bobSync.cursor)).items).to.deep.include({ type: "list", id: list.id, removed: true });
    });

    it("creates one list for a retried POST /api/lists with the same Idempotency-Key, 409 for the key with another name", async function () {
      const headers = { "Idempotency-Key": "list-key-1" };
      const first = await send("alice", { method: "POST", path: "/api/lists", body: { name: "Once" }, headers });
      const again = await send("alice", { method: "POST", path: "/api/lists", body: { name: "Once" }, headers });
      expectStatus(first, 201);
      expectStatus(again, 201);
      expect(again.body.id).to.equal(first.body.id);
      expect(again.headers["idempotent-replayed"]).to.equal("true");
      expectStatus(await send("alice", { method: "POST", path: "/api/lists", body: { name: "Other" }, headers }), 409);
      expect((await lists("alice")).filter((l) => l.name === "Once")).to.have.length(1);
    });
  });
}
