/**
 * Entry point: paints the device's copy of the list at once (a stored session), reads
 * /config.json (the service worker answers it offline), then runs the list or the sign-in
 * screen and switches between them. Signing out here signs out every tab and wipes the copy.
 */
import { createApi } from "./api";
import { createApp, type App } from "./app";
import type { Live } from "./live";
import { createAuth, tokenClaims, type Session } from "./auth";
import { createAuthView } from "./auth-view";
import { idbStore, memoryStore } from "./db";
import { kit } from "./kit";
import * as m from "./model";
import { registerWorker } from "./offline";
import { $, createTodoView, type Intents } from "./view";
import type { SiteConfig } from "../../common/hosting";

type Config = Pick<SiteConfig, "region" | "userPoolClientId" | "apiBase" | "cognitoEndpoint" | "push">;

let app: App | undefined;
/** Intents go to whichever app (signed-in user) is current. */
const intents: Intents = {
  add: (t, due) => app?.intents.add(t, due),
  toggle: (id) => app?.intents.toggle(id),
  startEdit: (id) => app?.intents.startEdit(id),
  saveEdit: (id, t, due) => app?.intents.saveEdit(id, t, due),
  cancelEdit: (id) => app?.intents.cancelEdit(id),
  remove: (id) => app?.intents.remove(id),
  toggleAll: () => app?.intents.toggleAll(),
  clearCompleted: () => app?.intents.clearCompleted(),
  retry: () => app?.intents.retry(),
  resolve: (id, choice) => app?.intents.resolve(id, choice),
  reorder: (id, to) => app?.intents.reorder(id, to),
  moveTo: (id, listId) => app?.intents.moveTo(id, listId),
  selectList: (id) => app?.intents.selectList(id),
  newList: (name) => app?.intents.newList(name),
  renameList: (id, name) => app?.intents.renameList(id, name),
  deleteList: (id) => app?.intents.deleteList(id),
  moveList: (id, step) => app?.intents.moveList(id, step),
  invite: (email, role) => app?.intents.invite(email, role),
  setRole: (memberId, role) => app?.intents.setRole(memberId, role),
  removeMember: (memberId) => app?.intents.removeMember(memberId),
  answerInvitation: (id, accept) => app?.intents.answerInvitation(id, accept),
};
const view = createTodoView(intents);
// Without IndexedDB (some private modes) the copy lives in this tab only: still usable online.
const store = typeof indexedDB === "undefined" ? memoryStore() : idbStore();
const initial = () => ({ ...m.withFilter(m.initialState, m.filterFromHash(location.hash)), listId: m.listFromSearch(location.search) });

function showOffline(): void {
  $("offline").hidden = navigator.onLine;
}
addEventListener("online", showOffline);
addEventListener("offline", showOffline);
// "Overdue" depends on today: a tab left open overnight shows the new day when looked at again.
document.addEventListener("visibilitychange", () => app && !document.hidden && view.render(app.state));
showOffline();
registerWorker();

