/**
 * Chromium driven by playwright-core, one persistent context (own profile in a temp folder) per
 * simulated person, so two people never share storage. The browser is the one find-browser.ts
 * finds (or installs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { findBrowser } from "./find-browser";

/**
 * The browser's path. The search starts when this module is loaded: mocha loads every spec file
 * before it runs any, so on a fresh machine an install (half a minute) overlaps the other suites
 * instead of eating a browser suite's hook timeout. Nothing is thrown until someone awaits it.
 */
const browser = findBrowser();
browser.catch(() => undefined);
export const chromiumPath = (): Promise<string> => browser;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Messages the page logged (console and uncaught errors), to prove no token is ever logged. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** `locale`: the browser's language (navigator.languages, Intl's default), as a person sets it. */
export async function openPerson(options: { width?: number; height?: number; locale?: string } = {}): Promise<Person> {
  const executablePath = await chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), "tasklane-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1024, height: options.height ?? 800 },
    reducedMotion: "reduce",
    ...(options.locale && { locale: options.locale }),
  });
  // Fail a step in seconds, not at mocha's timeout: every action here takes milliseconds.
  context.setDefaultTimeout(5000);
  const page = context.pages()[0] ?? (await context.newPage());
  const logs: string[] = [];
  page.on("console", (message) => logs.push(message.text()));
  page.on("pageerror", (error) => logs.push(`pageerror: ${error.message}`));
  return {
    context,
    page,
    logs,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * What the app keeps on the device (IndexedDB "tasklane", site/src/db.ts) in `page`: every record
 * of `store`, or with `key` the one record under it (undefined: none). A store the copy does not
 * have (nobody signed in yet) reads as empty.
 */
export function deviceRecords<T = unknown>(page: Page, store: string): Promise<T[]> {
  return readDevice(page, store) as Promise<T[]>;
}
export function deviceRecord<T = unknown>(page: Page, store: string, key: string): Promise<T | undefined> {
  return readDevice(page, store, key) as Promise<T | undefined>;
}

function readDevice(page: Page, store: string, key?: string): Promise<unknown> {
  return page.evaluate(
    ({ store, key }) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open("tasklane");
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) return (db.close(), resolve(key === undefined ? [] : undefined));
          const records = db.transaction(store).objectStore(store);
          const read = key === undefined ? records.getAll() : records.get(key);
          read.onsuccess = () => (db.close(), resolve(read.result));
          read.onerror = () => (db.close(), reject(new Error(String(read.error))));
        };
      }),
    { store, key },
  );
}
