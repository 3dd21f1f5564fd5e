/**
 * Lighthouse (npm `lighthouse` 12, the Chromium dev/browser.ts finds) against the local stack: the signed-out
 * page as a first-time visitor sees it, and the to-do list of a signed-in person. Prints the
 * performance, accessibility, best-practices and SEO scores of each, lists every audit that
 * cost points, and writes it all to a JSON file.
 *
 *   npm run lighthouse                          writes test-results/lighthouse.json
 *   npm run lighthouse -- out.json              writes out.json
 *   LIGHTHOUSE_PRESET=desktop npm run lighthouse   desktop instead of Lighthouse's default (mobile, throttled)
 *
 * Exits non-zero when a run fails, not when a score is below 100 (the scores are the output).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { startStack } from "../local/stack";
import { CHROMIUM_ARGS, chromiumPath } from "../dev/browser";
import { BrowserNotFoundError } from "../dev/find-browser";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
const CODE = "424242";

// lighthouse and chrome-launcher are ES modules; TypeScript's CommonJS output would turn a
// plain import() into require(), which cannot load them.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a real import(), out of TypeScript's reach (see above)
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;

interface PageResult {
  readonly name: string;
  readonly url: string;
  readonly scores: Record<string, number>;
  /** Audits that scored below 1 and carry weight in a category, with Lighthouse's title. */
  readonly losses: { id: string; category: string; score: number; title: string; displayValue?: string }[];
  readonly metrics: Record<string, string>;
  /** The element Lighthouse saw as the largest paint: shows which screen was audited. */
  readonly lcpElement?: string;
}

function summarize(name: string, lhr: any): PageResult {
  const scores: Record<string, number> = {};
  const losses: PageResult["losses"] = [];
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = Math.round((category?.score ?? 0) * 100);
    for (const ref of category?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
        losses.push({ id: ref.id, category: id, score: audit.score, title: audit.title, displayValue: audit.displayValue });
      }
    }
  }
  const metrics: Record<string, string> = {};
  for (const id of [
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
  ]) {
    if (lhr.audits[id]?.displayValue) metrics[id] = lhr.audits[id].displayValue;
  }
  const lcpElement = lhr.audits["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.snippet;
  return { name, url: lhr.finalDisplayedUrl, scores, losses, metrics, lcpElement };
}

async function main(): Promise<void> {
  const outFile = process.argv[2] ?? "test-results/lighthouse.json";
  const preset = process.env.LIGHTHOUSE_PRESET === "desktop" ? "desktop" : "mobile";
  const [{ default: lighthouse, desktopConfig }, chromeLauncher] = await Promise.all([
    importEsm("lighthouse"),
    importEsm("chrome-launcher"),
  ]);
  const profile = mkdtempSync(join(tmpdir(), "tasklane-lighthouse-"));
  const stack = await startStack({ confirmationCode: CODE, log: () => undefined });
  let chrome: { port: number; kill(): Promise<void> | void } | undefined;
  try {
    chrome = await chromeLauncher.launch({
      chromePath: await chromiumPath(),
      chromeFlags: CHROMIUM_ARGS,
      userDataDir: profile,
      logLevel: "silent",
    });
    const port = chrome!.port;
    const flags = { port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES] };
    const config = preset === "desktop" ? desktopConfig : undefined;
    const results: PageResult[] = [];

    // 1. A first visit: empty storage, the sign-in screen.
    const signedOut = await lighthouse(`${stack.url}/`, flags, config);
    results.push(summarize("signed out (sign-in screen)", signedOut.lhr));

    // 2. Signed in with a few to-dos: sign in through the page itself (same Chrome, over CDP),
    //    then audit without Lighthouse clearing storage, so the session is found.
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    try {
      const page = await browser.contexts()[0].newPage();
      await page.goto(stack.url);
      await page.getByRole("button", { name: "Create an account" }).click();
      const signUp = page.getByRole("form", { name: "Create an account" });
      await signUp.getByLabel("E-mail").fill("lighthouse@example.com");
      await signUp.getByLabel("Password").fill("lighthouse password");
      await signUp.getByRole("button", { name: "Create account" }).click();
      const confirm = page.getByRole("form", { name: "Confirm your e-mail" });
      await confirm.getByLabel("Code").fill(CODE);
      await confirm.getByRole("button", { name: "Confirm" }).click();
      const signIn = page.getByRole("form", { name: "Sign in" });
      await signIn.getByText("Your account is confirmed").waitFor();
      await signIn.getByLabel("Password").fill("lighthouse password");
      await signIn.getByRole("button", { name: "Sign in" }).click();
      for (const title of ["Water the plants", "Write the report", "Call the bank"]) {
        await page.getByLabel("What needs doing?").fill(title);
        await page.getByLabel("What needs doing?").press("Enter");
        await page.locator("#list .toggle:not([disabled])").nth(0).waitFor();
      }
      await page.locator("#list .toggle").nth(1).check();
      await page.waitForLoadState("networkidle");
      await page.close();
    } finally {
      await browser.close().catch(() => undefined);
    }
    const signedIn = await lighthouse(`${stack.url}/`, { ...flags, disableStorageReset: true }, config);
    results.push(summarize("signed in (to-do list)", signedIn.lhr));
    // The largest paint is part of the signed-in screen (hidden while signed out), or the run
    // audited the sign-in screen twice.
    if (!/who-email|class="(title|todo|new|count)|new-title|id="list"/.test(results[1].lcpElement ?? "")) {
      throw new Error(`The signed-in run did not show the to-do list (largest paint: ${results[1].lcpElement}).`);
    }

    const report = {
      date: new Date().toISOString(),
      lighthouse: signedOut.lhr.lighthouseVersion,
      preset,
      chromium: signedOut.lhr.environment?.hostUserAgent,
      pages: results,
    };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    for (const r of results) {
      console.log(`${r.name}: ${CATEGORIES.map((c) => `${c} ${r.scores[c]}`).join(", ")}`);
      console.log(
        `  ${Object.entries(r.metrics)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
      );
      if (r.lcpElement) console.log(`  largest paint: ${r.lcpElement}`);
      for (const loss of r.losses)
        console.log(
          `  - [${loss.category}] ${loss.id}: ${loss.title}${loss.displayValue ? ` (${loss.displayValue})` : ""} score ${loss.score}`,
        );
    }
    console.log(`Lighthouse ${report.lighthouse} (${preset}); written to ${outFile}`);
  } finally {
    await chrome?.kill();
    await stack.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BrowserNotFoundError ? err.message : err);
  process.exitCode = 1;
});