async function start(): Promise<void> {
  // A stored session: paint the list from the device before anything comes from the network.
  const stored = createAuth({ region: "", userPoolClientId: "" }).session();
  if (stored) {
    showApp(accountEmail(stored));
    const snapshot = await store.load().catch(() => null);
    if (snapshot && snapshot.user === copyOwner(stored) && !app) view.render(m.fromSnapshot(snapshot, initial(), copyOwner(stored)));
  }

  let config: Config;
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(String(response.status));
    config = (await response.json()) as Config;
  } catch {
    $("auth").hidden = true;
    $("app").hidden = false;
    view.showMessage("tasklane could not start: its settings did not load. Check your connection and reload the page.");
    return;
  }

  const auth = createAuth(config);
  const api = createApi(config.apiBase, auth);
  // The push channel (issue 18), if the stack has one.
  const live: Live | undefined = config.push && { ...config.push, idToken: () => auth.idToken() };
  // "Your account" is code of its own (account.ts), loaded when the section first opens.
  const passwordForm = $<HTMLFormElement>("password");
  let account: Promise<void> | undefined;
  const loadAccount = () =>
    (account ??= import("./later").then(
      (a) => {
        a.createAccountView(kit, auth, api, () => signedOut("Your account and all its to-dos are deleted.", false, false));
        passwordForm.removeEventListener("submit", early);
      },
      (err: unknown) => {
        account = undefined; // not fetched (offline, no worker yet): the next try fetches again
        throw err;
      },
    ));
  // A submit before it is here waits for it: never the browser's own GET, passwords in the URL.
  function early(event: Event): void {
    event.preventDefault();
    loadAccount().then(
      () => passwordForm.requestSubmit(),
      () => undefined,
    );
  }
  passwordForm.addEventListener("submit", early);
  $("account").addEventListener("toggle", () => void loadAccount().catch(() => undefined));

  function signedIn(session: Session, fresh = false): void {
    app?.stop();
    showApp(accountEmail(session));
    app = createApp(api, store, copyOwner(session), copyOwner(session), view, { signedOut }, live);
    view.showMessage("");
    // No render here: the screen keeps what it shows (this person's copy, painted above, or the
    // empty list after a sign-out) until the app has read the device copy; no empty flash.
    void app.start();
    // Just signed in: the next thing is to type a to-do.
    if (fresh) view.newTitle.focus();
  }

  /**
   * Back to sign-in, and nothing of this person stays for the next one: the copy, the queue, the
   * session, what was typed (drafts, forms), what was said (the live region), the header. Only
   * when the session ended on its own (`keepEmail`) does the sign-in form keep their e-mail, to
   * sign back in, with "Forget me on this device" beside it.
   */
  function signedOut(message: string, fromOtherTab: boolean, keepEmail: boolean): void {
    const session = auth.session();
    if (!fromOtherTab) app?.tellSignedOut(message, keepEmail);
    app?.stop();
    app = undefined;
    void store.wipe();
    view.forget();
    resetAccount();
    void auth.signOut();
    view.render(initial());
    view.showMessage("");
    showApp("");
    authView.remember(keepEmail && session ? accountEmail(session) : "");
    authView.show("sign-in", message);
  }

  const authView = createAuthView(auth, (session) => signedIn(session, true), Boolean(config.cognitoEndpoint));
  $("sign-out").addEventListener("click", () => {
    const waiting = app?.state.waiting ?? 0;
    const unsaved = `${waiting} ${waiting === 1 ? "change has" : "changes have"} not reached the server yet and will be lost.`;
    if (waiting > 0 && !confirm(`${unsaved} Sign out anyway?`)) return;
    signedOut("You are signed out.", false, false);
  });
  addEventListener("hashchange", () => app?.filterChanged());
  addEventListener("popstate", () => app?.listChanged());

  const session = auth.session();
  if (session) signedIn(session);
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

/** Forgets what "Your account" showed and what was typed in it (signing out). */
function resetAccount(): void {
  const note = $("account-note");
  note.textContent = "";
  note.classList.remove("ok");
  $<HTMLInputElement>("password-current").value = $<HTMLInputElement>("password-new").value = "";
  $<HTMLDetailsElement>("account").open = false;
}

/** The e-mail as the account has it (the ID token's `email` claim), not as it was typed. */
const accountEmail = (session: Session): string => {
  const email = tokenClaims(session.idToken).email;
  return typeof email === "string" ? email : session.email;
};

/** The list screen for this e-mail ("" empties the header: signed out). */
function showApp(email: string): void {
  $("who-email").textContent = email;
  // For password managers: the account whose password the "change password" form changes.
  $<HTMLInputElement>("password-user").value = email;
  $("who").hidden = !email;
  $("auth").hidden = Boolean(email);
  $("app").hidden = !email;
}

void start();
