/**
 * The local stand-in for CloudFront on its own: which Cache-Control and Content-Type each file
 * gets (the build's, never a guess of the host's own), with and without the build's file list,
 * and the SPA fallback rule it shares with StaticSite's CloudFront function.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createSiteHost } from "../../local/site-host";
import { runInNewContext } from "node:vm";
import { SPA_FALLBACK_CODE } from "../../components/static-site";
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, type BuiltFile, type SiteConfig } from "../../common/hosting";
import { rawRequest } from "./http-driver";

const CONFIG: SiteConfig = { region: "local", userPoolId: "pool", userPoolClientId: "client", apiBase: "/api" };
const FILES: Record<string, string> = {
  "index.html": "<!doctype html><title>t</title>",
  "assets/app-ABCD1234.js": "console.log(1)",
  "assets/styles-EFGH5678.css": "body{}",
  "favicon.svg": "<svg/>",
  "data.json": "{}",
};

describe("local site host", function () {
  let dir: string;
  const servers: Server[] = [];
  const agent = new Agent();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tasklane-site-host-"));
    mkdirSync(join(dir, "assets"));
    for (const [path, text] of Object.entries(FILES)) writeFileSync(join(dir, path), text);
  });
  after(async () => {
    agent.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(files?: readonly BuiltFile[]): Promise<(path: string) => ReturnType<typeof rawRequest>> {
    const server = createServer(createSiteHost({ siteDir: dir, files, config: CONFIG, headers: {} }));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return (path) => rawRequest(url, agent, "GET", path, {});
  }

  it("serves each file with the Cache-Control and Content-Type the build listed for it", async function () {
    // Deliberately not what a name-based guess would give: the host must follow the list.
    const files: BuiltFile[] = [
      { path: "index.html", contentType: "text/html; charset=utf-8", cacheControl: CACHE_REVALIDATE },
      { path: "assets/app-ABCD1234.js", contentType: "text/javascript; charset=utf-8", cacheControl: CACHE_IMMUTABLE },
      { path: "assets/styles-EFGH5678.css", contentType: "text/css; charset=utf-8", cacheControl: "public, max-age=60" },
      { path: "favicon.svg", contentType: "image/svg+xml", cacheControl: CACHE_IMMUTABLE },
    ];
    const get = await serve(files);
    for (const file of files) {
      const res = await get(`/${file.path}`);
      expect(res.status, file.path).to.equal(200);
      expect(res.headers["cache-control"], file.path).to.equal(file.cacheControl);
      expect(res.headers["content-type"], file.path).to.equal(file.contentType);
      expect(res.body.toString(), file.path).to.equal(FILES[file.path]);
    }
    // A file on disk the build did not list is not served.
    expect((await get("/data.json")).status).to.equal(404);
  });

  it("falls back to index.html exactly where CloudFront's function does, and answers 404 elsewhere", async function () {
    const get = await serve();
    const cloudFront = runInNewContext(`${SPA_FALLBACK_CODE}; handler`) as (e: { request: { uri: string } }) => { uri: string };
    const paths = [
      "/",
      "/todos/active",
      "/a/b/c",
      "/v1.2/notes",
      "/trailing/",
      "/index.html",
      "/favicon.svg",
      "/assets/app-ABCD1234.js",
      "/assets/missing.js",
      "/missing.css",
      "/robots.txt",
      "/x.JSON",
    ];
    for (const path of paths) {
      const res = await get(path);
      const rewritten = cloudFront({ request: { uri: path } }).uri;
      const onDisk = FILES[rewritten.slice(1)];
      if (onDisk === undefined) {
        expect(res.status, path).to.equal(404);
      } else {
        expect(res.status, path).to.equal(200);
        expect(res.body.toString(), path).to.equal(onDisk);
      }
    }
    // Both kinds occur above, so the comparison covers the fallback and the 404.
    expect(paths.filter((p) => cloudFront({ request: { uri: p } }).uri !== p)).to.have.length(5);
  });

  it("without the build's list, takes types from the build's table and revalidates every file", async function () {
    const get = await serve();
    const expected: Record<string, string> = {
      "/index.html": "text/html; charset=utf-8",
      "/assets/app-ABCD1234.js": "text/javascript; charset=utf-8",
      "/assets/styles-EFGH5678.css": "text/css; charset=utf-8",
      "/favicon.svg": "image/svg+xml",
      "/data.json": "application/json; charset=utf-8",
      "/config.json": "application/json; charset=utf-8",
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await get(path);
      expect(res.status, path).to.equal(200);
      expect(res.headers["content-type"], path).to.equal(type);
      expect(res.headers["cache-control"], path).to.equal(CACHE_REVALIDATE);
    }
  });
});
