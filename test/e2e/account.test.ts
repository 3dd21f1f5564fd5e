/**
 * Deleting an account is final everywhere (issue 19 "Broken 3"), in Chromium against the whole
 * local stack: Ann on two devices, Ben her list's editor. Ann deletes her account on device A;
 * device B, still holding a valid ID token, learns of it at its next pull (410 account_deleted),
 * says "This account was deleted." and keeps nothing of hers in IndexedDB or localStorage; her
 * shared list lives on, owned by Ben, on Ben's device.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { deviceRecords, openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";
import { add, apiCall, CODE, form, refocus, registerAndSignIn, row, SESSION_KEY, settled, signIn } from "./helpers";

const ANN = { email: "ann.deletes@example.com", password: "ann has a long password" };
const BEN = { email: "ben.inherits@example.com", password: "ben has a long password" };

/** Everything the page keeps: every IndexedDB store's records and localStorage, as one text. */
const everythingStored = (page: Page) =>
  page.evaluate(async () => {
    const dump: unknown[] = [Object.entries(localStorage)];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all = db.transaction(name).objectStore(name).getAll();
        dump.push(await new Promise((resolve) => (all.onsuccess = () => resolve([name, all.result]))));
      }
      db.close();
    }
    return JSON.stringify(dump);
  });

/** The lists the device copy holds, with the person's role in each. */
const deviceLists = async (page: Page) =>
  (await deviceRecords<{ id: string; name: string; role: string }>(page, "lists")).map(({ id, name, role }) => ({ id, name, role }));

describe("deleting an account, on every device (e2e)", function () {
  this.timeout(90_000);
  let stack: RunningStack;
  let annA: Person;
  let annB: Person;
  let ben: Person;

  before(async () => {
    [stack, annA, annB, ben] = await Promise.all([
      startStack({ confirmationCode: CODE, log: () => undefined }),
      openPerson({ locale: "en-GB" }),
      openPerson({ width: 320, height: 640, locale: "en-GB" }),
      openPerson({ locale: "en-GB" }),
    ]);
  });
  after(async () => {
    await Promise.all([annA?.close(), annB?.close(), ben?.close()]);
    await stack?.close();
  });

  it("signs out every other device with 'This account was deleted.', wipes it, and leaves her shared list to its editor", async () => {
    for (const [person, who] of [
      [annA, ANN],
      [ben, BEN],
    ] as const) {
      await registerAndSignIn(person.page, stack.url, who);
    }
    // Ann's list "Groceries", shared with Ben as editor (through the API: the sharing e2e test covers the dialog).
    const groceries = (await apiCall(annA.page, "POST", "/api/lists", { name: "Groceries" })).body as { id: string };
    expect((await apiCall(annA.page, "POST", `/api/lists/${groceries.id}/members`, { email: BEN.email, role: "editor" })).status).to.equal(
      202,
    );
    expect((await apiCall(ben.page, "POST", `/api/invitations/${groceries.id}/accept`)).status).to.equal(200);
    await add(annA.page, "Ann's own secret");

    // Device B: Ann signed in there too, with her whole copy.
    await annB.page.goto(stack.url);
    await signIn(annB.page, ANN.email, ANN.password);
    await row(annB.page, "Ann's own secret").waitFor();
    const sub = JSON.parse(
      Buffer.from(
        JSON.parse((await annB.page.evaluate((k) => localStorage.getItem(k), SESSION_KEY))!).idToken.split(".")[1],
        "base64url",
      ).toString(),
    ).sub as string;
    expect(await everythingStored(annB.page)).to.include("Ann's own secret");

    // Device A deletes the account.
    await annA.page.locator("summary", { hasText: "Your account" }).click();
    annA.page.once("dialog", (dialog) => void dialog.accept());
    await annA.page.getByRole("button", { name: "Delete my account…" }).click();
    await form(annA.page, "Sign in").getByText("This account was deleted.").waitFor({ timeout: 15_000 });

    // Device B, at its next pull (a poke or a focus pulls GET /api/changes), with its ID token still valid.
    await refocus(annB.page);
    await form(annB.page, "Sign in").getByText("This account was deleted.").waitFor({ timeout: 15_000 });
    expect(await annB.page.locator("#app").isHidden()).to.equal(true);
    const stored = await everythingStored(annB.page);
    for (const trace of ["Ann's own secret", "Groceries", sub, ANN.email]) expect(stored, trace).not.to.include(trace);

    // Ben's device: Groceries is his now (his next pull brings the hand-over).
    let groceriesOnBen: { role: string } | undefined;
    for (const end = Date.now() + 10_000; Date.now() < end && groceriesOnBen?.role !== "owner";) {
      await refocus(ben.page);
      await settled(ben.page);
      groceriesOnBen = (await deviceLists(ben.page)).find((l) => l.id === groceries.id);
    }
    expect(groceriesOnBen).to.deep.include({ name: "Groceries", role: "owner" });
  });
});
