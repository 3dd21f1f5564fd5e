/**
 * Nothing typed is lost and nothing of one person is left for the next (issue 19), in Chromium
 * against the whole local stack, with two devices of one person:
 * - an open editor stays based on the version it opened: a rename elsewhere shows in it at once,
 *   and saving goes through the conflict view (If-Match of the opened version), both kept;
 * - a to-do deleted elsewhere under an open editor keeps the editor and its text, and offers to
 *   restore it with that text or discard it; one moved elsewhere to another list says which, keeps
 *   the text, and saving saves it there;
 * - after sign-out the page, its storage and the next person's session hold nothing of the
 *   previous person.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";
import {
  add,
  apiCall,
  axeViolations,
  CODE,
  CREATE_ROUTE,
  expectTitles,
  form,
  onServer,
  refocus,
  refuseCreates,
  register,
  registerAndSignIn,
  row,
  serverTodos,
  settled,
  signIn,
  titles,
} from "./helpers";

const A = { email: "ada@example.com", password: "nothing typed is lost" };
const B = { email: "bob@example.com", password: "a different person here" };

/** Everything the page holds as text: the DOM (attributes too), every field's value, web storage, IndexedDB. */
const everything = (page: Page) =>
  page.evaluate(async () => {
    const values = Array.from(document.querySelectorAll("input, textarea"), (e) => (e as HTMLInputElement).value);
    const storage = [localStorage, sessionStorage].flatMap((s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`));
    const idb: string[] = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all = db.transaction(name).objectStore(name).getAll();
        idb.push(JSON.stringify(await new Promise((resolve) => (all.onsuccess = () => resolve(all.result)))));
      }
      db.close();
    }
    const cached = await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)));
    return { dom: document.documentElement.outerHTML, values, storage, idb, cached: cached.flat() };
  });

describe("nothing typed is lost, nothing of a person is left (e2e)", function () {
  this.timeout(60_000);
  let stack: RunningStack;
  let one: Person;
  let two: Person;

  before(async () => {
    [stack, one, two] = await Promise.all([startStack({ confirmationCode: CODE, log: () => undefined }), openPerson(), openPerson()]);
    await registerAndSignIn(one.page, stack.url, A);
    for (const title of ["Call mum", "Buy milk"]) await add(one.page, title);
    await two.page.goto(stack.url);
    await signIn(two.page, A.email, A.password);
    await expectTitles(two.page, ["Buy milk", "Call mum"]);
  });
  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await stack?.close();
  });

  it("keeps an open editor on the version it opened: a rename elsewhere shows at once, saving is a conflict", async () => {
    const [a, b] = [one.page, two.page];
    const opened = (await serverTodos(b)).find((t) => t.title === "Buy milk")!;
    await row(b, "Buy milk").locator(".title").dblclick();
    await b.getByRole("textbox", { name: /Edit “Buy milk”/ }).fill("Buy oat milk");

    await row(a, "Buy milk").locator(".title").dblclick();
    await a.getByRole("textbox", { name: /Edit “Buy milk”/ }).fill("Buy milk and eggs");
    await a.keyboard.press("Enter");
    await settled(a);
    await refocus(b);
    await row(b, "Buy milk and eggs").getByText("Changed on another device: “Buy milk and eggs”").waitFor();
    expect(await axeViolations(b)).to.deep.equal([]);
    expect(await b.getByRole("textbox", { name: /Edit/ }).inputValue()).to.equal("Buy oat milk");

    const patch = b.waitForRequest((r) => r.method() === "PATCH");
    await b.getByRole("textbox", { name: /Edit/ }).press("Enter");
    expect((await patch).headers()["if-match"]).to.equal(`"${opened.version}"`);
    const conflict = b.getByRole("region", { name: /Changed in two places/ });
    await conflict.waitFor();
    expect(await conflict.textContent())
      .to.contain("“Buy oat milk”")
      .and.contain("“Buy milk and eggs”");
    // Nothing overwritten until the person chooses.
    expect((await serverTodos(b)).map((t) => t.title)).to.include("Buy milk and eggs");
    await conflict.getByRole("button", { name: "Keep mine" }).click();
    await conflict.waitFor({ state: "hidden" });
    await settled(b);
    expect((await serverTodos(b)).map((t) => t.title)).to.include("Buy oat milk");
    await refocus(a);
    await row(a, "Buy oat milk").waitFor();
  });

  it("keeps the editor and its text when the to-do is deleted elsewhere, and restores it with the text", async () => {
    const [a, b] = [one.page, two.page];
    await row(b, "Call mum").locator(".title").dblclick();
    const editor = b.getByRole("textbox", { name: /Edit “Call mum”/ });
    await editor.fill("Call mum tonight");
    await row(a, "Call mum").getByRole("button", { name: "Delete “Call mum”" }).click();
    await settled(a);
    await refocus(b);
    await b.getByText("Deleted on another device").waitFor();
    expect(await editor.inputValue()).to.equal("Call mum tonight");
    expect(await b.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).to.equal("Call mum tonight");
    expect(await axeViolations(b)).to.deep.equal([]);
    await b.getByRole("button", { name: /Restore/ }).click();
    await row(b, "Call mum tonight").waitFor();
    await settled(b);
    expect((await serverTodos(b)).map((t) => t.title)).to.include("Call mum tonight");

    // Discard lets it go.
    await row(b, "Call mum tonight").locator(".title").dblclick();
    await b.getByRole("textbox", { name: /Edit “Call mum tonight”/ }).fill("never mind");
    await refocus(a);
    await row(a, "Call mum tonight").getByRole("button", { name: "Delete “Call mum tonight”" }).click();
    await settled(a);
    await refocus(b);
    await b.getByRole("button", { name: /Discard/ }).click();
    await row(b, "Call mum tonight").waitFor({ state: "detached" });
    await b.getByText("Deleted on another device").waitFor({ state: "detached" });
  });

  it("says where a to-do moved elsewhere under an open editor went, keeps the text, and saves it there", async () => {
    const [a, b] = [one.page, two.page];
    await row(b, "Buy oat milk").locator(".title").dblclick();
    const editor = b.getByRole("textbox", { name: /Edit “Buy oat milk”/ });
    await editor.fill("Buy oat milk, 2 litres");
    // Device one makes a list and moves the to-do there (through the API, as any client may).
    const lists = (await apiCall(a, "GET", "/api/lists")).body as { items: { id: string }[] };
    const shop = (await apiCall(a, "POST", "/api/lists", { name: "Shop" }, { "Idempotency-Key": "shop" })).body as { id: string };
    const todo = (await serverTodos(a)).find((t) => t.title === "Buy oat milk")!;
    const path = `/api/lists/${lists.items[0].id}/todos/${todo.id}`;
    expect((await apiCall(a, "PATCH", path, { listId: shop.id }, { "If-Match": `"${todo.version}"` })).status).to.equal(200);
    await refocus(b);
    await b.getByText("Moved to “Shop” on another device. Saving saves your text there.").waitFor();
    expect(await b.getByText("Deleted on another device").count()).to.equal(0);
    expect(await editor.inputValue()).to.equal("Buy oat milk, 2 litres");
    expect(await axeViolations(b)).to.deep.equal([]);

    await editor.press("Enter");
    await row(b, "Buy oat milk").waitFor({ state: "detached" });
    await settled(b);
    const inShop = (await apiCall(b, "GET", `/api/lists/${shop.id}/todos`)).body as { items: { id: string; title: string }[] };
    expect(inShop.items.map((t) => [t.id, t.title])).to.deep.equal([[todo.id, "Buy oat milk, 2 litres"]]);
    expect(await b.getByRole("region", { name: /Changed in two places/ }).count()).to.equal(0);
  });

  it("keeps an editor opened on a to-do not yet saved, and what is typed in it, when the server gives the to-do its id", async () => {
    const page = one.page;
    await one.context.setOffline(true);
    await page.getByLabel("What needs doing?").fill("Water the ferns");
    await page.getByLabel("What needs doing?").press("Enter");
    await row(page, "Water the ferns").locator(".title").dblclick();
    const editor = page.getByRole("textbox", { name: /Edit “Water the ferns”/ });
    await editor.fill("Water the ferns and the palm");
    expect(await row(page, "Water the ferns").getAttribute("data-id")).to.match(/^local-/);
    // Back online: the create is sent and answered while the editor is open and focused.
    await one.context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await onServer(page, "Water the ferns");
    await page.locator('#list > li:not([data-id^="local-"]) .edit-input').waitFor();
    expect(await editor.inputValue()).to.equal("Water the ferns and the palm");
    expect(await editor.evaluate((e) => e === document.activeElement)).to.equal(true);
    await editor.press("End");
    await page.keyboard.type("!");
    await editor.press("Enter");
    await row(page, "Water the ferns and the palm!").waitFor();
    await settled(page);
    expect((await serverTodos(page)).map((t) => t.title)).to.include("Water the ferns and the palm!");
    expect(await page.getByRole("region", { name: /Changed in two places/ }).count()).to.equal(0);
  });

  it("keeps an editor opened on a to-do whose adding is refused, with what is typed in it, to add again", async () => {
    const page = one.page;
    try {
      await one.context.setOffline(true);
      await page.getByLabel("What needs doing?").fill("Feed the cat");
      await page.getByLabel("What needs doing?").press("Enter");
      await row(page, "Feed the cat").locator(".title").dblclick();
      const editor = page.getByRole("textbox", { name: /Edit “Feed the cat”/ });
      await editor.fill("Feed the cat at six");
      // Back online, the server refuses the creation.
      await refuseCreates(page);
      await one.context.setOffline(false);
      await page.evaluate(() => window.dispatchEvent(new Event("online")));
      await page.locator("#message-text", { hasText: "Could not add “Feed the cat”: The title is not allowed." }).waitFor();
      await page.getByText("Not added: the server refused it").waitFor();
      expect(await editor.inputValue()).to.equal("Feed the cat at six");
      expect(await editor.evaluate((e) => e === document.activeElement)).to.equal(true);
      // The typed text is in the editor, not also put back into the add form.
      expect(await page.getByLabel("What needs doing?").inputValue()).to.equal("");
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.unroute(CREATE_ROUTE);
      await page.getByRole("button", { name: "Add again with my text" }).click();
      await row(page, "Feed the cat at six").and(page.locator(":not(.pending)")).waitFor();
      await settled(page);
      expect((await serverTodos(page)).map((t) => t.title))
        .to.include("Feed the cat at six")
        .and.not.include("Feed the cat");
      await page.getByRole("button", { name: "Dismiss" }).click();
    } finally {
      await page.unroute(CREATE_ROUTE);
      await one.context.setOffline(false);
    }
  });

  it("keeps an editor opened in another tab on a to-do not yet saved when the sending tab gets its id", async () => {
    const leader = one.page;
    const tab = await one.context.newPage();
    try {
      await tab.goto(stack.url);
      await expectTitles(tab, await titles(leader));
      // Only one tab sends (the leader, opened first); this one made the to-do and edits it.
      await one.context.setOffline(true);
      await tab.getByLabel("What needs doing?").fill("Oil the hinge");
      await tab.getByLabel("What needs doing?").press("Enter");
      await row(tab, "Oil the hinge").locator(".title").dblclick();
      const editor = tab.getByRole("textbox", { name: /Edit “Oil the hinge”/ });
      await editor.fill("Oil the gate hinge");
      expect(await row(tab, "Oil the hinge").getAttribute("data-id")).to.match(/^local-/);
      await one.context.setOffline(false);
      for (const p of [leader, tab]) await p.evaluate(() => window.dispatchEvent(new Event("online")));
      await onServer(tab, "Oil the hinge");
      await tab.locator('#list > li:not([data-id^="local-"]) .edit-input').waitFor();
      expect(await editor.inputValue()).to.equal("Oil the gate hinge");
      expect(await tab.getByText("Not added").count()).to.equal(0);
      await editor.press("Enter");
      await row(tab, "Oil the gate hinge").waitFor();
      await settled(leader);
      expect((await serverTodos(tab)).map((t) => t.title))
        .to.include("Oil the gate hinge")
        .and.not.include("Oil the hinge");
    } finally {
      await tab.close();
    }
  });

  it("leaves nothing of the person in the page or its storage after sign-out; the next person sees nothing of it", async () => {
    const page = one.page;
    await add(page, "Secret plan");
    await row(page, "Secret plan").locator(".title").dblclick();
    await page.getByRole("textbox", { name: /Edit “Secret plan”/ }).fill("Secret plan, version two");
    await page.keyboard.press("Enter");
    await settled(page);
    await page.getByLabel("What needs doing?").fill("half typed secret");
    await page.getByRole("button", { name: "Sign out" }).click();
    await form(page, "Sign in").waitFor();
    await page.waitForTimeout(200); // a late announcement would land by now
    const secrets = [A.email, "ada@", "Secret plan", "milk", "half typed", "Renamed"];
    const left = async () => {
      const held = await everything(page);
      const all = [held.dom, ...held.values, ...held.storage, ...held.idb, ...held.cached].join("\n");
      return secrets.filter((s) => all.toLowerCase().includes(s.toLowerCase()));
    };
    expect(await left()).to.deep.equal([]);

    await register(page, B.email, B.password);
    await signIn(page, B.email, B.password);
    await page.getByText("Nothing to do yet").waitFor();
    expect(await page.locator("#who-email").textContent()).to.equal(B.email);
    expect(await left()).to.deep.equal([]);
  });

  it("shares one e-mail across the sign-in forms, says locally that no account uses an unknown address, shows the account's e-mail, forgets it on request", async () => {
    const page = one.page;
    await page.getByRole("button", { name: "Sign out" }).click();
    const signInForm = form(page, "Sign in");
    await signInForm.getByLabel("E-mail").fill("old@example.com");
    await page.getByRole("button", { name: "Create an account" }).click();
    await form(page, "Create an account").getByLabel("E-mail").fill("new@example.com");
    await page.getByRole("button", { name: "I have an account: sign in" }).click();
    expect(await signInForm.getByLabel("E-mail").inputValue()).to.equal("new@example.com");

    await page.getByRole("button", { name: "Forgot your password?" }).click();
    const forgot = form(page, "Reset your password");
    expect(await forgot.getByLabel("E-mail").inputValue()).to.equal("new@example.com");
    expect(await forgot.textContent()).to.contain("printed in the terminal running npm start");
    await forgot.getByRole("button", { name: "Send code" }).click();
    await forgot.getByText("No account uses this e-mail address").waitFor();
    expect(await form(page, "Choose a new password").isHidden()).to.equal(true);
    await forgot.getByRole("button", { name: "Back to sign in" }).click();

    // Typed in capitals: the header shows the address as the account has it.
    await signIn(page, B.email.toUpperCase(), B.password);
    expect(await page.locator("#who-email").textContent()).to.equal(B.email);

    // The session ends on its own (its refresh token no longer works): the e-mail is offered again, with "Forget me".
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem("tasklane.session")!);
      localStorage.setItem("tasklane.session", JSON.stringify({ ...session, expiresAt: 0, refreshToken: "revoked" }));
    });
    await refocus(page);
    await signInForm.getByText("Your session has ended").waitFor();
    expect(await signInForm.getByLabel("E-mail").inputValue()).to.equal(B.email);
    await signInForm.getByRole("button", { name: "Forget me on this device" }).click();
    expect(await signInForm.getByLabel("E-mail").inputValue()).to.equal("");
    expect((await everything(page)).dom).to.not.contain(B.email);
  });
});
