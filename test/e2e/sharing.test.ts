/**
 * Lists and sharing (issue 17) in Chromium against the whole local stack, as two people: Ann (a
 * desktop, the list switcher as a sidebar) and Ben (320 px, the switcher as a drawer). A list
 * made offline syncs once; Ann shares it; Ben accepts the invitation and edits; each sees the
 * other's edit after a pull on focus; as a viewer Ben has no way to edit; removed, Ben's device
 * drops the list and its to-dos. axe finds nothing on the switcher, the drawer and the dialog.
 * The tests run in order and share the two browsers (a story).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { startStack, type RunningStack } from "../../local/stack";
import { deviceRecords, openPerson, type Person } from "../../dev/browser";
import { add, apiCall, CODE, expectTitles, refocus, registerAndSignIn, row, settled } from "./helpers";

const ANN = { email: "ann@example.com", password: "ann has a long password" };
const BEN = { email: "ben@example.com", password: "ben has a long password" };

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
}

/** The list switcher's links: "name n to do". */
const switcher = (page: Page) => page.getByRole("navigation", { name: "Lists" });
/** What the device keeps in IndexedDB: the lists' ids and every to-do's list and title. */
const deviceCopy = async (page: Page) => ({
  lists: (await deviceRecords<{ id: string }>(page, "lists")).map((l) => l.id),
  todos: (await deviceRecords<{ listId: string; title: string }>(page, "todos")).map((x) => `${x.listId} ${x.title}`),
});

