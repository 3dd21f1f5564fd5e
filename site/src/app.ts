/**
 * The signed-in screen's controller: turns what the person does into intents for the sync engine
 * (engine.ts), renders the device copy whenever it changes, and keeps tabs and devices in step.
 *
 * - Everything shows at once, online or not; the engine sends it when it can. A change the server
 *   refuses disappears from the screen with a visible message (role=alert), and typed text comes
 *   back (a refused add refills the form, a refused edit re-opens the editor).
 * - Other tabs and devices (issue 18): in-step.ts (one leader tab, the push channel, pulls on a
 *   look and, without the channel, on a timer).
 */
import { ACCOUNT_DELETED, type Api } from "./api";
import type { DeviceStore } from "./db";
import { createEngine, pullCode, sendCode } from "./engine";
import * as m from "./model";
import { HOLD_MARGIN_MS, isLocalId, UNDO_MS, type Intent, type Renamed, type Snapshot, type UndoableIntent } from "./replica";
import { kit } from "./kit";
import type { ListIntents } from "./lists-view";
import { keepInStep } from "./in-step";
import { createTodoIntents } from "./todo-intents";
import { announce, type TodoView } from "./view";
import { createUndo } from "./undo";
import { createSetbacks } from "./setbacks";
import { listenToKeys } from "./keys";
import type { Choice } from "./conflicts-view";
import type { Live } from "./live";

export { POLL_MS } from "./in-step";

type ListIntentName = Exclude<keyof ListIntents, "selectList">;

export interface AppHooks {
  /**
   * The session is over (here or in another tab): back to sign-in. `keepEmail`: it ended on its
   * own (not the person's choice), so the sign-in form may offer their e-mail again.
   */
  signedOut(message: string, fromOtherTab: boolean, keepEmail: boolean): void;
}

/** `user`: whose the device copy is (their e-mail); `me`: their id (the token's sub, also their first list's id). */
/** The parts of the copy the screen shows (the cursor is not one of them). */
const SHOWN = ["lists", "todos", "members", "queue", "conflicts", "synced"] as const;

