/**
 * Undo (issue 19): delete, "Clear completed" and "Mark all" offer Undo for about 10 s, by the
 * button or Ctrl+Z; undo restores exactly what was there (the same to-dos, ids and versions on
 * the server: nothing was sent), and an offer left alone is sent when it ends.
 */
import { expect } from "chai";
import { add, expectTitles, register, row, serverTodos, signIn, stackAndPerson, type ServerTodo } from "./helpers";

describe("undo (e2e)", function () {
  this.timeout(90_000);
  const the = stackAndPerson();
  const bar = () => the.person.page.locator("#undo");
  const byTitle = (todos: ServerTodo[]) =>
    Object.fromEntries(todos.map((t) => [t.title, { id: t.id, version: t.version, completed: t.completed }]));

  before(async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    await register(page, "undo@example.com", "undo undo password");
    await signIn(page, "undo@example.com", "undo undo password");
    for (const title of ["Milk", "Eggs", "Bread"]) await add(page, title);
    await row(page, "Eggs").getByRole("checkbox").check();
  });

  it("undoes a delete with Ctrl+Z: the same to-do comes back, and the server never saw it go", async () => {
    const { page } = the.person;
    // Until the server has Eggs done, nothing else is queued behind the delete.
    await page.waitForFunction(() => document.getElementById("waiting")?.textContent === "");
    const before = byTitle(await serverTodos(page));
    await row(page, "Milk")
      .getByRole("button", { name: /Delete/ })
      .click();
    await expectTitles(page, ["Bread", "Eggs"]);
    await bar().getByText("Deleted “Milk”.").waitFor();
    // Not sent yet, and the screen says so.
    expect(await page.locator("#waiting").textContent()).to.equal("1 change waiting to be saved");
    await page.keyboard.press("Control+z");
    await expectTitles(page, ["Bread", "Eggs", "Milk"]);
    expect(await bar().isHidden()).to.equal(true);
    await page.locator("#announce", { hasText: "Restored “Milk”." }).waitFor({ state: "attached" });
    expect(byTitle(await serverTodos(page))).to.deep.equal(before);
  });

  it("undoes “Clear completed” from the keyboard, by the Undo button", async () => {
    const { page } = the.person;
    const before = byTitle(await serverTodos(page));
    await page.getByRole("button", { name: /Clear completed/ }).click();
    await expectTitles(page, ["Bread", "Milk"]);
    await bar().getByText("Deleted 1 completed to-do.").waitFor();
    await page.getByRole("button", { name: "Undo", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expectTitles(page, ["Bread", "Eggs", "Milk"]);
    expect(await row(page, "Eggs").getByRole("checkbox").isChecked()).to.equal(true);
    expect(byTitle(await serverTodos(page))).to.deep.equal(before);
  });

  it("sends “Mark all” once the offer ends, and then undo is no longer offered", async () => {
    const { page } = the.person;
    await page.getByRole("button", { name: "Mark all as done" }).click();
    await bar().getByText("Marked 2 to-dos as done.").waitFor();
    expect((await serverTodos(page)).filter((t) => !t.completed).length).to.equal(2); // held: not sent yet
    await bar().waitFor({ state: "hidden", timeout: 15_000 });
    await page.keyboard.press("Control+z"); // nothing to undo: changes nothing
    for (let start = Date.now(); Date.now() - start < 10_000; await page.waitForTimeout(200)) {
      if ((await serverTodos(page)).every((t) => t.completed)) break;
    }
    expect((await serverTodos(page)).map((t) => t.completed)).to.deep.equal([true, true, true]);
    expect(await page.locator("#list .toggle:not(:checked)").count()).to.equal(0);
  });

  it("sends a delete at once when the person closes the offer (×)", async () => {
    const { page } = the.person;
    await row(page, "Bread")
      .getByRole("button", { name: /Delete/ })
      .click();
    await bar().getByRole("button", { name: /Close/ }).click();
    for (let start = Date.now(); Date.now() - start < 5_000; await page.waitForTimeout(100)) {
      if (!(await serverTodos(page)).some((t) => t.title === "Bread")) break;
    }
    expect((await serverTodos(page)).map((t) => t.title).sort()).to.deep.equal(["Eggs", "Milk"]);
  });
});
