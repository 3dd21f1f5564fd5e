/**
 * What people expect of a to-do app (issue 19): search over the device copy, a view of what is
 * due (overdue and today first, read like a calendar), and keyboard shortcuts listed in a help
 * dialog.
 */
import { expect } from "chai";
import { add, expectTitles, register, row, signIn, stackAndPerson } from "./helpers";

const localToday = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

describe("search, the Due view and keyboard shortcuts (e2e)", function () {
  this.timeout(90_000);
  const the = stackAndPerson();

  before(async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    await register(page, "finder@example.com", "finder finder password");
    await signIn(page, "finder@example.com", "finder finder password");
    await add(page, "Buy milk", "2031-05-01");
    await add(page, "Call Zoë");
    await add(page, "Pay rent", localToday());
    await add(page, "File taxes", "2020-01-15");
    await row(page, "Buy milk").getByRole("checkbox").check();
  });

  it("finds to-dos by any of their words, ignoring case and accents; Escape shows all again", async () => {
    const { page } = the.person;
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("/");
    const search = page.getByRole("searchbox", { name: "Search to-dos" });
    expect(await search.evaluate((e) => e === document.activeElement)).to.equal(true);
    await page.keyboard.type("zoe");
    await expectTitles(page, ["Call Zoë"]);
    await search.fill("PAY r");
    await expectTitles(page, ["Pay rent"]);
    await search.fill("nothing like this");
    await expectTitles(page, []);
    await page.getByText("No to-dos match “nothing like this”.").waitFor();
    await search.press("Escape");
    await expectTitles(page, ["File taxes", "Pay rent", "Call Zoë", "Buy milk"]);
  });

  it("shows what is due, soonest first and not done, in calendar words", async () => {
    const { page } = the.person;
    await page.getByRole("link", { name: "Due", exact: true }).click();
    await expectTitles(page, ["File taxes", "Pay rent"]); // overdue, then today; done and undated left out
    expect(await row(page, "Pay rent").locator(".due time").textContent()).to.equal("Due today");
    expect(await row(page, "File taxes").getByText("Overdue", { exact: true }).isVisible()).to.equal(true);
    await page.getByRole("link", { name: "All", exact: true }).click();
    await expectTitles(page, ["File taxes", "Pay rent", "Call Zoë", "Buy milk"]);
  });

  it("moves between rows with j and k, jumps to the add field with n, and lists every shortcut on ?", async () => {
    const { page } = the.person;
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("j");
    const focusedTitle = () => page.evaluate(() => document.activeElement?.closest("li")?.querySelector(".title")?.textContent ?? null);
    expect(await focusedTitle()).to.equal("File taxes");
    await page.keyboard.press("j");
    await page.keyboard.press("ArrowDown");
    expect(await focusedTitle()).to.equal("Call Zoë");
    await page.keyboard.press("k");
    expect(await focusedTitle()).to.equal("Pay rent");
    await page.keyboard.press("n");
    expect(await page.getByLabel("What needs doing?").evaluate((e) => e === document.activeElement)).to.equal(true);
    // Typed in a field, the same letters are text, not shortcuts.
    await page.keyboard.type("jk?/");
    expect(await page.getByLabel("What needs doing?").inputValue()).to.equal("jk?/");
    await page.getByLabel("What needs doing?").fill("");
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    for (const does of ["New to-do", "Search", "Next to-do", "Previous to-do", "These shortcuts"])
      await help.getByText(does, { exact: true }).waitFor();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
  });
});
