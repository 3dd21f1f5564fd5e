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
import { openPerson, type Person } from "./browser";
import { CODE, SESSION_KEY, add, apiCall, expectTitles, form, register, row, settled, signIn, titles } from "./helpers";

const SHOTS = join(__dirname, "../../screenshots");
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
      openPerson(),
      openPerson({ width: 320, height: 640 }),
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
    const list = await apiCall(page, "GET", "/api/todos");
    expect(list.body.items.map((t: { title: string }) => t.title)).to.deep.equal(["Write the quarterly report", "Buy milk"]);
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
    await page.goto(stack.url);
    await register(page, B.email, B.password);
    await signIn(page, B.email, B.password);
    expect(await page.getByText("Nothing to do yet").isVisible()).to.equal(true);
    await add(page, "Bob's secret plan");
    // Nothing scrolls sideways at 320 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(320);
    await page.screenshot({ path: join(SHOTS, "signed-in-320.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(SHOTS, "signed-in-320-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    // A's to-do ids are not reachable by B either.
    const aList = await apiCall(a.page, "GET", "/api/todos");
    const aId = aList.body.items[0].id as string;
    expect((await apiCall(page, "GET", `/api/todos/${aId}`)).status).to.equal(404);
    await page.reload();
    await expectTitles(page, ["Bob's secret plan"]);
    await a.page.reload();
    await a.page.locator("#loading").waitFor({ state: "hidden" });
    await expectTitles(a.page, ["Write the quarterly report", "Buy milk"]);
  });

  it("rolls back a change the API refuses, with a visible message, and keeps the typed text", async () => {
    const page = a.page;
    await page.route("**/api/todos/*", (route) =>
      route.request().method() === "PATCH"
        ? route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "The server had a problem.", details: [], requestId: "x" } }) })
        : route.continue(),
    );
    const box = row(page, "Write the quarterly report").getByRole("checkbox");
    await box.click(); // not check(): that insists the box stays checked
    await page.getByRole("alert").filter({ hasText: "Could not save" }).waitFor();
    expect(await box.isChecked()).to.equal(false);
    expect(await page.locator("#message-text").textContent()).to.contain("The server had a problem.");
    await page.screenshot({ path: join(SHOTS, "rolled-back.png") });
    // A failed edit re-opens the editor with the text typed.
    await row(page, "Write the quarterly report").getByRole("button", { name: /Edit/ }).click();
    await page.keyboard.press("End");
    await page.keyboard.type(" today");
    await page.keyboard.press("Enter");
    const editor = page.getByRole("textbox", { name: /Edit “Write the quarterly report”/ });
    await editor.waitFor();
    expect(await editor.inputValue()).to.equal("Write the quarterly report today");
    await editor.press("Escape");
    await page.unroute("**/api/todos/*");

    // A refused creation puts the title back in the input.
    await page.route("**/api/todos", (route) => (route.request().method() === "POST" ? route.abort("connectionrefused") : route.continue()));
    await page.getByLabel("What needs doing?").fill("Book dentist");
    await page.getByLabel("What needs doing?").press("Enter");
    await page.locator("#message-text", { hasText: "could not be reached" }).waitFor();
    expect(await page.getByLabel("What needs doing?").inputValue()).to.equal("Book dentist");
    expect(await row(page, "Book dentist").count()).to.equal(0);
    await page.unroute("**/api/todos");
    await page.getByRole("button", { name: "Dismiss" }).click();
    await page.getByLabel("What needs doing?").fill("");
  });

  it("shows a conflict (412): reloads that to-do and says so", async () => {
    const page = a.page;
    const list = await apiCall(page, "GET", "/api/todos");
    const target = list.body.items.find((t: { title: string }) => t.title === "Buy milk");
    // Someone else (another tab) renames it: the page still holds the old version.
    const other = await apiCall(page, "PATCH", `/api/todos/${target.id}`, { title: "Buy oat milk" }, { "If-Match": `"${target.version}"` });
    expect(other.status).to.equal(200);
    await row(page, "Buy milk").getByRole("checkbox").click();
    await page.locator("#message-text", { hasText: "changed somewhere else" }).waitFor();
    await expectTitles(page, ["Write the quarterly report", "Buy oat milk"]);
    expect(await row(page, "Buy oat milk").getByRole("checkbox").isChecked()).to.equal(true);
  });

  it("shows when the connection is lost, and loads more when a page ends", async () => {
    const page = a.page;
    await a.context.setOffline(true);
    await page.getByText("You are offline").waitFor();
    await a.context.setOffline(false);
    await page.getByText("You are offline").waitFor({ state: "hidden" });

    // 55 more to-dos: the first page holds 50.
    await page.evaluate(async (key) => {
      const { idToken } = JSON.parse(localStorage.getItem(key) ?? "{}");
      for (let i = 1; i <= 55; i++) {
        await fetch("/api/todos", { method: "POST", headers: { Authorization: idToken, "Content-Type": "application/json" }, body: JSON.stringify({ title: `Bulk ${i}` }) });
      }
    }, SESSION_KEY);
    await page.reload();
    await page.locator("#loading").waitFor({ state: "hidden" });
    expect(await page.locator("#list > li").count()).to.equal(50);
    expect(await page.locator("#count").textContent()).to.equal("50 items left so far");
    await page.getByRole("button", { name: "Load more" }).click();
    await page.getByRole("button", { name: "Load more" }).waitFor({ state: "hidden" });
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
      page.evaluate(({ key, changes }) => {
        localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? "{}"), ...changes }));
      }, { key: SESSION_KEY, changes });
    // An ID token the API refuses (401) although it looks unexpired: the page refreshes and retries.
    await setSession({ idToken: "not.a.token", expiresAt: Date.now() + 3_600_000 });
    await page.reload();
    await page.locator("#loading").waitFor({ state: "hidden" });
    expect((await titles(page))[0]).to.equal("Bulk 55");
    const stored = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "{}").idToken, SESSION_KEY);
    expect(stored).to.not.equal("not.a.token");
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
    expect(await forgot.getByLabel("E-mail").inputValue()).to.equal(B.email);
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
