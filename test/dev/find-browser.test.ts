/**
 * How the browser suites and Lighthouse find a browser (dev/find-browser.ts): the decision,
 * with the machine's checks injected. Nothing here installs anything or looks at this machine.
 */
import { expect } from "chai";
import {
  APT_INSTALL,
  BrowserNotFoundError,
  DEBIAN_CHROMIUM,
  findBrowser,
  HOW_TO_INSTALL,
  planBrowser,
  type BrowserProbe,
} from "../../dev/find-browser";

function probe(
  options: { platform?: NodeJS.Platform; env?: Record<string, string>; files?: string[]; root?: boolean } = {},
): BrowserProbe & {
  files: Set<string>;
} {
  const files = new Set(options.files ?? []);
  return {
    platform: options.platform ?? "linux",
    env: options.env ?? {},
    home: "/home/ada",
    files,
    isExecutable: (path) => files.has(path),
    canAptInstall: () => options.root ?? false,
  };
}

const quiet = () => undefined;

describe("finding a browser (dev/find-browser.ts)", function () {
  it("uses CHROME_PATH when set, before any known place", function () {
    const plan = planBrowser(probe({ env: { CHROME_PATH: "/opt/my/chrome" }, files: ["/opt/my/chrome", DEBIAN_CHROMIUM] }));
    expect(plan).to.deep.equal({ kind: "use", path: "/opt/my/chrome" });
  });

  it("fails on a CHROME_PATH that is not there, naming it, instead of quietly using another browser", function () {
    const plan = planBrowser(probe({ env: { CHROME_PATH: "/nope/chrome" }, files: [DEBIAN_CHROMIUM], root: true }));
    expect(plan.kind).to.equal("fail");
    expect(plan.kind === "fail" && plan.message).to.contain("/nope/chrome");
  });

  it("finds Debian's chromium first on Linux, then Chrome in its usual places", function () {
    expect(planBrowser(probe({ files: [DEBIAN_CHROMIUM, "/usr/bin/google-chrome"] }))).to.deep.equal({
      kind: "use",
      path: DEBIAN_CHROMIUM,
    });
    expect(planBrowser(probe({ files: ["/usr/bin/google-chrome-stable"] }))).to.deep.equal({
      kind: "use",
      path: "/usr/bin/google-chrome-stable",
    });
  });

  it("finds Chrome or Chromium in the macOS Applications folders, the user's own included", function () {
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(planBrowser(probe({ platform: "darwin", files: [chrome] }))).to.deep.equal({ kind: "use", path: chrome });
    const own = "/home/ada/Applications/Chromium.app/Contents/MacOS/Chromium";
    expect(planBrowser(probe({ platform: "darwin", files: [own] }))).to.deep.equal({ kind: "use", path: own });
    // A Linux path means nothing on macOS.
    expect(planBrowser(probe({ platform: "darwin", files: [DEBIAN_CHROMIUM] })).kind).to.equal("fail");
  });

  it("plans Debian's chromium install (update, then install -y, noninteractive) only on Linux as root with apt-get", function () {
    expect(planBrowser(probe({ root: true }))).to.deep.equal({
      kind: "install",
      commands: [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "chromium"],
      ],
      env: { DEBIAN_FRONTEND: "noninteractive" },
      path: DEBIAN_CHROMIUM,
    });
    expect(planBrowser(probe({ root: false })).kind).to.equal("fail");
    expect(planBrowser(probe({ platform: "darwin", root: true })).kind).to.equal("fail");
  });

  it("says in one line how to get a browser when it may not install one", function () {
    const plan = planBrowser(probe());
    expect(plan).to.deep.equal({ kind: "fail", message: HOW_TO_INSTALL });
    expect(HOW_TO_INSTALL).not.to.contain("\n");
    expect(HOW_TO_INSTALL).to.contain("apt-get install -y chromium").and.contain("CHROME_PATH");
  });

  it("runs the install commands in order, then returns Debian's chromium", async function () {
    const machine = probe({ root: true });
    const ran: string[] = [];
    const path = await findBrowser(
      machine,
      (command, env) => {
        ran.push(`${env.DEBIAN_FRONTEND} ${command.join(" ")}`);
        if (command.includes("install")) machine.files.add(DEBIAN_CHROMIUM);
        return Promise.resolve(true);
      },
      quiet,
    );
    expect(path).to.equal(DEBIAN_CHROMIUM);
    expect(ran).to.deep.equal(APT_INSTALL.map((c) => `noninteractive ${c.join(" ")}`));
  });

  it("rejects at once with one line when the install fails or there is nothing to do", async function () {
    const failed = await findBrowser(probe({ root: true }), () => Promise.resolve(false), quiet).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(BrowserNotFoundError);
    expect((failed as Error).message)
      .to.contain('"apt-get update" failed')
      .and.not.contain("\n");
    let ran = false;
    const none = await findBrowser(probe(), () => Promise.resolve((ran = true)), quiet).catch((e: unknown) => e);
    expect((none as Error).message).to.equal(HOW_TO_INSTALL);
    expect(ran, "nothing is run without permission to install").to.equal(false);
  });
});
