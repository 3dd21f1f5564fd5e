/**
 * What a person does on the site, as steps the browser tests reuse. Locators go by role and
 * accessible name (what a screen-reader user hears), so the tests also check the labelling.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";

export const CODE = "246810";
export const SESSION_KEY = "tasklane.session";

export const form = (page: Page, name: string): Locator => page.getByRole("form", { name });

export async function register(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole("button", { name: "Create an account" }).click();
  const signUp = form(page, "Create an account");
  await signUp.getByLabel("E-mail").fill(email);
  await signUp.getByLabel("Password").fill(password);
  await signUp.getByRole("button", { name: "Create account" }).click();
  const confirm = form(page, "Confirm your e-mail");
  await confirm.waitFor();
  expect(await confirm.getByLabel("E-mail").inputValue()).to.equal(email);
  await confirm.getByLabel("Code").fill(CODE);
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await form(page, "Sign in").getByText("Your account is confirmed").waitFor();
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  const signInForm = form(page, "Sign in");
  await signInForm.getByLabel("E-mail").fill(email);
  await signInForm.getByLabel("Password").fill(password);
  await signInForm.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("What needs doing?").waitFor();
  await page.locator("#loading").waitFor({ state: "hidden" });
}

/** Adds a to-do with Enter in the title field, with a due date (YYYY-MM-DD) when given. */
export async function add(page: Page, title: string, dueDate?: string): Promise<void> {
  if (dueDate) await page.getByLabel("Due date").fill(dueDate);
  await page.getByLabel("What needs doing?").fill(title);
  await page.getByLabel("What needs doing?").press("Enter");
  // Confirmed by the API: the row is no longer pending, nothing waits to be sent.
  await row(page, title).and(page.locator(":not(.pending)")).waitFor();
  await settled(page);
}

export const row = (page: Page, title: string): Locator =>
  page.locator("#list > li").filter({ has: page.locator(".title", { hasText: new RegExp(`^${escape(title)}$`) }) });

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A to-do's due-date line: its <time> element, and the "Overdue" mark beside it. */
export const due = (page: Page, title: string) => ({
  time: row(page, title).locator(".due time"),
  overdue: row(page, title).getByText("Overdue", { exact: true }),
});

/** The titles on screen, top to bottom. */
export const titles = (page: Page): Promise<string[]> => page.locator("#list .title").allTextContents();

/** Waits until the titles on screen are exactly these. */
export async function expectTitles(page: Page, expected: string[]): Promise<void> {
  await page
    .waitForFunction(
      (want) => JSON.stringify(Array.from(document.querySelectorAll("#list .title"), (e) => e.textContent)) === want,
      JSON.stringify(expected),
      { timeout: 5000 },
    )
    .catch(async () => expect(await titles(page)).to.deep.equal(expected));
}

/**
 * Waits until nothing waits to be sent (the server has every change) and no request is in flight.
 * An offer to undo is closed first (the change is final): the person's other way to send it now.
 */
export async function settled(page: Page, timeout = 5000): Promise<void> {
  // A change offered for undo waits UNDO_MS before it is sent; closing the offer sends it now.
  const close = page.locator("#undo-close");
  if (await close.isVisible()) await close.click();
  await page.waitForFunction(
    () => !document.querySelector("#list .unsaved") && document.getElementById("waiting")?.textContent === "",
    null,
    {
      timeout,
    },
  );
  await page.waitForLoadState("networkidle");
}

/** Every to-do the server holds for the signed-in person, newest first (all pages). */
export async function serverTodos(page: Page): Promise<ServerTodo[]> {
  const all: ServerTodo[] = [];
  let cursor: string | null = null;
  do {
    const r = await apiCall(page, "GET", `/api/todos?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    const body = r.body as { items: ServerTodo[]; nextCursor: string | null };
    all.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return all;
}
/** Waits (up to 15 s) until the server holds a to-do with this title: a change made offline has been sent. */
export async function onServer(page: Page, title: string): Promise<void> {
  for (const end = Date.now() + 15_000; !(await serverTodos(page)).some((t) => t.title === title);) {
    if (Date.now() > end) throw new Error(`“${title}” was not sent`);
    await page.waitForTimeout(200);
  }
}

/** Where the site creates to-dos (POST). */
export const CREATE_ROUTE = "**/api/lists/*/todos";

/** The server refuses every new to-do from now on (400, "The title is not allowed."): `page.unroute(CREATE_ROUTE)` ends it. */
export const refuseCreates = async (page: Page): Promise<void> => {
  await page.route(CREATE_ROUTE, (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 400,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "validation_failed", message: "The title is not allowed.", details: [], requestId: "x" } }),
        })
      : route.continue(),
  );
};

/** Opens the site, registers this person and signs them in. */
export async function registerAndSignIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(url);
  await register(page, who.email, who.password);
  await signIn(page, who.email, who.password);
}

export interface ServerTodo {
  id: string;
  title: string;
  completed: boolean;
  version: number;
  dueDate: string | null;
}

/** Creates to-dos through the API, oldest first (as another device would). */
export async function seed(page: Page, titles: string[], completed = false): Promise<void> {
  await page.evaluate(
    async ({ key, titles, completed }) => {
      const { idToken } = JSON.parse(localStorage.getItem(key) ?? "{}") as { idToken: string };
      for (const title of titles) {
        const r = await fetch("/api/todos", {
          method: "POST",
          headers: { Authorization: idToken, "Content-Type": "application/json" },
          body: JSON.stringify({ title, completed }),
        });
        if (r.status !== 201) throw new Error(`seed: ${r.status}`);
      }
    },
    { key: SESSION_KEY, titles, completed },
  );
}

/** What a person does to look at a tab again (the app catches up on focus). */
export const refocus = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));

/** Calls the API from inside the page, as the signed-in person (setting up data quickly). */
export async function apiCall(page: Page, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return page.evaluate(
    async ({ method, path, body, headers, key }) => {
      const session = JSON.parse(localStorage.getItem(key) ?? "{}");
      const response = await fetch(path, {
        method,
        headers: { Authorization: session.idToken, ...(body !== undefined && { "Content-Type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    },
    { method, path, body, headers, key: SESSION_KEY },
  );
}

/**
 * Makes every PATCH of a to-do fail in the API's error shape (undo with page.unroute): 500 (the
 * app keeps the change and retries) or 400 (refused for good: the app rolls it back).
 */
export async function failPatches(page: Page, status = 500): Promise<void> {
  const message = status === 400 ? "The change is not allowed." : "The server had a problem.";
  await page.route("**/api/lists/*/todos/*", (route) =>
    route.request().method() === "PATCH"
      ? route.fulfill({
          status,
          contentType: "application/json",
          body: JSON.stringify({
            error: { code: status === 400 ? "validation_failed" : "internal", message, details: [], requestId: "x" },
          }),
        })
      : route.continue(),
  );
}

/**
 * axe-core's violations on the page (WCAG 2.x A/AA rules). axe-core is a devDependency (Lighthouse
 * brings the same one); it is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
}

/**
 * One local stack and one browser for a describe block, started in its `before` and closed in its
 * `after`; read them inside the tests (they exist from `before` on).
 */
export function stackAndPerson(): { readonly stack: RunningStack; readonly person: Person } {
  const the = {} as { stack: RunningStack; person: Person };
  before(async () => {
    [the.stack, the.person] = await Promise.all([startStack({ confirmationCode: CODE, log: () => undefined }), openPerson()]);
  });
  after(async () => {
    await the.person?.close();
    await the.stack?.close();
  });
  return the;
}
