/**
 * A new person's very first to-do, typed the moment the list appears (before the first sync has
 * answered): it must be saved, not refused. Found by `npm run lighthouse`, which types at once:
 * the create went to the first list before the first `GET /api/lists` had made that list exist,
 * got 404 and was rolled back ("the list or to-do is no longer there").
 */
import { expect } from "chai";
import { form, register, serverTodos, settled, stackAndPerson } from "./helpers";

describe("a new person's first to-do, typed at once (e2e)", function () {
  this.timeout(60_000);
  const the = stackAndPerson();

  it("saves it, without waiting for the first load to finish", async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    await register(page, "fast@example.com", "fast typist password");
    const signIn = form(page, "Sign in");
    await signIn.getByLabel("Password").fill("fast typist password");
    await signIn.getByRole("button", { name: "Sign in" }).click();
    // No wait for the loading line to go: type as soon as the field is there.
    await page.getByLabel("What needs doing?").fill("Water the plants");
    await page.getByLabel("What needs doing?").press("Enter");
    // Saved once the first sync has answered: wait for the server to have it (or 15 s).
    let saved: string[] = [];
    for (const start = Date.now(); Date.now() - start < 15_000; await page.waitForTimeout(200)) {
      saved = (await serverTodos(page)).map((t) => t.title);
      if (saved.length > 0) break;
    }
    await settled(page);
    expect(saved).to.deep.equal(["Water the plants"]);
    expect(await page.getByText(/Could not add/).count()).to.equal(0);
  });
});