describe("lists and sharing in Chromium (e2e)", function () {
  this.timeout(60_000);
  let stack: RunningStack;
  let ann: Person;
  let ben: Person;
  let listId = "";
  const annRequests: string[] = [];

  before(async () => {
    [stack, ann, ben] = await Promise.all([
      startStack({ confirmationCode: CODE, log: () => undefined }),
      openPerson({ locale: "en-GB" }),
      openPerson({ width: 320, height: 640, locale: "en-GB" }),
    ]);
    ann.page.on("request", (r) => r.url().includes("/api/") && annRequests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  });

  after(async () => {
    await Promise.all([ann?.close(), ben?.close()]);
    await stack?.close();
  });

  it("makes a list offline, with a to-do in it; back online, each is created once", async () => {
    for (const [person, who] of [
      [ann, ANN],
      [ben, BEN],
    ] as const) {
      await registerAndSignIn(person.page, stack.url, who);
    }
    const page = ann.page;
    await switcher(page)
      .getByRole("link", { name: /^To-dos/ })
      .waitFor();
    await ann.context.setOffline(true);
    await page.getByLabel("New list", { exact: true }).fill("Groceries");
    await page.getByRole("button", { name: "Make list" }).click();
    await page.getByRole("heading", { name: "Groceries" }).waitFor();
    await page.getByLabel("What needs doing?").fill("Milk");
    await page.getByLabel("What needs doing?").press("Enter");
    await page.locator("#waiting", { hasText: "2 changes waiting" }).waitFor();
    // A reload offline keeps both (the service worker opens the app, IndexedDB has the queue).
    await page.reload();
    await page.getByRole("heading", { name: "Groceries" }).waitFor();
    await expectTitles(page, ["Milk"]);
    annRequests.length = 0;
    await ann.context.setOffline(false);
    await refocus(page);
    await settled(page, 10_000);
    expect(annRequests.filter((r) => r === "POST /api/lists")).to.have.length(1);
    expect(annRequests.filter((r) => /^POST \/api\/lists\/[^/]+\/todos$/.test(r))).to.have.length(1);
    const lists = (await apiCall(page, "GET", "/api/lists")).body as { items: { id: string; name: string }[] };
    expect(lists.items.map((l) => l.name)).to.deep.equal(["To-dos", "Groceries"]);
    listId = lists.items[1].id;
    // The URL names the list by its real id now.
    expect(new URL(page.url()).searchParams.get("list")).to.equal(listId);
    const todos = (await apiCall(page, "GET", `/api/lists/${listId}/todos`)).body as { items: { title: string }[] };
    expect(todos.items.map((t) => t.title)).to.deep.equal(["Milk"]);
    expect(await switcher(page).getByRole("link", { name: "Groceries 1 to do" }).getAttribute("aria-current")).to.equal("page");
  });

  it("shares the list: Ann invites Ben as an editor, Ben accepts and sees its to-dos", async () => {
    await ann.page.getByRole("button", { name: "Share" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Share “Groceries”" });
    await dialog.getByLabel("E-mail").fill(BEN.email);
    await dialog.getByLabel("Role", { exact: true }).selectOption("editor");
    await dialog.getByRole("button", { name: "Invite" }).click();
    await settled(ann.page);
    expect(await axeViolations(ann.page)).to.deep.equal([]);
    await dialog.getByRole("button", { name: "Close" }).click();

    const page = ben.page;
    await refocus(page);
    const invitations = page.getByRole("region", { name: "Invitations" });
    await invitations.getByText(`${ANN.email} invites you to “Groceries” as editor.`).waitFor();
    await invitations.getByRole("button", { name: "Accept “Groceries”" }).click();
    await page.getByRole("heading", { name: "Groceries" }).waitFor();
    await expectTitles(page, ["Milk"]);
    expect(await page.locator("#list-people").textContent()).to.equal(`Shared with ${ANN.email}`);
  });

  it("shows one's edit on the other's device after a pull on focus, with its last editor", async () => {
    await add(ben.page, "Eggs");
    await refocus(ann.page);
    await expectTitles(ann.page, ["Eggs", "Milk"]);
    expect(await row(ann.page, "Eggs").locator(".by").textContent()).to.equal(` · changed by ${BEN.email}`);
    await row(ann.page, "Milk").getByRole("checkbox").check();
    await settled(ann.page);
    await refocus(ben.page);
    await row(ben.page, "Milk").and(ben.page.locator(".done")).waitFor();
  });

  it("opens the switcher as a drawer at 320 px, with focus inside, and gives focus back on Escape", async () => {
    const page = ben.page;
    const opener = page.getByRole("button", { name: "Lists", exact: true });
    await opener.click();
    expect(await opener.getAttribute("aria-expanded")).to.equal("true");
    expect(await page.evaluate(() => document.activeElement?.closest("nav")?.getAttribute("aria-labelledby"))).to.equal("lists-title");
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.keyboard.press("Escape");
    expect(await opener.getAttribute("aria-expanded")).to.equal("false");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("lists-open");
  });

  it("gives a viewer no way to edit", async () => {
    await ann.page.getByRole("button", { name: "Share" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Share “Groceries”" });
    await dialog.getByLabel(`Role of ${BEN.email}`).selectOption("viewer");
    await settled(ann.page);
    await dialog.getByRole("button", { name: "Close" }).click();
    const page = ben.page;
    await refocus(page);
    await page.getByText("You can view this list.").waitFor();
    expect(await page.getByLabel("What needs doing?").isVisible()).to.equal(false);
    expect(await page.getByRole("button", { name: /^Delete/ }).count()).to.equal(0);
    expect(await page.getByRole("button", { name: /^Edit/ }).count()).to.equal(0);
    expect(await page.getByRole("button", { name: "Mark all as done" }).isVisible()).to.equal(false);
    const boxes = page.locator("#list .toggle");
    expect(await boxes.count()).to.equal(2);
    for (const box of await boxes.all()) expect(await box.isDisabled()).to.equal(true);
  });

  it("says in words when the server refuses a viewer's change (403), and rolls it back", async () => {
    const page = ben.page;
    // A change queued before the viewer's screen showed (another tab, say): the API says 403.
    await page.evaluate(() => {
      const box = document.querySelector<HTMLInputElement>("#list .toggle")!;
      box.disabled = false;
      box.click();
    });
    await page.getByText("you can only view this list. Ask its owner to make you an editor.").waitFor();
    await settled(page);
    expect(await page.locator("#list .done").count()).to.equal(1);
  });

  it("empties the list from a removed member's device on their next sync", async () => {
    // Before the removal (after it, a poke may already have emptied it: the push channel is up).
    expect((await deviceCopy(ben.page)).lists).to.include(listId);
    await ann.page.getByRole("button", { name: "Share" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Share “Groceries”" });
    await dialog.getByRole("button", { name: `Remove ${BEN.email}` }).click();
    await settled(ann.page);
    await dialog.getByRole("button", { name: "Close" }).click();
    const page = ben.page;
    await refocus(page);
    await page.getByRole("heading", { name: "To-dos" }).waitFor();
    await page.getByRole("button", { name: "Lists", exact: true }).click();
    expect(await switcher(page).getByRole("link").allTextContents()).to.deep.equal(["To-dos 0 to do"]);
    const copy = await deviceCopy(page);
    expect(copy.lists).to.not.include(listId);
    expect(copy.todos.filter((t) => t.startsWith(listId))).to.deep.equal([]);
  });
});
