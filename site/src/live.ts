/**
 * When the leader tab holds the push connection, and what a poke or an "up" makes it do (issue
 * 18). Loaded with push.ts after the first paint (app.ts imports it on demand: the first page's
 * weight budget), so until it is here the app behaves as without a channel.
 *
 * - Open while this tab leads and a tab of this browser is seen: this one, or another that asked
 *   the leader to pull within HIDDEN_CLOSE_MS (a visible tab's timer asks every POLL_MS).
 * - Up: one pull (whatever was missed while down). A poke: one pull, POKE_GATHER_MS later, for
 *   every poke in between (and the engine merges pokes that land while it pulls). A poke whose
 *   changes all came from this device (`from`, common/push.ts) pulls nothing: the copy holds them
 *   already, from its writes' answers (send.ts; a bulk route or a list intent whose answer is not
 *   the whole story asks the engine for a pull itself, `wantPull`). Any other poke in the same
 *   window pulls, so mixed sources always pull. The feed's cursor stays behind this device's own
 *   changes: the next pull brings them again, and merging them changes nothing.
 *   The first try failing also pulls once: the pull the app left to the channel (`quiet`).
 * - Nobody looking: a poke pulls nothing, it is remembered and pulled once when the tab is seen
 *   again; a lost link is not retried; after HIDDEN_CLOSE_MS the connection closes.
 */
import type { SiteConfig } from "../../common/hosting";
import { connectPush, sameOrigin } from "./push";

/** Where the push channel is (SiteConfig.push), the ID token it needs, and this browser's device id (device.ts). */
export type Live = NonNullable<SiteConfig["push"]> & { idToken(): Promise<string>; device(): string };

/**
 * Hidden this long, the leader closes the push connection (unless another tab is visible). 3
 * minutes: a person who looks away and back within it (another tab, a call) finds the list in
 * step without a reconnect and its pull; a tab left behind stops costing connection-minutes soon
 * after. It is below the 5 minutes after which Chromium throttles a hidden page's timers to once a
 * minute ("intensive throttling", https://developer.chrome.com/blog/timer-throttling-in-chrome-88),
 * so the close happens when it says.
 */
export const HIDDEN_CLOSE_MS = 180_000;

/**
 * Pokes within this long of a first one make one pull. One change can poke more than once: a new
 * to-do and its list's counter are two writes, each poking at once locally (measured: 99 pulls on
 * the other device for 50 adds without it, 2 per add; the engine's own coalescing merges only
 * pokes that land while a pull runs), and on AWS they may fall in two stream batches.
 */
export const POKE_GATHER_MS = 100;

export interface ChannelHooks {
  readonly live: Live;
  /** The person's `sub` (their channel). */
  readonly sub: string;
  /** This tab may hold the connection (signed in, leading). */
  may(): boolean;
  pull(): void;
}

export function createChannel(hooks: ChannelHooks) {
  let link: { close(): void } | null = null;
  let up = false;
  /** Opened, neither up nor failed yet: its first answer pulls, so nothing else needs to. */
  let connecting = false;
  /** A poke came while nobody looked. */
  let stale = false;
  let hiddenAt = 0;
  let askedAt = -Infinity;
  let closing: ReturnType<typeof setTimeout> | undefined;
  let gathering: ReturnType<typeof setTimeout> | undefined;
  const seen = () => !document.hidden || Date.now() - askedAt < HIDDEN_CLOSE_MS;
  const pull = () => {
    stale = false;
    hooks.pull();
  };

  function open(): void {
    connecting = true;
    stale = false; // its first answer pulls
    link = connectPush({
      url: hooks.live.realtimeUrl ?? sameOrigin(),
      host: hooks.live.host ?? location.host,
      idToken: () => hooks.live.idToken(),
      sub: hooks.sub,
      poked(poke) {
        if (poke.from !== undefined && poke.from === hooks.live.device()) return; // our own writes: the copy has them
        if (!seen()) stale = true;
        else
          gathering ??= setTimeout(() => {
            gathering = undefined;
            pull();
          }, POKE_GATHER_MS);
      },
      up(on) {
        if (on || connecting) pull();
        up = on;
        connecting = false;
        if (!on && !seen()) close(); // no reconnects while nobody looks
      },
    });
  }
  function close(): void {
    const old = link;
    link = null;
    up = connecting = false;
    old?.close();
  }

  /** Opens or closes the connection as the tab's state says; pulls a poke remembered while hidden. */
  function steer(): void {
    clearTimeout(closing);
    if (!hooks.may()) return close();
    if (seen() && !link) open();
    else if (stale && !document.hidden) pull();
    if (!document.hidden) return;
    // Hidden: kept until HIDDEN_CLOSE_MS after this tab hid or another tab last asked, if it is up.
    const until = Math.max(hiddenAt, askedAt) + HIDDEN_CLOSE_MS;
    if ((up || seen()) && Date.now() < until) closing = setTimeout(steer, until - Date.now());
    else close();
  }

  return {
    steer,
    /**
     * Nothing to pull now: the channel will say when. For the timer: it is up (or its first answer
     * is due) and no poke waits. For a look at the tab (focus, visibility, online): only while its
     * first answer is due (that pulls); otherwise a look pulls, up or not, the safety net for a
     * poke lost on the way (the poke function drops a batch it could not deliver in a minute).
     */
    quiet: (timer: boolean) => (timer ? (up || connecting) && !stale : connecting),
    /** Another tab asked this leader to pull: that tab is seen. */
    asked(): void {
      askedAt = Date.now();
      steer();
    },
    /** This tab was hidden just now. */
    hid(): void {
      hiddenAt = Date.now();
      steer();
    },
  };
}

export type Channel = ReturnType<typeof createChannel>;
