/**
 * The app's first read of the device copy takes the one the first paint began (db.ts
 * `withFirstRead`), unless that read may be out of date: something was written through the app's
 * store first, or another tab queued a change meanwhile (this tab does not hear the others yet).
 */
import { expect } from "chai";
import { memoryStore, withFirstRead } from "../../site/src/db";
import type { Intent } from "../../site/src/replica";

const add = (title: string): Intent => ({
  kind: "create",
  listId: "me",
  id: `local-${title}`,
  key: title,
  title,
  dueDate: null,
  completed: false,
  createdAt: "2026-12-06T00:00:00.000Z",
});

/** A store that counts its loads. */
function counted() {
  const store = memoryStore();
  let loads = 0;
  return {
    store: { ...store, load: () => (loads++, store.load()) },
    base: store,
    loads: () => loads,
  };
}

describe("the first paint's read, taken by the app (db.ts withFirstRead)", () => {
  it("is the app's first load when nothing changed since, with no second read of the copy", async () => {
    const { store, loads } = counted();
    await store.enqueue([add("a")]);
    const read = store.load();
    const app = withFirstRead(store, read);
    expect(await app.load()).to.equal(await read);
    expect(loads()).to.equal(1);
    // Later loads read the store.
    await app.load();
    expect(loads()).to.equal(2);
  });

  it("is read anew when another tab queued a change after it was read", async () => {
    const { store, loads } = counted();
    const read = store.load();
    await read;
    await store.enqueue([add("typed in another tab")]); // not through the app's store: another tab
    const copy = await withFirstRead(store, read).load();
    expect(copy.queue.map((q) => (q.intent as { title: string }).title)).to.deep.equal(["typed in another tab"]);
    expect(loads()).to.equal(2);
  });

  it("is read anew once the app wrote through its store first", async () => {
    const { store } = counted();
    const read = store.load();
    await read;
    const app = withFirstRead(store, read);
    await app.commit({ user: "someone" });
    expect((await app.load()).user).to.equal("someone");
  });

  it("falls back to a read of its own when the first read failed", async () => {
    const { store } = counted();
    await store.enqueue([add("kept")]);
    const copy = await withFirstRead(store, Promise.reject(new Error("IndexedDB said no"))).load();
    expect(copy.queue).to.have.length(1);
  });
});