export function createApp(api: Api, store: DeviceStore, user: string, me: string, view: TodoView, hooks: AppHooks, live?: Live) {
  let state: m.State = { ...m.withFilter(m.initialState, m.filterFromHash(location.hash)), listId: m.listFromSearch(location.search) };
  let alive = true;

  function set(next: m.State): void {
    state = next;
    // The URL names the list shown (a list made here gets its real id once the server has it).
    const named = m.listFromSearch(location.search);
    if (state.listId !== null && named !== state.listId && state.lists.length > 0) {
      history.replaceState(null, "", `?list=${encodeURIComponent(state.listId)}${location.hash}`);
    }
    // One render for everything one event changes (an editor closed and its change queued: two
    // states, one render), still before the browser paints (a microtask runs before rendering).
    if (!rendering) queueMicrotask(renderNow);
    rendering = true;
  }
  let rendering = false;
  function renderNow(): void {
    rendering = false;
    if (alive) view.render(state);
    keepGlance?.();
  }
  /** Keeps the screen's glance for the next reload (glance.ts), once its code is here. */
  let keepGlance: (() => void) | undefined;

  // The code fetched after the first paint (later.ts): lists and members, shortcuts, the editor.
  const later = import("./later");
  /**
   * The to-do made here under the open editor's local id, when another tab sent it (this tab only
   * read the copy it wrote): it says which local id it was made as. Undefined: none (its creation
   * is still waiting, or was refused: the editor stays with its text).
   */
  const madeElsewhere = (snapshot: Snapshot): Renamed | undefined => {
    const from = state.editing;
    if (from === null || !isLocalId(from) || snapshot.queue.some((q) => q.intent.kind === "create" && q.intent.id === from))
      return undefined;
    for (const t of snapshot.todos.values()) if (t.createdAs === from) return { listId: t.listId, from, to: t.id };
    return undefined;
  };
  const setbacks = createSetbacks({ view, later, state: () => state, set, alive: () => alive });
  /** The copy last shown: parts of it that are the same objects (applyTx keeps what a transaction does not touch) show the same. */
  let rendered: Snapshot | null = null;
  const engine = createEngine(
    api,
    store,
    {
      changed(snapshot: Snapshot, local: boolean, sent?: Renamed) {
        if (local) inStep.changed();
        const renamed = sent ?? madeElsewhere(snapshot);
        // A to-do made here has its real id now: its row, and an editor open on it with what is
        // typed there, stay as they are under that id (the editor is based on the to-do as made).
        if (renamed) {
          view.renameRow(renamed.from, renamed.to);
          const created = snapshot.todos.get(`${renamed.listId}/${renamed.to}`);
          if (state.editing === renamed.from && created) state = { ...state, editing: created.id, opened: created };
        }
        // Nothing shown changed (a pull that only moved the cursor): no new state, no render.
        const same = rendered !== null && SHOWN.every((k) => snapshot[k] === rendered![k]);
        rendered = snapshot;
        if (same) return;
        const made =
          state.listId !== null && isLocalId(state.listId)
            ? [...snapshot.lists.values()].find((l) => l.createdAs === state.listId)
            : undefined;
        // A list just joined shows once the pull has brought it.
        const joined = awaited !== null && snapshot.lists.has(awaited) ? awaited : null;
        if (joined) awaited = null;
        set(m.fromSnapshot(snapshot, state, me, joined ?? made?.id ?? state.listId));
      },
      ...setbacks,
      signedOut(accountDeleted) {
        if (accountDeleted) hooks.signedOut(ACCOUNT_DELETED, false, false);
        else hooks.signedOut("Your session has ended. Sign in again; your to-dos are safe.", false, true);
      },
    },
    me,
  );

  const inStep = keepInStep({
    engine,
    live,
    me,
    alive: () => alive,
    signedOut: (message, keepEmail) => hooks.signedOut(message, true, keepEmail),
    looked: () => void lists.then((l) => l.loadInvitations()),
    // Hidden: a change offered for undo is final (sent now, before the person may close the tab).
    hidden: () => undo.dismiss(true),
  });

  const undo = createUndo(engine, (text) => view.showMessage(text));
  /** Queues a change; a new change ends the offer to undo the one before (it is sent now). */
  const queue = (...intents: Intent[]) => {
    undo.dismiss();
    void engine.enqueue(...intents);
  };
  void later.then((code) => code.deriveStepwise(kit)).catch(() => undefined); // each change's screen from the last one's
  void later
    .then((code) => {
      keepGlance = code.keepGlances(
        store,
        () => state,
        () => engine.snapshot,
        () => alive,
      );
      keepGlance(); // the screen may have been still since before this code came
    })
    .catch(() => undefined);
  const keys = listenToKeys({ later, undo, view, alive: () => alive });
  /** Queues an undoable change (held until the offer ends) and offers Undo. */
  const undoable = (intent: UndoableIntent, said: string, restored: string) => {
    undo.dismiss();
    const seqs = engine.enqueue({ ...intent, holdUntil: Date.now() + UNDO_MS + HOLD_MARGIN_MS });
    undo.offer(seqs, said, restored);
    announce(`${said} Undo with Ctrl+Z.`);
  };
  // Lists and members are managed by code fetched after the first paint (list-intents.ts, in later.ts).
  const lists = later.then((code) =>
    code.createListIntents(kit, {
      api,
      me,
      queue,
      view,
      state: () => state,
      snapshot: () => engine.snapshot,
      select,
      pull: () => engine.pull(),
    }),
  );
  const listIntent =
    <K extends ListIntentName>(name: K) =>
    (...args: Parameters<ListIntents[K]>) =>
      void lists.then((l) => (l.intents[name] as (...a: Parameters<ListIntents[K]>) => void)(...args));

  /** A list to show as soon as the copy has it (an invitation just accepted). */
  let awaited: string | null = null;
  /** Shows another list (the URL says which; the filter stays). */
  function select(id: string, push = true): void {
    if (!engine.shown.lists.has(id) && !isLocalId(id)) awaited = id;
    if (push) history.pushState(null, "", `?list=${encodeURIComponent(id)}${location.hash}`);
    set(m.fromSnapshot(engine.shown, m.withEditing(state, null), me, id));
  }

  const todoIntents = createTodoIntents({
    me,
    state: () => state,
    set,
    snapshot: () => engine.snapshot,
    queue,
    undoable,
    view,
    later,
  });

  const intents = {
    ...todoIntents,
    search(query: string): void {
      set(m.withQuery(state, query));
    },
    retry(): void {
      view.loadFailed(false);
      engine.pull();
    },
    resolve(conflictId: string, choice: Choice): void {
      const c = state.conflicts.find((x) => x.id === conflictId);
      // The conflict view is in the code fetched after the first paint, as is "Keep mine".
      if (c) void later.then((code) => engine.resolve(conflictId, ...(choice === "mine" ? code.keepMine(kit, c) : [])));
    },
    newList: listIntent("newList"),
    renameList: listIntent("renameList"),
    deleteList: listIntent("deleteList"),
    moveList: listIntent("moveList"),
    invite: listIntent("invite"),
    setRole: listIntent("setRole"),
    removeMember: listIntent("removeMember"),
    answerInvitation: listIntent("answerInvitation"),
    selectList: (id: string) => select(id),
  };

  return {
    intents,
    undo,
    /** Opens the device copy (wiping another person's), paints it, then syncs. */
    async start(): Promise<void> {
      void pullCode().catch(() => undefined); // ahead of the first pull, while the copy is read
      await engine.reload(async () => {
        // Another person's copy is wiped before anything of it is shown.
        if ((await store.head()).user !== user) {
          await store.wipe();
          await store.commit({ user });
        }
        // Intents queued before lists (device copy version 1) were about the first list.
        const legacy = (await store.head()).queue.filter((q) => !("listId" in q.intent) && q.intent.kind !== "createList");
        if (legacy.length)
          await store.commit({ requeue: legacy.map((q) => ({ seq: q.seq, intent: { ...q.intent, listId: me } as Intent })) });
      });
      // Changes offered for undo on an earlier page (before a reload): nobody can take them back now.
      await engine.release(engine.snapshot.queue.filter((q) => "holdUntil" in q.intent && q.intent.holdUntil).map((q) => q.seq));
      inStep.join();
      void sendCode().catch(() => undefined); // ahead of the first change (fetched again on use if this fails)
    },
    /** Back or forward: the URL names another list. */
    listChanged(): void {
      const id = m.listFromSearch(location.search);
      if (id && id !== state.listId) select(id, false);
    },
    filterChanged(): void {
      set(m.withFilter(state, m.filterFromHash(location.hash)));
      announce(`Showing ${state.filter === "all" ? "all" : state.filter} to-dos: ${m.visible(state).length}.`);
    },
    get state(): m.State {
      return state;
    },
    /** Stops everything (signed out); late answers change nothing. */
    stop(): void {
      alive = false;
      undo.dismiss();
      engine.stop();
      inStep.stop();
      keys.stop();
    },
    /** Tells the other tabs to sign out too. */
    tellSignedOut(message: string, keepEmail: boolean): void {
      inStep.tellSignedOut(message, keepEmail);
    },
  };
}

export type App = ReturnType<typeof createApp>;
