/**
 * The app is installable: Chromium's own installability check (the one behind its "Install"
 * prompt, asked through the DevTools protocol's Page.getInstallabilityErrors) finds nothing
 * missing on the page served by the local stack, with CloudFront's headers (the CSP's
 * manifest-src included).
 */
import { expect } from "chai";
import { MANIFEST_FILE } from "../../site/install";
import { stackAndPerson } from "./helpers";

describe("installable web app (e2e)", function () {
  this.timeout(60_000);
  const the = stackAndPerson();

  it("passes Chromium's installability checks: manifest, icons, start URL, standalone display", async () => {
    const { page } = the.person;
    await page.goto(the.stack.url);
    const manifest = await page.evaluate(async (file) => {
      const res = await fetch(`/${file}`);
      return { status: res.status, type: res.headers.get("content-type") };
    }, MANIFEST_FILE);
    expect(manifest).to.deep.equal({ status: 200, type: "application/manifest+json; charset=utf-8" });
    const cdp = await page.context().newCDPSession(page);
    // The check fetches the manifest and its icons itself; give it the page's load first.
    await page.waitForLoadState("load");
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors.map((e) => e.errorId)).to.deep.equal([]);
    const { url, errors } = (await cdp.send("Page.getAppManifest")) as { url: string; errors: { message: string }[] };
    expect(url).to.equal(`${the.stack.url}/${MANIFEST_FILE}`);
    expect(errors.map((e) => e.message)).to.deep.equal([]);
  });
});
