/**
 * Keeping this tab in step with the other tabs and devices (issue 18), for app.ts:
 * - One tab leads (tabs.ts, a Web Lock): it sends and pulls; the others hear of its changes
 *   ("changed": they read the device copy again) and ask it to pull when looked at.
 * - The leader listens on the push channel (live.ts, fetched after the first paint), which pulls
 *   on each poke and once each time it comes up; while it is up nothing is pulled on a timer, and
 *   a look at the tab (focus, visibility, online) still pulls once (the safety net for a lost
 *   poke). While it is down or absent (no settings, no WebSocket, refused, unreachable, not
 *   loaded yet): those looks and every POLL_MS while visible. A hidden tab polls nothing.
 */
import type { createEngine } from "./engine";
import type { Channel, Live } from "./live";
import { createTabs, type TabMessage } from "./tabs";

/** Without the push channel, pull every 30 s while visible: 120 tiny requests per active hour when nothing changes. */
export const POLL_MS = 30_000;

export interface InStepContext {
  readonly engine: Pick<ReturnType<typeof createEngine>, "reload" | "pull" | "lead">;
  /** The push channel's settings, when the stack has one. */
  readonly live?: Live;
  /** The person's id (their channel is theirs alone). */
  readonly me: string;
  /** False once signed out: nothing more is pulled or listened to. */
  readonly alive: () => boolean;
  /** Another tab signed out (every tab goes back to sign-in). */
  readonly signedOut: (message: string, keepEmail: boolean) => void;
  /** The tab was looked at (focus, visibility): after the pull, anything else to look for. */
  readonly looked: () => void;
  /** The tab was hidden. */
  readonly hidden: () => void;
}

export function keepInStep(ctx: InStepContext) {
  const { engine, live, me, alive } = ctx;
  let leading = false;
  let rereading: Promise<unknown> | null = null;
  /** Joined once the device copy is this person's (`join`). */
  let tabs: ReturnType<typeof createTabs> | null = null;
  const joinTabs = () =>
    createTabs(
      (message: TabMessage) => {
        if (message.type === "changed") rereading ??= engine.reload().finally(() => (rereading = null));
        else if (message.type === "pull") {
          channel?.asked();
          if (leading && !channel?.quiet(message.timer)) engine.pull();
        } else ctx.signedOut(message.message, message.keepEmail);
      },
      (on) => {
        leading = on;
        engine.lead(on);
        steer();
      },
    );

  /** The push channel (live.ts), once loaded; fetched when this tab first leads with one configured. */
  let channel: Channel | null = null;
  let loading = false;
  function steer(): void {
    if (channel || !live || !leading || loading || typeof WebSocket !== "function") return channel?.steer();
    loading = true;
    import("./live").then(
      ({ createChannel }) => {
        channel = createChannel({ live, sub: me, may: () => alive() && leading, pull: () => engine.pull() });
        channel.steer();
      },
      () => (loading = false), // not fetched (offline, no worker yet): tried again on the next catch-up
    );
  }

  /**
   * Catch up with other devices: this tab pulls if it leads, else asks the tab that does; nothing
   * to do when the channel says so (`timer`: asked by POLL_MS, not by a look). Calls close
   * together (focus and visibility fire at once) make at most one more pull.
   */
  function catchUp(timer = false): void {
    if (!alive() || document.hidden) return;
    steer();
    if (leading && channel?.quiet(timer)) return;
    // Wanted here too: if this tab becomes the sender (the lock is granted later), it pulls.
    engine.pull();
    if (!leading) tabs?.tell({ type: "pull", timer });
  }
  /** Focus or visibility: a catch-up, and whatever else a look is for (`looked`). */
  function lookAround(): void {
    catchUp();
    if (alive() && !document.hidden) ctx.looked();
  }
  const poll = setInterval(() => catchUp(true), POLL_MS);
  const onOnline = () => catchUp();
  const onVisible = () => {
    if (!document.hidden) return lookAround();
    ctx.hidden();
    channel?.hid();
  };
  document.addEventListener("visibilitychange", onVisible);
  addEventListener("focus", lookAround);
  addEventListener("online", onOnline);

  return {
    /** The device copy is this person's: join the other tabs (one leads), and look around once. */
    join(): void {
      if (alive()) tabs = joinTabs();
      lookAround();
    },
    /** Tells the other tabs something this tab changed the device copy. */
    changed(): void {
      tabs?.tell({ type: "changed" });
    },
    /** Tells the other tabs to sign out too. */
    tellSignedOut(message: string, keepEmail: boolean): void {
      tabs?.tell({ type: "signed-out", message, keepEmail });
    },
    stop(): void {
      tabs?.close(); // not leading: the channel closes
      clearInterval(poll);
      document.removeEventListener("visibilitychange", onVisible);
      removeEventListener("focus", lookAround);
      removeEventListener("online", onOnline);
    },
  };
}
