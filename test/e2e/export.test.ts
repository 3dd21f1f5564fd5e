/**
 * "Download my data" holds every list the person is a member of (issue 17's closing note: it held
 * the first list only), in Chromium against the whole local stack. Ann has her first list and a
 * second of her own, and is an editor of Ben's list; the JSON and the CSV she downloads hold all
 * three lists, each with its name, her role and its to-dos (the CSV a line a to-do, the list's
 * id, name and role first).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { openPerson, type Person } from "../../dev/browser";
import { startStack, type RunningStack } from "../../local/stack";
import { apiCall, CODE, registerAndSignIn } from "./helpers";

const ANN = { email: "ann.exports@example.com", password: "ann has a long password" };
const BEN = { email: "ben.shares@example.com", password: "ben has a long password" };

/** Adds to-dos to a list through the API, as another device would. */
async function fill(page: Page, listId: string, titles: string[]): Promise<void> {
  for (const [i, title] of titles.entries()) {
    const r = await apiCall(page, "POST", `/api/lists/${listId}/todos`, { title }, { "Idempotency-Key": `${listId}-${i}` });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
  }
}

async function download(page: Page, format: "JSON" | "CSV"): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: `Download my data (${format})` }).click(),
  ]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), "utf8") };
}

describe("download my data: every list (e2e)", function () {
  this.timeout(90_000);
  let stack: RunningStack;
  let ann: Person;
  let ben: Person;

  before(async () => {
    [stack, ann, ben] = await Promise.all([
      startStack({ confirmationCode: CODE, log: () => undefined }),
      openPerson({ locale: "en-GB" }),
      openPerson({ locale: "en-GB" }),
    ]);
  });
  after(async () => {
    await Promise.all([ann?.close(), ben?.close()]);
    await stack?.close();
  });

  it("downloads, as JSON and as CSV, the to-dos of her own lists and of a list shared with her", async () => {
    for (const [person, who] of [
      [ann, ANN],
      [ben, BEN],
    ] as const) {
      await registerAndSignIn(person.page, stack.url, who);
    }
    const first = ((await apiCall(ann.page, "GET", "/api/lists")).body as { items: { id: string; name: string }[] }).items[0];
    const work = (await apiCall(ann.page, "POST", "/api/lists", { name: "Work" }, { "Idempotency-Key": "work" })).body as { id: string };
    const shared = (await apiCall(ben.page, "POST", "/api/lists", { name: "Ben's shopping" }, { "Idempotency-Key": "shop" })).body as {
      id: string;
    };
    await fill(ann.page, first.id, ["Milk", "Bread"]);
    await fill(ann.page, work.id, ['Report, "final"']);
    await fill(ben.page, shared.id, ["Apples"]);
    expect((await apiCall(ben.page, "POST", `/api/lists/${shared.id}/members`, { email: ANN.email, role: "editor" })).status).to.equal(202);
    const invitation = ((await apiCall(ann.page, "GET", "/api/invitations")).body as { items: { id: string }[] }).items[0];
    expect((await apiCall(ann.page, "POST", `/api/invitations/${invitation.id}/accept`)).status).to.equal(200);

    const page = ann.page;
    await page.locator("summary", { hasText: "Your account" }).click();
    const json = await download(page, "JSON");
    expect(json.name).to.match(/^tasklane-todos-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(json.text) as { lists: { id: string; name: string; role: string; todos: { title: string }[] }[] };
    const byName = (lists: typeof exported.lists) =>
      Object.fromEntries(lists.map((l) => [l.name, { id: l.id, role: l.role, titles: l.todos.map((t) => t.title).sort() }]));
    expect(byName(exported.lists)).to.deep.equal({
      [first.name]: { id: first.id, role: "owner", titles: ["Bread", "Milk"] },
      Work: { id: work.id, role: "owner", titles: ['Report, "final"'] },
      "Ben's shopping": { id: shared.id, role: "editor", titles: ["Apples"] },
    });
    await page.getByText(`Downloaded ${json.name}.`).waitFor();

    const csv = await download(page, "CSV");
    expect(csv.name).to.match(/^tasklane-todos-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.text
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).to.equal("listId,list,role,id,title,completed,dueDate,createdAt,updatedAt,version");
    const rows = lines
      .slice(1)
      .map((line) => line.split(",").slice(0, 3).join(",") + " " + /,(Milk|Bread|"Report, ""final"""|Apples),/.exec(line)?.[1]);
    expect(rows.sort()).to.deep.equal(
      [
        `${first.id},${first.name},owner Bread`,
        `${first.id},${first.name},owner Milk`,
        `${shared.id},"Ben's shopping",editor Apples`,
        `${work.id},Work,owner "Report, ""final"""`,
      ].sort(),
    );
  });
});
