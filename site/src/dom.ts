/** The one DOM helper every screen uses (the sign-in screen without the list's code). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
