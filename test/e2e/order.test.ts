/**
 * The manual order of a list's to-dos (issue 17) in Chromium against the whole local stack, on
 * two devices of one person (Kim's desktop and Kim's phone): a new to-do goes on top; Alt+Arrow
 * moves a to-do with focus kept on it, kept after a reload and seen by the other device after a
 * pull; a drag reorders and the server holds it; a to-do moves to another list, online and
 * offline. Each move rewrites the moved to-do only (fractional keys): every other to-do keeps
 * its version on the server. The tests run in order and share the two browsers (a story).
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";
import { add, apiCall, CODE, expectTitles, refocus, registerAndSignIn, row, settled, signIn, titles } from "./helpers";

const KIM = { email: "kim@example.com", password: "kim keeps things in order" };

interface ServerListTodo {
  id: string;
  title: string;
  version: number;
  position: string;
  listId?: string;
}

/** The list's to-dos as the server holds them, in its order (position keys, compared as strings). */
async function serverOrder(page: Page, listId: string): Promise<ServerListTodo[]> {
  const items: ServerListTodo[] = [];
  let cursor: string | null = null;
  do {
    const r = await apiCall(page, "GET", `/api/lists/${listId}/todos?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).to.equal(200);
    const body = r.body as { items: ServerListTodo[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

const versions = (todos: ServerListTodo[]) => Object.fromEntries(todos.map((t) => [t.title, t.version]));

/** What the server's to-dos other than `moved` were, and are: the same versions. */
function expectOnlyMovedRewritten(before: ServerListTodo[], after: ServerListTodo[], moved: string): void {
  const others = (todos: ServerListTodo[]) => versions(todos.filter((t) => t.title !== moved));
  expect(others(after)).to.deep.equal(others(before));
  const was = before.find((t) => t.title === moved);
  const now = after.find((t) => t.title === moved);
  if (was && now) expect(now.version).to.be.greaterThan(was.version);
}

const switcher = (page: Page) => page.getByRole("navigation", { name: "Lists" });

describe("the manual order of to-dos in Chromium (e2e)", function () {
  this.timeout(60_000);
  let stack: RunningStack;
  let desk: Person;
  let phone: Person;
  let inbox = "";
  let work = "";

  before(async () => {
    [stack, desk, phone] = await Promise.all([
      startStack({ confirmationCode: CODE, log: () => undefined }),
      openPerson({ locale: "en-GB" }),
      openPerson({ locale: "en-GB" }),
    ]);
  });

  after(async () => {
    await Promise.all([desk?.close(), phone?.close()]);
    await stack?.close();
  });

  it("puts a new to-do on top, on this device and on the server", async () => {
    const page = desk.page;
    await registerAndSignIn(page, stack.url, KIM);
    const lists = (await apiCall(page, "GET", "/api/lists")).body as { items: { id: string }[] };
    inbox = lists.items[0].id;
    for (const title of ["D", "C", "B", "A"]) await add(page, title);
    await expectTitles(page, ["A", "B", "C", "D"]);
    expect((await serverOrder(page, inbox)).map((t) => t.title)).to.deep.equal(["A", "B", "C", "D"]);
    await phone.page.goto(stack.url);
    await signIn(phone.page, KIM.email, KIM.password);
    await expectTitles(phone.page, ["A", "B", "C", "D"]);
  });

  it("moves a to-do down and up with Alt+Arrow keys, focus staying on it; one to-do rewritten", async () => {
    const page = desk.page;
    const before = await serverOrder(page, inbox);
    const box = row(page, "B").getByRole("checkbox");
    // The keyboard way is announced to assistive technology on the row's control.
    expect(await box.getAttribute("aria-keyshortcuts")).to.equal("Alt+ArrowUp Alt+ArrowDown");
    await box.focus();
    await page.keyboard.press("Alt+ArrowDown");
    await expectTitles(page, ["A", "C", "B", "D"]);
    await page.locator("#announce", { hasText: "“B” moved to place 3 of 4." }).waitFor({ state: "attached" });
    // Focus stays on the moved to-do's checkbox (what a screen-reader user was on).
    await page.waitForFunction(() => document.activeElement?.closest("li")?.querySelector(".title")?.textContent === "B");
    expect(await page.evaluate(() => document.activeElement?.className)).to.equal("toggle");
    await page.keyboard.press("Alt+ArrowDown");
    await expectTitles(page, ["A", "C", "D", "B"]);
    await page.waitForFunction(() => document.activeElement?.closest("li")?.querySelector(".title")?.textContent === "B");
    // At the bottom already: nothing moves.
    await page.keyboard.press("Alt+ArrowDown");
    await settled(page);
    await expectTitles(page, ["A", "C", "D", "B"]);
    // D up one, from its own checkbox.
    await row(page, "D").getByRole("checkbox").focus();
    await page.keyboard.press("Alt+ArrowUp");
    await expectTitles(page, ["A", "D", "C", "B"]);
    await page.waitForFunction(() => document.activeElement?.closest("li")?.querySelector(".title")?.textContent === "D");
    await settled(page);
    const after = await serverOrder(page, inbox);
    expect(after.map((t) => t.title)).to.deep.equal(["A", "D", "C", "B"]);
    // Only B and D were rewritten (B twice, D once); A and C keep their versions and keys.
    const v0 = versions(before);
    const v1 = versions(after);
    expect([v1.A, v1.C]).to.deep.equal([v0.A, v0.C]);
    expect(v1.B).to.equal(v0.B + 2);
    expect(v1.D).to.equal(v0.D + 1);
    const key = (todos: ServerListTodo[], title: string) => todos.find((t) => t.title === title)?.position;
    expect([key(after, "A"), key(after, "C")]).to.deep.equal([key(before, "A"), key(before, "C")]);
  });

  it("keeps the order after a reload, and the other device has it after a pull on focus", async () => {
    await desk.page.reload();
    await desk.page.locator("#loading").waitFor({ state: "hidden" });
    await expectTitles(desk.page, ["A", "D", "C", "B"]);
    await refocus(phone.page);
    await expectTitles(phone.page, ["A", "D", "C", "B"]);
    // And a move on the phone comes back to the desktop.
    await row(phone.page, "A").getByRole("checkbox").focus();
    await phone.page.keyboard.press("Alt+ArrowDown");
    await expectTitles(phone.page, ["D", "A", "C", "B"]);
    await settled(phone.page);
    await refocus(desk.page);
    await expectTitles(desk.page, ["D", "A", "C", "B"]);
  });

  it("reorders by drag and drop; the server holds it, with only the dragged to-do rewritten", async () => {
    const page = desk.page;
    const before = await serverOrder(page, inbox);
    // B (at the bottom) dropped on the top half of A's row: B goes above A.
    await row(page, "B").dragTo(row(page, "A"), { targetPosition: { x: 40, y: 2 } });
    await expectTitles(page, ["D", "B", "A", "C"]);
    await settled(page);
    const after = await serverOrder(page, inbox);
    expect(after.map((t) => t.title)).to.deep.equal(["D", "B", "A", "C"]);
    expectOnlyMovedRewritten(before, after, "B");
    // To the very top: dropped on the top half of the first row.
    await row(page, "C").dragTo(row(page, "D"), { targetPosition: { x: 40, y: 2 } });
    await expectTitles(page, ["C", "D", "B", "A"]);
    await settled(page);
    const top = await serverOrder(page, inbox);
    expect(top.map((t) => t.title)).to.deep.equal(["C", "D", "B", "A"]);
    expectOnlyMovedRewritten(after, top, "C");
    await refocus(phone.page);
    await expectTitles(phone.page, ["C", "D", "B", "A"]);
    // A new to-do still goes above one moved to the top.
    await add(page, "E");
    await expectTitles(page, ["E", "C", "D", "B", "A"]);
  });

  it("moves a to-do to another list: it leaves the first and shows in the second, on both devices", async () => {
    const page = desk.page;
    await page.getByLabel("New list", { exact: true }).fill("Work");
    await page.getByRole("button", { name: "Make list" }).click();
    await page.getByRole("heading", { name: "Work" }).waitFor();
    await settled(page);
    await add(page, "W");
    work = new URL(page.url()).searchParams.get("list") ?? "";
    expect(work).to.not.equal("");
    await switcher(page)
      .getByRole("link", { name: /^To-dos/ })
      .click();
    await page.getByRole("heading", { name: "To-dos" }).waitFor();
    const before = await serverOrder(page, inbox);
    await row(page, "D").getByRole("button", { name: "Edit “D”" }).click();
    const move = page.getByLabel("Move “D” to another list");
    expect(await move.locator("option").allTextContents()).to.deep.equal(["Move to another list…", "Work"]);
    await move.selectOption({ label: "Work" });
    await expectTitles(page, ["E", "C", "B", "A"]);
    await settled(page);
    const left = await serverOrder(page, inbox);
    expect(left.map((t) => t.title)).to.deep.equal(["E", "C", "B", "A"]);
    expect(versions(left)).to.deep.equal(versions(before.filter((t) => t.title !== "D")));
    expect((await serverOrder(page, work)).map((t) => t.title)).to.have.members(["D", "W"]);
    await switcher(page).getByRole("link", { name: /^Work/ }).click();
    await page.getByRole("heading", { name: "Work" }).waitFor();
    await expectTitles(
      page,
      (await serverOrder(page, work)).map((t) => t.title),
    );
    expect(await row(page, "D").count()).to.equal(1);

    await refocus(phone.page);
    await expectTitles(phone.page, ["E", "C", "B", "A"]);
    await switcher(phone.page).getByRole("link", { name: /^Work/ }).click();
    await phone.page.getByRole("heading", { name: "Work" }).waitFor();
    await expectTitles(phone.page, await titles(page));
  });

  it("moves a to-do to another list offline; back online, the move reaches the server and the other device", async () => {
    const page = desk.page;
    await switcher(page)
      .getByRole("link", { name: /^To-dos/ })
      .click();
    await page.getByRole("heading", { name: "To-dos" }).waitFor();
    await desk.context.setOffline(true);
    await row(page, "B").getByRole("button", { name: "Edit “B”" }).click();
    await page.getByLabel("Move “B” to another list").selectOption({ label: "Work" });
    await expectTitles(page, ["E", "C", "A"]);
    await page.locator("#waiting", { hasText: "1 change waiting" }).waitFor();
    // A reload offline keeps the move (the queue is in IndexedDB).
    await page.reload();
    await page.getByRole("heading", { name: "To-dos" }).waitFor();
    await expectTitles(page, ["E", "C", "A"]);
    await desk.context.setOffline(false);
    await refocus(page);
    await settled(page, 10_000);
    expect((await serverOrder(page, inbox)).map((t) => t.title)).to.deep.equal(["E", "C", "A"]);
    expect((await serverOrder(page, work)).map((t) => t.title)).to.have.members(["B", "D", "W"]);
    await refocus(phone.page);
    await expectTitles(
      phone.page,
      (await serverOrder(page, work)).map((t) => t.title),
    );
    await switcher(phone.page)
      .getByRole("link", { name: /^To-dos/ })
      .click();
    await expectTitles(phone.page, ["E", "C", "A"]);
  });
});
