/**
 * Finds the Chromium (or Chrome) the browser tests and Lighthouse drive, so `npm test` needs no
 * manual step on a fresh machine:
 * 1. `CHROME_PATH`, when set, and nothing else (a wrong path is an error, not a fallback);
 * 2. Debian's /usr/bin/chromium, then Chrome or Chromium where Linux and macOS install them;
 * 3. none found, on Linux as root with apt-get: Debian's `chromium` is installed
 *    (`apt-get update`, `apt-get install -y chromium`, noninteractive), then used;
 * 4. otherwise a BrowserNotFoundError whose message is one line saying what to do.
 * Never a silent skip. The decision (`planBrowser`) is pure, the checks are injected, so it is
 * tested without touching the machine.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** Where Chrome and Chromium are usually installed, in the order they are tried. */
export const KNOWN_PATHS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: [
    DEBIAN_CHROMIUM,
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/opt/google/chrome/chrome",
    "/snap/bin/chromium",
  ],
  darwin: [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "~/Applications/Chromium.app/Contents/MacOS/Chromium",
  ],
};

export const HOW_TO_INSTALL =
  "No Chromium or Chrome found: install one (Debian/Ubuntu: sudo apt-get install -y chromium; macOS: brew install --cask chromium) or set CHROME_PATH to its executable.";

/** What the finder may ask of the machine. */
export interface BrowserProbe {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  /** An executable file at this path. */
  isExecutable(path: string): boolean;
  /** Root, with apt-get on PATH: allowed to install system packages. */
  canAptInstall(): boolean;
}

export type BrowserPlan =
  | { readonly kind: "use"; readonly path: string }
  | {
      readonly kind: "install";
      readonly commands: readonly (readonly string[])[];
      readonly env: Readonly<Record<string, string>>;
      readonly path: string;
    }
  | { readonly kind: "fail"; readonly message: string };

export const APT_INSTALL: readonly (readonly string[])[] = [
  ["apt-get", "update"],
  ["apt-get", "install", "-y", "chromium"],
];

export function planBrowser(probe: BrowserProbe): BrowserPlan {
  const chosen = probe.env.CHROME_PATH;
  if (chosen) {
    return probe.isExecutable(chosen)
      ? { kind: "use", path: chosen }
      : { kind: "fail", message: `CHROME_PATH is ${chosen}, which is not an executable file: fix it or unset it.` };
  }
  for (const known of KNOWN_PATHS[probe.platform] ?? []) {
    const path = known.startsWith("~/") ? join(probe.home, known.slice(2)) : known;
    if (probe.isExecutable(path)) return { kind: "use", path };
  }
  if (probe.platform === "linux" && probe.canAptInstall()) {
    return { kind: "install", commands: APT_INSTALL, env: { DEBIAN_FRONTEND: "noninteractive" }, path: DEBIAN_CHROMIUM };
  }
  return { kind: "fail", message: HOW_TO_INSTALL };
}

export class BrowserNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrowserNotFoundError";
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const machineProbe: BrowserProbe = {
  platform: process.platform,
  env: process.env,
  home: homedir(),
  isExecutable,
  canAptInstall: () =>
    process.getuid?.() === 0 && (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && isExecutable(join(dir, "apt-get"))),
};

/** Runs one command with its output on stderr (an install takes half a minute); true when it succeeded. */
export type Run = (command: readonly string[], env: Readonly<Record<string, string>>) => Promise<boolean>;

const runVisibly: Run = ([command, ...args], env) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", 2, 2], env: { ...process.env, ...env } });
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });

/** The browser's path, installing Debian's chromium first when the plan says so. Rejects with BrowserNotFoundError. */
export async function findBrowser(
  probe: BrowserProbe = machineProbe,
  run: Run = runVisibly,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
  const plan = planBrowser(probe);
  if (plan.kind === "use") return plan.path;
  if (plan.kind === "fail") throw new BrowserNotFoundError(plan.message);
  say(`No Chromium found: installing Debian's chromium (${plan.commands.map((c) => c.join(" ")).join(" && ")})…`);
  for (const command of plan.commands) {
    if (!(await run(command, plan.env))) throw new BrowserNotFoundError(`"${command.join(" ")}" failed. ${HOW_TO_INSTALL}`);
  }
  if (!probe.isExecutable(plan.path))
    throw new BrowserNotFoundError(`chromium was installed but ${plan.path} is missing. ${HOW_TO_INSTALL}`);
  return plan.path;
}
