/**
 * The signed-in screen's code, a chunk of its own: main.ts loads it when a session is stored, or
 * once someone signs in, so the sign-in screen never downloads the list, the sync engine or the
 * device copy (and the list screen never downloads the sign-in forms: auth-view.ts). It paints
 * the device's copy before the network answers, runs the app (app.ts, a chunk of its own fetched
 * at once: the paint does not wait for the sync engine's code) for the person signed in,
 * and, signing out, leaves nothing of them behind: the copy, the queue, what was typed (drafts,
 * forms), what was said (the live region), "Your account".
 */
import { ACCOUNT_DELETED, createApi } from "./api";
import type { App, AppHooks } from "./app";
import type { Auth } from "./auth";
import { idbStore, memoryStore, withFirstRead } from "./db";
import { deviceHeaders, deviceId, forgetDevice } from "./device";
import { $ } from "./dom";
import { kit } from "./kit";
import type { Live } from "./live";
import type { SiteConfig } from "../../common/hosting";
import * as m from "./model";
import type { Snapshot } from "./replica";
import { createTodoView, type Intents } from "./view";

export type ListScreenConfig = Pick<SiteConfig, "apiBase" | "push">;

export function createListScreen() {
  let app: App | undefined;
  const appCode = import("./app");
  /** Each start and stop: an app whose code arrives after a later one is never run. */
  let runs = 0;
  /** The app has read the copy: what is on screen is its own. */
  let ready = false;
  /** What the person did on the painted copy before the app had read it: done once it has, in order. */
  let held: [keyof Intents, unknown[]][] = [];
  /** Intents go to whichever app (signed-in person) is current; none while signed out. */
  const intents = new Proxy({} as Intents, {
    get:
      (_, name: keyof Intents) =>
      (...args: unknown[]) =>
        ready ? (app?.intents[name] as (...a: unknown[]) => void)(...args) : held.push([name, args]),
  });
  const view = createTodoView(intents);
  // Without IndexedDB (some private modes) the copy lives in this tab only: still usable online.
  const store = typeof indexedDB === "undefined" ? memoryStore() : idbStore();
  const initial = () => ({ ...m.withFilter(m.initialState, m.filterFromHash(location.hash)), listId: m.listFromSearch(location.search) });
  // "Overdue" depends on today: a tab left open overnight shows the new day when looked at again.
  document.addEventListener("visibilitychange", () => app && !document.hidden && view.render(app.state));
  addEventListener("hashchange", () => app?.filterChanged());
  // A filter link changes the URL as its own navigation would (a history entry: Back goes to the
  // filter before), without the navigation: on a slowed phone that was a quarter of a switch.
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest?.<HTMLAnchorElement>("a[data-filter]");
    if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.hash !== location.hash) history.pushState(null, "", link.hash);
    app?.filterChanged();
  });
  addEventListener("popstate", () => app?.listChanged());

  /**
   * "Your account" is code of its own (account.ts), fetched when the section opens: its forms
   * cannot be used before that (and main.ts stops any native submission meanwhile).
   */
  function accountSection(auth: Auth, api: ReturnType<typeof createApi>, deleted: () => void): void {
    let account: Promise<void> | undefined;
    const load = () =>
      (account ??= import("./later").then(
        (a) => a.createAccountView(kit, auth, api, deleted),
        (err: unknown) => {
          account = undefined; // not fetched (offline, no worker yet): the next opening fetches again
          throw err;
        },
      ));
    $("account").addEventListener("toggle", () => void load().catch(() => undefined));
  }

  let api: ReturnType<typeof createApi> | undefined;
  /** The copy as read for the first paint: the app's first read takes it (db.ts `withFirstRead`). */
  let painted: Promise<Snapshot> | null = null;

  return {
    /**
     * Paints `owner`'s device copy at once, before anything comes from the network: first the top
     * of the list as it was left (its glance, a small read), if it shows the whole list as the URL
     * asks, while the whole copy is read; then the copy.
     */
    async paint(owner: string): Promise<void> {
      const glance = store.glance().catch(() => undefined);
      const read = (painted = store.load());
      const g = await glance;
      const url = initial();
      // Unless the app has shown the copy already (a glance exists only while the copy is synced).
      if (g?.owner === owner && !app?.state.loaded && url.filter === "all" && (url.listId ?? g.listId) === g.listId)
        try {
          view.render(g);
        } catch {
          // kept by another build of the app, in a shape this one does not paint: the copy follows
        }
      const snapshot = await read.catch(() => null);
      if (snapshot && snapshot.user === owner && !app) view.render(m.fromSnapshot(snapshot, initial(), owner));
    },
    /** Runs the list for the person signed in (`owner`: their `sub`). `fresh`: just signed in. */
    start(config: ListScreenConfig, auth: Auth, owner: string, hooks: AppHooks, fresh: boolean): void {
      if (!api) {
        api = createApi(config.apiBase, auth, deviceHeaders);
        accountSection(auth, api, () => hooks.signedOut(ACCOUNT_DELETED, false, false));
      }
      app?.stop();
      app = undefined;
      ready = false;
      // The push channel (issue 18), if the stack has one.
      const live: Live | undefined = config.push && { ...config.push, idToken: () => auth.idToken(), device: () => deviceId() };
      const copy = withFirstRead(store, painted);
      const run = ++runs;
      painted = null;
      view.showMessage("");
      // No render here: the screen keeps what it shows (this person's copy, painted above, or the
      // empty list after a sign-out) until the app has read the device copy; no empty flash.
      void appCode.then(({ createApp }) => {
        if (run !== runs) return;
        const started = (app = createApp(api!, copy, owner, owner, view, hooks, live));
        const begun = started.start();
        // Held until it has read the copy, even if starting failed part-way: never kept for ever.
        void begun
          .catch(() => undefined)
          .then(() => {
            if (app !== started) return;
            ready = true;
            for (const [name, args] of held.splice(0)) (started.intents[name] as (...a: unknown[]) => void)(...args);
          });
      });
      // Just signed in: the next thing is to type a to-do.
      if (fresh) view.newTitle.focus();
    },
    /** Changes not yet on the server (signing out would lose them). */
    get waiting(): number {
      return app?.state.waiting ?? 0;
    },
    showMessage: (text: string) => view.showMessage(text),
    /** Signed out: stops the app and forgets everything of the person. `tell`: tell the other tabs. */
    stop(message: string, tell: boolean, keepEmail: boolean): void {
      if (tell) app?.tellSignedOut(message, keepEmail);
      app?.stop();
      app = undefined;
      runs++;
      ready = false;
      held = [];
      void store.wipe();
      forgetDevice();
      view.forget();
      resetAccount();
      view.render(initial());
      view.showMessage("");
    },
  };
}

export type ListScreen = ReturnType<typeof createListScreen>;

/** Forgets what "Your account" showed and what was typed in it (signing out). */
function resetAccount(): void {
  const note = $("account-note");
  note.textContent = "";
  note.classList.remove("ok");
  $<HTMLInputElement>("password-current").value = $<HTMLInputElement>("password-new").value = "";
  $<HTMLDetailsElement>("account").open = false;
}
