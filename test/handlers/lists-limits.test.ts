/**
 * The limits of lists (handlers/lists.ts): each a 409 a person can act on, enforced by a counter
 * raised with a conditional update before the write it counts. The counters are set near the
 * limit straight in the table, so the tests need not make 100 lists or 10,000 to-dos.
 */
import { expect } from "chai";
import { MAX_LISTS_PER_PERSON, MAX_MEMBERS_PER_LIST, MAX_TODOS_PER_LIST } from "../../handlers/lists";
import { itemKey, LIST_META_KEY, PROFILE_KEY, userPartition } from "../../handlers/table";
import { startInProcessDriver, type InProcessDriver } from "./in-process-driver";

describe("limits of lists (409 with a message a person can act on)", function () {
  let api: InProcessDriver;
  before(async () => {
    api = await startInProcessDriver();
  });
  after(async () => api?.close());
  beforeEach(async () => api.reset());

  const setCounter = (key: Record<string, string>, name: string, value: number) =>
    api.doc.update({
      TableName: api.tableName,
      Key: key,
      UpdateExpression: "SET #n = :v",
      ExpressionAttributeNames: { "#n": name },
      ExpressionAttributeValues: { ":v": value },
    });

  it(`refuses a list beyond ${MAX_LISTS_PER_PERSON} per person, counting the first`, async function () {
    expect((await api.send("alice", { method: "POST", path: "/api/lists", body: { name: "one" } })).status).to.equal(201);
    await setCounter(itemKey(userPartition(api.userId("alice")), PROFILE_KEY), "listCount", MAX_LISTS_PER_PERSON - 1);
    const res = await api.send("alice", { method: "POST", path: "/api/lists", body: { name: "too many" } });
    expect(res.status).to.equal(409);
    expect(res.body.error.message).to.contain(`${MAX_LISTS_PER_PERSON} lists`);
  });

  it(`refuses a to-do beyond ${MAX_TODOS_PER_LIST} per list, and counts a deleted one back`, async function () {
    const list = (await api.send("alice", { method: "POST", path: "/api/lists", body: { name: "full" } })).body as { id: string };
    const todo = (await api.send("alice", { method: "POST", path: `/api/lists/${list.id}/todos`, body: { title: "x" } })).body as {
      id: string;
    };
    await setCounter(itemKey(list.id, LIST_META_KEY), "todoCount", MAX_TODOS_PER_LIST);
    const res = await api.send("alice", { method: "POST", path: `/api/lists/${list.id}/todos`, body: { title: "one more" } });
    expect(res.status).to.equal(409);
    expect(res.body.error.message).to.contain(`${MAX_TODOS_PER_LIST} to-dos`);
    expect((await api.send("alice", { method: "DELETE", path: `/api/lists/${list.id}/todos/${todo.id}` })).status).to.equal(204);
    expect(
      (await api.send("alice", { method: "POST", path: `/api/lists/${list.id}/todos`, body: { title: "room again" } })).status,
    ).to.equal(201);
  });

  it(`refuses an invitation and a join beyond ${MAX_MEMBERS_PER_LIST} members per list`, async function () {
    const list = (await api.send("alice", { method: "POST", path: "/api/lists", body: { name: "crowded" } })).body as { id: string };
    const invite = () =>
      api.send("alice", { method: "POST", path: `/api/lists/${list.id}/members`, body: { email: api.email("bob"), role: "viewer" } });
    expect((await invite()).status).to.equal(202);
    await setCounter(itemKey(list.id, LIST_META_KEY), "memberCount", MAX_MEMBERS_PER_LIST);
    const joined = await api.send("bob", { method: "POST", path: `/api/invitations/${list.id}/accept` });
    expect(joined.status).to.equal(409);
    expect(joined.body.error.message).to.contain(`${MAX_MEMBERS_PER_LIST} members`);
    expect((await invite()).status).to.equal(409);
  });
});
