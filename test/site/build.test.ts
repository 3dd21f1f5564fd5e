import { expect } from "chai";
import { PASSWORD_POLICY } from "../../common/auth-policy";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSite, type BuildResult } from "../../site/build";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE } from "../../common/hosting";
import { BUDGET, measureSite, SCREENS } from "../../scripts/site-size";
import { TITLE_MAX_LENGTH } from "../../handlers/schemas";
import { ICON_SIZES, iconFile, MANIFEST_FILE, THEME_COLOR } from "../../site/install";
import { inflateSync } from "node:zlib";

describe("site build", () => {
  let outDir: string;
  let result: BuildResult;

  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), "tasklane-site-test-"));
    result = await buildSite(outDir);
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("writes every listed file, hashed assets cached for a year and the rest revalidated", () => {
    for (const file of result.files) expect(existsSync(join(outDir, file.path)), file.path).to.equal(true);
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    expect(byPath.get("index.html")).to.include({ contentType: "text/html; charset=utf-8", cacheControl: CACHE_REVALIDATE });
    expect(byPath.get("favicon.svg")).to.include({ contentType: "image/svg+xml", cacheControl: CACHE_REVALIDATE });
    // The service worker must never be cached by the browser: a deploy's new worker shows at once.
    expect(byPath.get("sw.js")).to.include({ contentType: "text/javascript; charset=utf-8", cacheControl: CACHE_REVALIDATE });
    const assets = result.files.filter((f) => f.path.startsWith("assets/"));
    // The entries, plus the chunks loaded on demand (esbuild's splitting), all content-hashed.
    const names = assets.map((f) => f.path.replace(/-[A-Z0-9]{8}\./, "-HASH."));
    expect(names.filter((n) => n !== "assets/chunk-HASH.js").sort()).to.deep.equal([
      "assets/app-HASH.js",
      "assets/auth-view-HASH.js",
      "assets/later-HASH.js",
      "assets/list-screen-HASH.js",
      "assets/live-HASH.js",
      "assets/main-HASH.js",
      "assets/pull-HASH.js",
      "assets/send-HASH.js",
      "assets/styles-HASH.css",
    ]);
    // Code two chunks share (esbuild splitting): the list screen and the app (app.ts, fetched as the
    // list screen paints) share the view and the model; a handful, each a request the worker answers.
    expect(names.filter((n) => n === "assets/chunk-HASH.js")).to.have.length.within(1, 5);
    for (const asset of assets) expect(asset.cacheControl).to.equal(CACHE_IMMUTABLE);
  });

  it("makes the app installable: a manifest (name, start URL, standalone, theme colour) and PNG icons of 192 and 512 px", () => {
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    expect(byPath.get(MANIFEST_FILE)).to.include({
      contentType: "application/manifest+json; charset=utf-8",
      cacheControl: CACHE_REVALIDATE,
    });
    const written = JSON.parse(readFileSync(join(outDir, MANIFEST_FILE), "utf8")) as Record<string, any>;
    expect(written).to.include({ name: "tasklane", start_url: "/", display: "standalone", theme_color: THEME_COLOR });
    for (const size of ICON_SIZES) {
      expect(byPath.get(iconFile(size))).to.include({ contentType: "image/png" });
      expect(written.icons).to.deep.include({ src: `/${iconFile(size)}`, sizes: `${size}x${size}`, type: "image/png", purpose: "any" });
      const png = readFileSync(join(outDir, iconFile(size)));
      expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], "IHDR width and height").to.deep.equal([size, size]);
      // The corners are transparent and the middle is the theme colour, as in favicon.svg.
      const pixels = inflateSync(png.subarray(41, png.length - 16));
      const at = (x: number, y: number) =>
        pixels.subarray(1 + y * (1 + size * 4) + x * 4, 1 + y * (1 + size * 4) + x * 4 + 4).toString("hex");
      expect(at(0, 0)).to.equal("00000000");
      expect(at(Math.round(size * 0.2), Math.round(size * 0.2))).to.equal(`${THEME_COLOR.slice(1)}ff`);
    }
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    expect(html).to.contain(`<link rel="manifest" href="/${MANIFEST_FILE}">`).and.contain(`content="${THEME_COLOR}"`);
    expect(readFileSync(join(__dirname, "../../site/favicon.svg"), "utf8")).to.contain(`fill="${THEME_COLOR}"`);
  });

  it("links index.html to the hashed files it built, with nothing inline (the CSP allows none)", () => {
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    // The entries (main, styles) are in the page; the chunks loaded on demand (import()) are not.
    const assets = result.files.filter((f) => f.path.startsWith("assets/")).map((f) => f.path);
    const chunks = assets.filter((path) => !/^assets\/(main|styles)-/.test(path));
    expect(chunks.length).to.be.at.least(1);
    for (const path of assets) expect(html.includes(`"/${path}"`), path).to.equal(!chunks.includes(path));
    expect(html).to.not.match(/\{\{|<script>|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).to.match(/<html lang="en">/);
  });

  it("gives the new-to-do field the API's title limit as its maxlength", () => {
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    expect(html).to.match(/<input id="new-title"[^>]* maxlength="500"/);
    expect(TITLE_MAX_LENGTH).to.equal(500);
  });

  it("states and enforces the pool's password rule in every new-password form (sign-up, reset, change)", () => {
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    expect(html.match(/type="password" autocomplete="new-password" required minlength="12"/g)).to.have.length(3);
    expect(html.match(/At least 12 characters/g)).to.have.length(3);
    expect(PASSWORD_POLICY.minimumLength).to.equal(12);
  });

  it("gives the same names to the same sources, so a rebuild does not bust caches", async () => {
    const again = mkdtempSync(join(tmpdir(), "tasklane-site-test-"));
    try {
      const second = await buildSite(again);
      expect(second.files.map((f) => f.path).sort()).to.deep.equal(result.files.map((f) => f.path).sort());
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it("builds a service worker that keeps exactly this build's shell, under a cache named after it", () => {
    const worker = readFileSync(join(outDir, "sw.js"), "utf8");
    const assets = result.files.filter((f) => f.path.startsWith("assets/")).map((f) => `/${f.path}`);
    for (const path of ["/index.html", "/favicon.svg", ...assets]) expect(worker).to.contain(`"${path}"`);
    expect(worker).to.match(/tasklane-shell-/);
    expect(worker).to.contain(`"/api/"`); // it leaves the API alone: answers are never cached
  });

  it("stays within budget: first-page JS ≤ 20 KB, CSS ≤ 8 KB, service worker ≤ 8 KB gzipped", () => {
    const size = measureSite(outDir);
    expect([...new Set(size.assets.map((a) => a.kind))].sort()).to.deep.equal(["css", "js", "worker"]);
    // Each first screen (the list, the sign-in forms) is measured with what the page loads first.
    expect(Object.keys(size.screens).sort()).to.deep.equal([...SCREENS].sort());
    expect(size.js).to.equal(Math.max(...Object.values(size.screens)));
    for (const screen of SCREENS)
      expect(readFileSync(join(__dirname, "../../site/src/main.ts"), "utf8")).to.contain(`import("./${screen}")`);
    expect(BUDGET).to.deep.equal({ js: 20 * 1024, css: 8 * 1024, worker: 8 * 1024 });
    expect(size.worker).to.be.greaterThan(200).and.at.most(BUDGET.worker);
    expect(size.js).to.be.greaterThan(1000).and.at.most(BUDGET.js);
    expect(size.css).to.be.greaterThan(500).and.at.most(BUDGET.css);
    expect(size.overBudget).to.deep.equal([]);
  });

  it("reports a site over budget (the check can fail)", () => {
    const fat = mkdtempSync(join(tmpdir(), "tasklane-site-test-"));
    try {
      mkdirSync(join(fat, "assets"));
      writeFileSync(
        join(fat, "index.html"),
        '<link rel="stylesheet" href="/assets/s.css"><script type="module" src="/assets/a.js"></script>',
      );
      // Random bytes do not compress: 30 KB of them, imported from the entry, is over 20 KB gzipped;
      // 10 KB of them in the service worker is over its 8 KB.
      writeFileSync(join(fat, "assets/a.js"), 'import"./chunk.js";console.log(1)');
      writeFileSync(join(fat, "assets/chunk.js"), `export const x="${randomBytes(30 * 1024).toString("base64")}"`);
      writeFileSync(join(fat, "assets/s.css"), "body{}");
      writeFileSync(join(fat, "sw.js"), `self.x="${randomBytes(10 * 1024).toString("base64")}"`);
      const size = measureSite(fat);
      expect(size.assets.map((a) => a.path)).to.deep.equal(["assets/a.js", "assets/chunk.js", "assets/s.css", "sw.js"]);
      expect(size.overBudget).to.have.length(2);
      expect(size.overBudget[0]).to.match(/^Service worker \d+ B gzipped > 8192 B$/);
      expect(size.overBudget[1]).to.match(/^JavaScript \d+ B gzipped > 20480 B$/);
    } finally {
      rmSync(fat, { recursive: true, force: true });
    }
  });
});
