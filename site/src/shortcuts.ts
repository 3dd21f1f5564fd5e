/**
 * Keyboard shortcuts (issue 19), one table: the keys, what each does, and the help dialog's
 * list are all read from SHORTCUTS. Single keys act only when the person is not typing (not in
 * a field, an editor or a dialog's form), so no shortcut ever eats a typed letter; other modified
 * keys (Alt, Ctrl or ⌘ but for undo) are left to the browser and to the rows' own Alt+Arrow moves.
 */
export type ShortcutAction = "newTodo" | "search" | "next" | "previous" | "undo" | "help";

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it. */
  readonly keys: readonly string[];
  /** With Ctrl (or ⌘ on a Mac), and still never in a field, where the browser's own undo works. */
  readonly ctrl?: boolean;
  /** How the help dialog writes the keys. */
  readonly shown: string;
  readonly does: string;
  readonly action: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ["n"], shown: "N", does: "New to-do", action: "newTodo" },
  { keys: ["/"], shown: "/", does: "Search", action: "search" },
  { keys: ["j", "ArrowDown"], shown: "J or ↓", does: "Next to-do", action: "next" },
  { keys: ["k", "ArrowUp"], shown: "K or ↑", does: "Previous to-do", action: "previous" },
  { keys: ["z", "Z"], ctrl: true, shown: "Ctrl+Z or ⌘Z", does: "Undo a delete, “Clear completed” or “Mark all”", action: "undo" },
  { keys: ["?"], shown: "?", does: "These shortcuts", action: "help" },
];

/** The `aria-keyshortcuts` value of an action's control (e.g. "n" for the add field). */
export const ariaKeys = (action: ShortcutAction): string =>
  SHORTCUTS.find((s) => s.action === action)!
    .keys.filter((k) => k.length === 1)
    .join(" ");

/** What a key press is like, as far as shortcuts care (a KeyboardEvent is one). */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly target: EventTarget | null;
}

/** True where a key is text the person types, not a command. */
function typing(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string; closest?: (s: string) => unknown } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  if (el.tagName === "INPUT") return !["checkbox", "radio", "button", "submit", "reset"].includes(el.type ?? "text");
  return Boolean(el.closest?.("dialog[open]"));
}

/**
 * The action of a key press, or null. Arrow keys move between rows only from a row's own controls
 * or the page (never from a field, where they move the caret).
 */
export function shortcutOf(press: KeyPress): ShortcutAction | null {
  const ctrl = press.ctrlKey !== press.metaKey; // one of them, not both
  if (press.altKey || (!ctrl && (press.ctrlKey || press.metaKey)) || typing(press.target)) return null;
  return SHORTCUTS.find((s) => Boolean(s.ctrl) === ctrl && s.keys.includes(press.key))?.action ?? null;
}
