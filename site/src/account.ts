/**
 * "Your account": download my data (every list with its to-dos, as JSON or CSV: download.ts), change my password (Cognito
 * ChangePassword), delete my account (after a confirmation: DELETE /api/account, which does it
 * all on the server, the Cognito user included; then every tab signs out and the device copy is
 * wiped; the person's other devices follow at their next request, answered 410 account_deleted).
 * Results and errors appear in one alert line at the top of the section. Loaded when the
 * section first opens (main.ts), which also empties it on sign-out.
 */
import type { Api } from "./api";
import type { Auth } from "./auth";
import { explained } from "./auth-words";
import { downloadFile, gatherExport } from "./download";
import { passwordProblems } from "./password";
import type { Kit } from "./kit";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export function createAccountView({ el, explain }: Kit, auth: Auth, api: Api, accountGone: () => void) {
  const note = $("account-note");
  const say = (text: string, ok = false) => {
    note.textContent = text;
    note.classList.toggle("ok", ok);
  };
  /** Runs an action with its button busy, saying what went wrong if it fails. */
  const busy = async (button: HTMLButtonElement, what: string, action: () => Promise<void>) => {
    if (button.disabled) return;
    button.disabled = true;
    say("");
    try {
      await action();
    } catch (err) {
      say(`${what}: ${explain(err)}`);
    } finally {
      button.disabled = false;
    }
  };

  for (const format of ["json", "csv"] as const) {
    const button = $<HTMLButtonElement>(`export-${format}`);
    button.addEventListener("click", () => {
      void busy(button, "Could not download your data", async () => {
        const { parts, type, filename } = downloadFile(await gatherExport(api), format, new Date().toISOString());
        const url = URL.createObjectURL(new Blob(parts, { type }));
        el("a", { href: url, download: filename }).click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        say(`Downloaded ${filename}.`, true);
      });
    });
  }

  const form = $<HTMLFormElement>("password");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const current = $<HTMLInputElement>("password-current");
    const next = $<HTMLInputElement>("password-new");
    const problems = current.value ? passwordProblems(next.value) : ["Enter your current password."];
    if (problems.length) {
      say(problems.join(" "));
      (current.value ? next : current).focus();
      return;
    }
    void busy(form.querySelector("button")!, "Your password is not changed", async () => {
      try {
        await auth.changePassword(current.value, next.value);
      } catch (err) {
        throw explained(err);
      }
      current.value = next.value = "";
      say("Your password is changed.", true);
    });
  });

  const deleteButton = $<HTMLButtonElement>("delete-account");
  deleteButton.addEventListener("click", () => {
    const question =
      "Delete your account? Your lists go too; a list you share goes to its oldest editor, or is deleted if it has none. This cannot be undone.";
    if (!confirm(question)) return;
    void busy(deleteButton, "Your account is not deleted", async () => {
      await api.deleteAccount();
      accountGone();
    });
  });
}
