/**
 * The web app in Debian's Chromium against the whole local stack (site + API + cognito-local +
 * dynalite on one origin), as two people: each registers, confirms, signs in and uses every
 * feature; neither sees the other's to-dos; failures roll back with a visible message.
 * The tests in this file run in order and share the two browsers (a story, not isolated units).
 * Screenshots go to screenshots/ (git-ignored).
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startStack, type RunningStack } from "../../local/stack";
import { openPerson, type Person } from "../../dev/browser";
import {
  add,
  apiCall,
  CODE,
  CREATE_ROUTE,
  due,
  expectTitles,
  failPatches,
  form,
  refocus,
  refuseCreates,
  registerAndSignIn,
  row,
  seed,
  serverTodos,
  SESSION_KEY,
  settled,
  signIn,
  titles,
} from "./helpers";

const SHOTS = join(__dirname, "../../screenshots");

/** Today where the browser is (same machine, same zone), as YYYY-MM-DD. */
function localToday(): string {
  const now = new Date();
  return [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
}
const A = { email: "ada@example.com", password: "analytical engine 1843" };
const B = { email: "bob@example.com", password: "bobs very long password" };

describe("web app in Chromium (e2e)", function () {
  this.timeout(30_000);
  let stack: RunningStack;
  let a: Person;
  let b: Person;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [stack, a, b] = await Promise.all([
      startStack({ confirmationCode: CODE, log: () => undefined }),
      // Two English variants: dates read "3 Mar 2031" for A and "Mar 3, 2031" for B.
      openPerson({ locale: "en-GB" }),
      openPerson({ width: 320, height: 640, locale: "en-US" }),
    ]);
  });

  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await stack?.close();
  });

  it("shows the sign-in screen to a visitor, with the password rules before submitting", async () => {
    const page = a.page;
    await page.goto(stack.url);
    await form(page, "Sign in").waitFor();
    await page.screenshot({ path: join(SHOTS, "signed-out.png"), fullPage: true });
    await page.getByRole("button", { name: "Create an account" }).click();
    const signUp = form(page, "Create an account");
    const password = signUp.getByLabel("Password");
    // The rule is visible, and tied to the field, before anything is typed.
    expect(await signUp.getByText("At least 12 characters").isVisible()).to.equal(true);
    expect(await password.getAttribute("aria-describedby")).to.contain("sign-up-password-rules");
    await signUp.getByLabel("E-mail").fill("not-an-email");
    await password.fill("short");
    await signUp.getByRole("button", { name: "Create account" }).click();
    expect(await signUp.locator("#sign-up-email-error").textContent()).to.contain("e-mail address");
    expect(await signUp.locator("#sign-up-password-error").textContent()).to.contain("at least 12 characters");
    expect(await password.getAttribute("aria-invalid")).to.equal("true");
    await page.getByRole("button", { name: "I have an account: sign in" }).click();
  });

  it("registers, confirms (after asking for a new code) and signs in person A", async () => {
    const page = a.page;
    await page.getByRole("button", { name: "Create an account" }).click();
    const signUp = form(page, "Create an account");
    await signUp.getByLabel("E-mail").fill(A.email);
    await signUp.getByLabel("Password").fill(A.password);
    await signUp.getByRole("button", { name: "Create account" }).click();
    const confirm = form(page, "Confirm your e-mail");
    await confirm.getByLabel("Code").fill("000000");
    await confirm.getByRole("button", { name: "Confirm" }).click();
    await confirm.locator("#confirm-code-error", { hasText: "code is not right" }).waitFor();
    // The local stack adds ResendConfirmationCode to cognito-local (fixed code), as AWS has it.
    await confirm.getByRole("button", { name: "Send the code again" }).click();
    await confirm.locator("#confirm-error", { hasText: "We sent a new code" }).waitFor();
    await confirm.getByLabel("Code").fill(CODE);
    await confirm.getByRole("button", { name: "Confirm" }).click();
    await form(page, "Sign in").getByText("Your account is confirmed").waitFor();
    // A wrong password is explained next to the password field.
    const signInForm = form(page, "Sign in");
    await signInForm.getByLabel("Password").fill("wrong password here");
    await signInForm.getByRole("button", { name: "Sign in" }).click();
    await signInForm.locator("#sign-in-password-error", { hasText: "not right" }).waitFor();
    await signIn(page, A.email, A.password);
    expect(await page.getByText(A.email).isVisible()).to.equal(true);
    expect(await page.getByText("Nothing to do yet").isVisible()).to.equal(true);
  });

  it("adds (Enter), edits in place, toggles, deletes, newest first, with a count", async () => {
    const page = a.page;
    for (const title of ["Buy milk", "Write report", "Call mum"]) await add(page, title);
    await expectTitles(page, ["Call mum", "Write report", "Buy milk"]);
    expect(await page.locator("#count").textContent()).to.equal("3 items left");
    expect(await page.getByLabel("What needs doing?").inputValue()).to.equal("");

    // Edit by double-click, Enter saves.
    await row(page, "Write report").locator(".title").dblclick();
    const editor = page.getByRole("textbox", { name: /Edit “Write report”/ });
    await editor.fill("Write the quarterly report");
    await editor.press("Enter");
    await settled(page);
    await expectTitles(page, ["Call mum", "Write the quarterly report", "Buy milk"]);
    // Edit with the button, Escape cancels.
    await row(page, "Buy milk").getByRole("button", { name: "Edit “Buy milk”" }).click();
    await page.keyboard.type(" and eggs");
    await page.keyboard.press("Escape");
    await expectTitles(page, ["Call mum", "Write the quarterly report", "Buy milk"]);
    // Focus returns to the edit button after the editor closes.
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.contain("Edit");

    await row(page, "Buy milk").getByRole("checkbox", { name: "Buy milk" }).check();
    await settled(page);
    expect(await page.locator("#count").textContent()).to.equal("2 items left");
    await row(page, "Call mum").getByRole("button", { name: "Delete “Call mum”" }).click();
    await settled(page);
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
    // Screen-reader users hear it (a polite live region).
    await page.locator("#announce", { hasText: "Deleted “Call mum”." }).waitFor({ state: "attached" });
  });

  it("filters All / Active / Completed with the filter in the URL", async () => {
    const page = a.page;
    await page.getByRole("link", { name: "Active" }).click();
    expect(page.url()).to.match(/#\/active$/);
    await expectTitles(page, ["Write the quarterly report"]);
    expect(await page.getByRole("link", { name: "Active" }).getAttribute("aria-current")).to.equal("page");
    await page.getByRole("link", { name: "Completed" }).click();
    await expectTitles(page, ["Buy milk"]);
    // The filter survives a reload: it is in the URL.
    await page.reload();
    await expectTitles(page, ["Buy milk"]);
    await page.getByRole("link", { name: "All" }).click();
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
    // Each switch is a step in the history, as a link's own navigation (the app makes it itself).
    await page.goBack();
    expect(page.url()).to.match(/#\/completed$/);
    await expectTitles(page, ["Buy milk"]);
    expect(await page.getByRole("link", { name: "Completed" }).getAttribute("aria-current")).to.equal("page");
    await page.goForward();
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
  });

  it("toggles all, then clears completed", async () => {
    const page = a.page;
    await add(page, "Water plants");
    await page.getByRole("button", { name: "Mark all as done" }).click();
    await settled(page);
    expect(await page.locator("#count").textContent()).to.equal("0 items left");
    expect(await page.locator("#list .toggle:checked").count()).to.equal(3);
    await page.getByRole("button", { name: "Mark all as not done" }).click();
    await settled(page);
    expect(await page.locator("#count").textContent()).to.equal("3 items left");
    await row(page, "Water plants").getByRole("checkbox").check();
    await settled(page);
    await page.getByRole("button", { name: "Clear completed" }).click();
    await settled(page);
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
    // The server agrees: the cleared one is gone there too.
    expect((await serverTodos(page)).map((t) => t.title)).to.deep.equal(["Write the quarterly report", "Buy milk"]);
  });

  it("adds, shows, changes and clears due dates; marks overdue ones; all survive a reload", async () => {
    const page = a.page;
    const today = localToday();
    const dueDate = page.getByLabel("Due date");
    expect(await dueDate.getAttribute("type")).to.equal("date");
    await add(page, "File taxes", "2031-03-03");
    await add(page, "Renew passport", "2020-01-15");
    await add(page, "Call the bank", today);
    // The form is empty again, date included; the announcement names the date.
    expect(await dueDate.inputValue()).to.equal("");
    await page.locator("#announce", { hasText: "Added “Call the bank”, due " }).waitFor({ state: "attached" });

    // Another year shows its year; this year's date does not. Only a past date is overdue.
    expect(await due(page, "File taxes").time.textContent()).to.equal("Due 3 Mar 2031");
    expect(await due(page, "File taxes").time.getAttribute("datetime")).to.equal("2031-03-03");
    expect(await due(page, "File taxes").overdue.isVisible()).to.equal(false);
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 15 Jan 2020");
    expect(await due(page, "Renew passport").overdue.isVisible()).to.equal(true);
    expect(await due(page, "Call the bank").time.getAttribute("datetime")).to.equal(today);
    expect(await due(page, "Call the bank").time.textContent()).to.equal("Due today"); // as a calendar reads it
    expect(await due(page, "Call the bank").overdue.isVisible()).to.equal(false);
    expect(await due(page, "Write the quarterly report").time.isVisible()).to.equal(false);
    // The checkbox is described by the date line, so screen readers hear "Overdue" too.
    const describedBy = await row(page, "Renew passport").getByRole("checkbox").getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).to.match(/Due 15 Jan 2020\s+Overdue/);
    // Done is never overdue.
    await row(page, "Renew passport").getByRole("checkbox").check();
    await settled(page);
    expect(await due(page, "Renew passport").overdue.isVisible()).to.equal(false);
    await row(page, "Renew passport").getByRole("checkbox").uncheck();
    await settled(page);
    expect(await due(page, "Renew passport").overdue.isVisible()).to.equal(true);
    await page.screenshot({ path: join(SHOTS, "due-dates.png"), fullPage: true });

    // Change the date in place: Enter saves.
    await row(page, "File taxes").locator(".title").dblclick();
    const taxDate = page.getByLabel(/Due date of “File taxes”/);
    expect(await taxDate.inputValue()).to.equal("2031-03-03");
    await page.screenshot({ path: join(SHOTS, "due-date-editor.png") });
    await taxDate.fill("2031-04-10");
    await taxDate.press("Enter");
    await settled(page);
    expect(await due(page, "File taxes").time.textContent()).to.equal("Due 10 Apr 2031");
    await page.locator("#announce", { hasText: "“File taxes” is now due 10 Apr 2031." }).waitFor({ state: "attached" });
    // Escape cancels a date change.
    await row(page, "Renew passport").getByRole("button", { name: "Edit “Renew passport”" }).click();
    await page.getByLabel(/Due date of “Renew passport”/).fill("2031-01-01");
    await page.getByLabel(/Due date of “Renew passport”/).press("Escape");
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 15 Jan 2020");
    // Clear it: "Clear date", then Enter.
    await row(page, "File taxes").getByRole("button", { name: "Edit “File taxes”" }).click();
    await page.getByRole("button", { name: "Clear date of “File taxes”" }).click();
    expect(await taxDate.inputValue()).to.equal("");
    await taxDate.press("Enter");
    await settled(page);
    expect(await due(page, "File taxes").time.isVisible()).to.equal(false);
    await page.locator("#announce", { hasText: "“File taxes” no longer has a due date." }).waitFor({ state: "attached" });
    // Leaving the editor saves it, as before.
    await row(page, "File taxes").locator(".title").dblclick();
    await page.keyboard.type(" 2030");
    await page.getByRole("heading", { name: "tasklane" }).click();
    await settled(page);
    await row(page, "File taxes 2030").waitFor();
    await row(page, "File taxes 2030").getByRole("button", { name: "Edit “File taxes 2030”" }).click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("File taxes");
    await page.keyboard.press("Enter");
    await settled(page);
    // Title and date in one edit; moving from the title to the date does not save early.
    await row(page, "Call the bank").getByRole("button", { name: "Edit “Call the bank”" }).click();
    await page.keyboard.type(" back");
    await page.keyboard.press("Tab");
    await page.getByLabel(/Due date of “Call the bank”/).fill("2031-12-24");
    await page.keyboard.press("Enter");
    await settled(page);
    expect(await due(page, "Call the bank back").time.textContent()).to.equal("Due 24 Dec 2031");

    // The server has exactly what the screen shows, and a reload shows it again.
    const dates = Object.fromEntries((await serverTodos(page)).map((t) => [t.title, t.dueDate]));
    expect(dates).to.deep.include({
      "File taxes": null,
      "Renew passport": "2020-01-15",
      "Call the bank back": "2031-12-24",
      "Write the quarterly report": null,
    });
    await page.reload();
    await page.locator("#loading").waitFor({ state: "hidden" });
    expect(await due(page, "File taxes").time.isVisible()).to.equal(false);
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 15 Jan 2020");
    expect(await due(page, "Renew passport").overdue.isVisible()).to.equal(true);
    expect(await due(page, "Call the bank back").time.textContent()).to.equal("Due 24 Dec 2031");
  });

  it("keeps a date change the server cannot take yet, rolls back one it refuses, and shows both sides of a conflict", async () => {
    const page = a.page;
    const date = page.getByLabel(/Due date of “Renew passport”/);
    // A 500: the change stays on screen, marked as not saved yet, and is saved once the server works.
    await failPatches(page, 500);
    await row(page, "Renew passport").getByRole("button", { name: "Edit “Renew passport”" }).click();
    await date.fill("2031-06-30");
    await date.press("Enter");
    await page.locator("#message-text", { hasText: "could not be saved yet: The server had a problem." }).waitFor();
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 30 Jun 2031");
    await page.locator("#waiting", { hasText: "1 change waiting to be saved" }).waitFor();
    await page.unroute("**/api/lists/*/todos/*");
    await refocus(page);
    await settled(page, 10_000);
    await page.locator("#message").waitFor({ state: "hidden" });

    // A 400 (refused for good): rolled back with a message; the editor re-opens with the date typed.
    await failPatches(page, 400);
    await row(page, "Renew passport").getByRole("button", { name: "Edit “Renew passport”" }).click();
    await date.fill("2031-07-01");
    await date.press("Enter");
    await page.locator("#message-text", { hasText: "Could not save the change to “Renew passport”: The change is not allowed." }).waitFor();
    await date.waitFor();
    expect(await date.inputValue()).to.equal("2031-07-01");
    await date.press("Escape");
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 30 Jun 2031");
    await page.unroute("**/api/lists/*/todos/*");
    await page.getByRole("button", { name: "Dismiss" }).click();

    // Another device moves the date while this page clears it: both versions are shown to choose.
    const target = (await serverTodos(page)).find((t) => t.title === "Renew passport")!;
    const other = await apiCall(page, "PATCH", `/api/todos/${target.id}`, { dueDate: "2031-02-02" }, { "If-Match": `"${target.version}"` });
    expect(other.status).to.equal(200);
    await row(page, "Renew passport").getByRole("button", { name: "Edit “Renew passport”" }).click();
    await date.fill("");
    await date.press("Enter");
    const conflict = page.getByRole("region", { name: /Changed in two places/ });
    await conflict.getByText("“Renew passport” was changed on another device").waitFor();
    expect(await conflict.textContent())
      .to.contain("due 2 Feb 2031")
      .and.contain("Yours“Renew passport”, not done");
    await conflict.getByRole("button", { name: "Keep theirs" }).click();
    await conflict.waitFor({ state: "hidden" });
    expect(await due(page, "Renew passport").time.textContent()).to.equal("Due 2 Feb 2031");
    expect(await due(page, "Renew passport").overdue.isVisible()).to.equal(false);

    // Leave the story's list as it was.
    for (const title of ["Call the bank back", "Renew passport", "File taxes"]) {
      await row(page, title)
        .getByRole("button", { name: `Delete “${title}”` })
        .click();
      await settled(page);
    }
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
  });

  it("keeps A signed in across a reload, with the same to-dos and states", async () => {
    const page = a.page;
    await row(page, "Buy milk").getByRole("checkbox").check();
    await settled(page);
    await page.reload();
    await page.locator("#loading").waitFor({ state: "hidden" });
    await expectTitles(page, ["Write the quarterly report", "Buy milk"]);
    expect(await row(page, "Buy milk").getByRole("checkbox").isChecked()).to.equal(true);
    expect(await row(page, "Write the quarterly report").getByRole("checkbox").isChecked()).to.equal(false);
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.screenshot({ path: join(SHOTS, "signed-in.png"), fullPage: true });
  });

  it("lets person B register at 320 px wide and never shows B what A has", async () => {
    const page = b.page;
    await registerAndSignIn(page, stack.url, B);
    expect(await page.getByText("Nothing to do yet").isVisible()).to.equal(true);
    await add(page, "Bob's secret plan", "2020-01-15");
    expect(await due(page, "Bob's secret plan").time.textContent()).to.equal("Due Jan 15, 2020");
    expect(await due(page, "Bob's secret plan").overdue.isVisible()).to.equal(true);
    // Nothing scrolls sideways at 320 px, editing included.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(320);
    await row(page, "Bob's secret plan").getByRole("button", { name: /Edit/ }).click();
    await page.getByLabel(/Due date of “Bob's secret plan”/).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(320);
    await page.screenshot({ path: join(SHOTS, "editing-320.png"), fullPage: true });
    await page.keyboard.press("Escape");
    await page.screenshot({ path: join(SHOTS, "signed-in-320.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(SHOTS, "signed-in-320-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    // A's to-do ids are not reachable by B either.
    const aId = (await serverTodos(a.page))[0].id;
    expect((await apiCall(page, "GET", `/api/todos/${aId}`)).status).to.equal(404);
    await page.reload();
    await expectTitles(page, ["Bob's secret plan"]);
    await a.page.reload();
    await a.page.locator("#loading").waitFor({ state: "hidden" });
    await expectTitles(a.page, ["Write the quarterly report", "Buy milk"]);
  });

  it("rolls back a change the API refuses, with a visible message, and keeps the typed text", async () => {
    const page = a.page;
    await failPatches(page, 400);
    const box = row(page, "Write the quarterly report").getByRole("checkbox");
    await box.click(); // not check(): that insists the box stays checked
    await page.getByRole("alert").filter({ hasText: "Could not save" }).waitFor();
    await page.waitForFunction(() => !document.querySelector("#list .toggle:checked[aria-label='Write the quarterly report']"));
    expect(await box.isChecked()).to.equal(false);
    expect(await page.locator("#message-text").textContent()).to.contain("The change is not allowed.");
    await page.screenshot({ path: join(SHOTS, "rolled-back.png") });
    // A refused edit re-opens the editor with the text typed.
    await row(page, "Write the quarterly report").getByRole("button", { name: /Edit/ }).click();
    await page.keyboard.press("End");
    await page.keyboard.type(" today");
    await page.keyboard.press("Enter");
    const editor = page.getByRole("textbox", { name: /Edit “Write the quarterly report”/ });
    await editor.waitFor();
    expect(await editor.inputValue()).to.equal("Write the quarterly report today");
    await editor.press("Escape");
    await page.unroute("**/api/lists/*/todos/*");

    // A refused creation puts the title back in the input.
    await refuseCreates(page);
    await page.getByLabel("What needs doing?").fill("Book dentist");
    await page.getByLabel("What needs doing?").press("Enter");
    await page.locator("#message-text", { hasText: "Could not add “Book dentist”: The title is not allowed." }).waitFor();
    expect(await page.getByLabel("What needs doing?").inputValue()).to.equal("Book dentist");
    expect(await row(page, "Book dentist").count()).to.equal(0);
    await page.unroute(CREATE_ROUTE);
    await page.getByRole("button", { name: "Dismiss" }).click();
    await page.getByLabel("What needs doing?").fill("");
  });

  it("merges a change made elsewhere to another field (412): both apply, nothing to choose", async () => {
    const page = a.page;
    const target = (await serverTodos(page)).find((t) => t.title === "Buy milk")!;
    // Someone else (another device) renames it: the page still holds the old version.
    const other = await apiCall(page, "PATCH", `/api/todos/${target.id}`, { title: "Buy oat milk" }, { "If-Match": `"${target.version}"` });
    expect(other.status).to.equal(200);
    await row(page, "Buy milk").getByRole("checkbox").click();
    await settled(page);
    await refocus(page);
    await expectTitles(page, ["Write the quarterly report", "Buy oat milk"]);
    // It was done: the click here made it not done, the rename there stays.
    expect(target.completed).to.equal(true);
    expect(await row(page, "Buy oat milk").getByRole("checkbox").isChecked()).to.equal(false);
    const server = (await serverTodos(page)).find((t) => t.id === target.id)!;
    expect([server.title, server.completed]).to.deep.equal(["Buy oat milk", false]);
    expect(await page.getByRole("region", { name: /Changed in two places/ }).isVisible()).to.equal(false);
  });

  it("shows when the connection is lost, and the whole list with an exact count (no pages)", async () => {
    const page = a.page;
    await a.context.setOffline(true);
    await page.getByText("You are offline").waitFor();
    await a.context.setOffline(false);
    await page.getByText("You are offline").waitFor({ state: "hidden" });

    // 55 more to-dos from elsewhere: all of them show, and the count is exact.
    await seed(
      page,
      Array.from({ length: 55 }, (_, i) => `Bulk ${i + 1}`),
    );
    await page.reload();
    await page.locator("#count", { hasText: "57 items left" }).waitFor();
    expect(await page.locator("#list > li").count()).to.equal(57);
    expect((await titles(page)).slice(-2)).to.deep.equal(["Write the quarterly report", "Buy oat milk"]);
  });

  it("signs out, then back in; the session is gone from storage in between", async () => {
    const page = a.page;
    const token = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "{}").idToken as string, SESSION_KEY);
    await page.getByRole("button", { name: "Sign out" }).click();
    await form(page, "Sign in").getByText("You are signed out").waitFor();
    expect(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY)).to.equal(null);
    await page.reload();
    await form(page, "Sign in").waitFor();
    await signIn(page, A.email, A.password);
    expect((await titles(page))[0]).to.equal("Bulk 55");
    // Tokens are never logged nor put in a URL.
    expect(a.logs.join("\n")).to.not.contain(token.slice(-20));
    expect(page.url()).to.not.contain(token.slice(-20));
  });

  it("refreshes a refused ID token with the refresh token; a refused refresh token means sign in again", async () => {
    const page = a.page;
    const setSession = (changes: Record<string, unknown>) =>
      page.evaluate(
        ({ key, changes }) => {
          localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? "{}"), ...changes }));
        },
        { key: SESSION_KEY, changes },
      );
    // An ID token the API refuses (401) although it looks unexpired: the page refreshes and retries.
    await setSession({ idToken: "not.a.token", expiresAt: Date.now() + 3_600_000 });
    await page.reload();
    await page.locator("#loading").waitFor({ state: "hidden" });
    expect((await titles(page))[0]).to.equal("Bulk 55");
    // The list is painted from the device before any network answer; the refresh follows the
    // first API call's 401, so wait for it rather than read storage at once.
    await page.waitForFunction(
      (key) => (JSON.parse(localStorage.getItem(key) ?? "{}") as { idToken?: string }).idToken !== "not.a.token",
      SESSION_KEY,
      { timeout: 10_000 },
    );
    const stored = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "{}").idToken, SESSION_KEY);
    expect(stored).to.be.a("string").and.not.equal("not.a.token");
    // A refresh token Cognito refuses: back to the sign-in form, with the reason.
    await setSession({ idToken: "not.a.token", refreshToken: "revoked", expiresAt: 0 });
    await page.reload();
    await form(page, "Sign in").getByText("Your session has ended").waitFor();
    expect(await form(page, "Sign in").getByLabel("E-mail").inputValue()).to.equal(A.email);
  });

  it("resets a forgotten password and signs in with the new one", async () => {
    const page = b.page;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Forgot your password?" }).click();
    const forgot = form(page, "Reset your password");
    // Signing out forgets the e-mail too (a shared computer): nothing of B is left in the form.
    expect(await forgot.getByLabel("E-mail").inputValue()).to.equal("");
    await forgot.getByLabel("E-mail").fill(B.email);
    await forgot.getByRole("button", { name: "Send code" }).click();
    const reset = form(page, "Choose a new password");
    await reset.getByLabel("Code").fill(CODE);
    await reset.getByLabel("New password").fill("a brand new passphrase");
    await reset.getByRole("button", { name: "Save new password" }).click();
    await form(page, "Sign in").getByText("Your password is changed").waitFor();
    await signIn(page, B.email, "a brand new passphrase");
    await expectTitles(page, ["Bob's secret plan"]);
    // No script error and no Content-Security-Policy / Trusted Types violation in either browser.
    const problems = [...a.logs, ...b.logs].filter((l) => /^pageerror|Content Security Policy|Trusted Type/i.test(l));
    expect(problems).to.deep.equal([]);
  });
});
