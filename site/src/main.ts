/**
 * Entry point: reads /config.json (the service worker answers it offline), then shows the list
 * or the sign-in screen and switches between them. Each screen's code is a chunk of its own,
 * loaded when that screen is first needed (list-screen.ts; auth-view.ts): the first page
 * carries only this file, the session (auth.ts) and what both share. With a stored session the
 * list is painted from the device's copy before the network answers. Signing out here signs out
 * every tab and wipes the copy.
 */
import { createAuth, tokenClaims, type Session } from "./auth";
import type { AuthView } from "./auth-view";
import { $ } from "./dom";
import type { ListScreen } from "./list-screen";
import { registerWorker } from "./offline";
import type { SiteConfig } from "../../common/hosting";

type Config = Pick<SiteConfig, "region" | "userPoolClientId" | "apiBase" | "cognitoEndpoint" | "push">;

// Every form is handled by script: never the browser's own submission (a GET that would put a
// password in the URL), not even one made before a screen's code has arrived.
document.addEventListener("submit", (event) => event.preventDefault(), true);

let list: Promise<ListScreen> | undefined;
const listScreen = () => (list ??= import("./list-screen").then((m) => m.createListScreen()));

/**
 * A click on the sign-in screen before its code has arrived (auth-view.ts) is held, then made
 * once the code is there: a button pressed at once is never lost.
 */
let signInReady = false;
let heldClick: HTMLButtonElement | null = null;
$("auth").addEventListener(
  "click",
  (event) => {
    const button = (event.target as Element).closest("button");
    if (signInReady || !button) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    heldClick = button;
  },
  true,
);

function showOffline(): void {
  $("offline").hidden = navigator.onLine;
}
addEventListener("online", showOffline);
addEventListener("offline", showOffline);
showOffline();
registerWorker();

async function start(): Promise<void> {
  // A stored session: paint the list from the device before anything comes from the network.
  const stored = createAuth({ region: "", userPoolClientId: "" }).session();
  // Each screen's code starts downloading at once, while /config.json is fetched.
  const signInCode = stored ? null : import("./auth-view");
  if (stored) {
    showApp(accountEmail(stored));
    void listScreen().then((screen) => screen.paint(copyOwner(stored)));
  }

  let config: Config;
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(String(response.status));
    config = (await response.json()) as Config;
  } catch {
    $("auth").hidden = true;
    $("app").hidden = false;
    (await listScreen()).showMessage("tasklane could not start: its settings did not load. Check your connection and reload the page.");
    return;
  }

  const auth = createAuth(config);
  let signIn: Promise<AuthView> | undefined;
  const authView = () =>
    (signIn ??= (signInCode ?? import("./auth-view")).then((m) => {
      const view = m.createAuthView(auth, (session) => void signedIn(session, true), Boolean(config.cognitoEndpoint));
      signInReady = true;
      heldClick?.click();
      heldClick = null;
      return view;
    }));

  async function signedIn(session: Session, fresh = false): Promise<void> {
    showApp(accountEmail(session));
    (await listScreen()).start(config, auth, copyOwner(session), { signedOut }, fresh);
  }

  /**
   * Back to sign-in, and nothing of this person stays for the next one (list-screen.ts `stop`),
   * nor in the header. Only when the session ended on its own (`keepEmail`) does the sign-in form
   * keep their e-mail, to sign back in, with "Forget me on this device" beside it.
   */
  function signedOut(message: string, fromOtherTab: boolean, keepEmail: boolean): void {
    const session = auth.session();
    void list?.then((screen) => screen.stop(message, !fromOtherTab, keepEmail));
    void auth.signOut();
    showApp("");
    void authView().then((view) => {
      view.remember(keepEmail && session ? accountEmail(session) : "");
      view.show("sign-in", message);
    });
  }

  $("sign-out").addEventListener("click", () => {
    void listScreen().then((screen) => {
      const waiting = screen.waiting;
      const unsaved = `${waiting} ${waiting === 1 ? "change has" : "changes have"} not reached the server yet and will be lost.`;
      if (waiting > 0 && !confirm(`${unsaved} Sign out anyway?`)) return;
      signedOut("You are signed out.", false, false);
    });
  });

  const session = auth.session();
  if (session) void signedIn(session);
  // Signed out: the sign-in forms, then the list's code ahead of need (after the first paint).
  else void authView().then(() => listScreen());
}

/**
 * Whose the device copy is: the account's `sub` (its ID token's subject, which never changes and
 * is never reused), not the e-mail, which a person may change and a new account may take later.
 * A copy of anyone else is wiped before it is shown. It is also their member id (and their first
 * list's id).
 */
const copyOwner = (session: Session): string => {
  const sub = tokenClaims(session.idToken).sub;
  return typeof sub === "string" ? sub : "";
};

/** The e-mail as the account has it (the ID token's `email` claim), not as it was typed. */
const accountEmail = (session: Session): string => {
  const email = tokenClaims(session.idToken).email;
  return typeof email === "string" ? email : session.email;
};

/** The list screen for this e-mail ("" empties the header: signed out). */
function showApp(email: string): void {
  $("who-email").textContent = email;
  $("who-email").title = email; // cut with an ellipsis on a narrow screen: whole on hover
  // For password managers: the account whose password the "change password" form changes.
  $<HTMLInputElement>("password-user").value = email;
  $("who").hidden = !email;
  $("auth").hidden = Boolean(email);
  $("app").hidden = !email;
}

void start();
