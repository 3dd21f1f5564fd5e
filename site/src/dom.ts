/** The DOM helpers every part uses (the sign-in screen without the list's code; the chunks loaded later through kit.ts). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let announcing: ReturnType<typeof setTimeout> | undefined;

/** Says something to screen-reader users without moving focus; "" (signing out) says nothing more. */
export function announce(text: string): void {
  const region = $("announce");
  // Clearing first makes a repeated sentence count as a change.
  region.textContent = "";
  clearTimeout(announcing);
  if (text) announcing = setTimeout(() => (region.textContent = text), 50);
}
