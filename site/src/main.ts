/**
 * Entry point: reads /config.json, then shows the to-do list (a stored session) or the
 * sign-in screen, and switches between them.
 */
import { createApi } from "./api";
import { createApp, type App } from "./app";
import { createAuth, type Session } from "./auth";
import { createAuthView } from "./auth-view";
import { $, createTodoView, type Intents } from "./view";

interface Config {
  readonly region: string;
  readonly userPoolClientId: string;
  readonly apiBase: string;
  readonly cognitoEndpoint?: string;
}

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
  loadMore: () => void app?.intents.loadMore(),
};
const view = createTodoView(intents);

function showOffline(): void {
  $("offline").hidden = navigator.onLine;
}
addEventListener("online", () => {
  showOffline();
  // Back online: if the list never loaded, load it now.
  if (app && !app.state.loaded) void app.load();
});
addEventListener("offline", showOffline);
// "Overdue" depends on today: a tab left open overnight shows the new day when looked at again.
document.addEventListener("visibilitychange", () => app && !document.hidden && view.render(app.state));
showOffline();

async function start(): Promise<void> {
  // A stored session shows the list frame at once, before config and data arrive.
  const stored = createAuth({ region: "", userPoolClientId: "" }).session();
  if (stored) showApp(stored.email);

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

  function signedIn(session: Session): void {
    app?.stop();
    showApp(session.email);
    app = createApp(api, view, { signedOut });
    view.showMessage("");
    view.render(app.state);
    void app.load();
  }

  function signedOut(message = ""): void {
    app?.stop();
    app = undefined;
    // Keep the e-mail in the sign-in form: signing back in (or resetting) takes one field less.
    const email = $<HTMLInputElement>("sign-in-email");
    email.value ||= auth.session()?.email ?? "";
    void auth.signOut();
    view.render({ items: [], nextCursor: null, filter: "all", editing: null, loaded: false });
    view.showMessage("");
    $("who").hidden = true;
    $("app").hidden = true;
    $("auth").hidden = false;
    authView.show("sign-in", message);
  }

  const authView = createAuthView(auth, signedIn);
  $("sign-out").addEventListener("click", () => {
    // What was typed belongs to this person: do not leave it for the next one.
    view.clearNew();
    signedOut("You are signed out.");
  });
  addEventListener("hashchange", () => app?.filterChanged());

  const session = auth.session();
  if (session) signedIn(session);
}

function showApp(email: string): void {
  $("who-email").textContent = email;
  $("who").hidden = false;
  $("auth").hidden = true;
  $("app").hidden = false;
}

void start();
