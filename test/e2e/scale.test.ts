/**
 * A big list in Chromium against the whole local stack (issue 19, "Smooth at any size"): with
 * 3,000 to-dos the page holds at most 3,000 DOM nodes (only the rows on screen and a margin);
 * scrolling to the end shows the last to-do; the counts and filters are on screen without
 * scrolling; "Mark all" moves nothing on the page (layout shift); an open editor with text typed
 * in it survives scrolling far away and back. Timings are the bench's (bench/site-browser.ts).
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { manyTodos, seedFirstList } from "../../dev/seed-table";
import { register, signIn, stackAndPerson } from "./helpers";

const SIZE = 3000;
const MAX_NODES = 3000;

const nodes = (page: Page) => page.evaluate(() => document.querySelectorAll("*").length);
/** Whether the element is wholly inside the viewport. */
const onScreen = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const r = document.querySelector(s)!.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
  }, selector);
const scrollTo = async (page: Page, y: number) => {
  await page.evaluate((to) => window.scrollTo(0, to < 0 ? document.documentElement.scrollHeight : to), y);
  // Two frames: the scroll event, then the window's repaint.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
};

describe("a list of 3,000 to-dos in Chromium (e2e)", function () {
  this.timeout(120_000);
  const the = stackAndPerson();

  before(async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    await register(page, "many@example.com", "a person with many things to do");
    await signIn(page, "many@example.com", "a person with many things to do");
    const sub = await page.evaluate(() => {
      const { idToken } = JSON.parse(localStorage.getItem("tasklane.session")!) as { idToken: string };
      return (JSON.parse(atob(idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string }).sub;
    });
    await seedFirstList(the.stack, sub, manyTodos(SIZE));
    await page.reload();
    await page.getByText(`${SIZE - SIZE / 3} items left`).waitFor({ timeout: 30_000 });
  });

  it("holds at most 3,000 DOM nodes, and shows the counts and filters without scrolling", async () => {
    const { page } = the.person;
    expect(await nodes(page)).to.be.at.most(MAX_NODES);
    expect(await onScreen(page, "#count")).to.equal(true);
    expect(await onScreen(page, "[data-filter=completed]")).to.equal(true);
    expect(await page.locator("#list > li").first().getAttribute("aria-setsize")).to.equal(String(SIZE));
  });

  it("shows the last to-do at the end of the page", async () => {
    const { page } = the.person;
    await scrollTo(page, -1);
    const last = page.locator("#list > li").filter({ hasText: /^Seeded to-do 1$/ });
    await page.locator("#list .title", { hasText: /^Seeded to-do 1$/ }).waitFor();
    expect(await last.count()).to.be.at.most(1);
    const box = await page.locator("#list .title", { hasText: /^Seeded to-do 1$/ }).boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= 800, "the last to-do is on screen").to.equal(true);
    expect(await page.locator("#list > li").last().getAttribute("aria-posinset")).to.equal(String(SIZE));
    expect(await nodes(page)).to.be.at.most(MAX_NODES);
    await scrollTo(page, 0);
  });

  it("moves nothing on the page when every to-do is marked as done", async () => {
    const { page } = the.person;
    await page.evaluate(() => {
      const w = window as unknown as { shifts: number };
      w.shifts = 0;
      // Every shift counts, even those right after the click (CLS leaves those out).
      new PerformanceObserver((list) => list.getEntries().forEach((e) => (w.shifts += (e as unknown as { value: number }).value))).observe({
        type: "layout-shift",
      });
    });
    await page.getByRole("button", { name: "Mark all as done" }).click();
    await page.getByText("0 items left").waitFor();
    // The offer to undo is fixed to the viewport (it moves nothing); closing it sends the change now.
    await page.locator("#undo-close").click();
    await page.waitForFunction(() => document.getElementById("waiting")?.textContent === "", null, { timeout: 30_000 });
    const shifts = await page.evaluate(() => (window as unknown as { shifts: number }).shifts);
    expect(shifts).to.be.at.most(0.1);
  });

  it("keeps an open editor and what was typed in it through scrolling far away and back", async () => {
    const { page } = the.person;
    const first = page.locator("#list .title").first();
    const title = await first.textContent();
    await first.dblclick();
    const editor = page.getByRole("textbox", { name: `Edit “${title}”; Enter saves, Escape cancels` });
    await editor.fill("Typed, then scrolled away");
    await scrollTo(page, -1);
    expect(await nodes(page)).to.be.at.most(MAX_NODES);
    await scrollTo(page, 0);
    expect(await editor.inputValue()).to.equal("Typed, then scrolled away");
    expect(await editor.evaluate((e) => e === document.activeElement)).to.equal(true);
  });
});
