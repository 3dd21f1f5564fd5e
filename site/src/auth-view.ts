/**
 * The signed-out screens: sign in, create an account, confirm it, reset a password. One form
 * shows at a time; they share one e-mail value (typed in any, it is the same in all). Each error appears next to the
 * field it concerns (aria-invalid + aria-describedby), or at the top of the form (role=alert).
 */
import { AuthError, looksLikeEmail, type Auth, type Session } from "./auth";
import { createFlows } from "./auth-words";
import { passwordProblems } from "./password";
import { $ } from "./dom";

type FormName = "sign-in" | "sign-up" | "confirm" | "forgot" | "reset";
type Field = "email" | "password" | "code";
type Values = Record<Field, string>;

const FORMS: readonly FormName[] = ["sign-in", "sign-up", "confirm", "forgot", "reset"];

/** On the local stack no e-mail is ever sent: Cognito's answers that speak of one, reworded. */
const TERMINAL = "the terminal running npm start";
const LOCAL_WORDS: Record<string, string> = {
  UserNotConfirmedException: `This account is not confirmed yet: enter the code printed in ${TERMINAL}.`,
  CodeMismatchException: `That code is not right. Check ${TERMINAL} and try again.`,
  CodeDeliveryFailureException: "The code could not be made. Try again.",
};

/**
 * `codesInTerminal`: the local stack (its /config.json names a Cognito endpoint of its own)
 * prints codes in the terminal instead of e-mailing them; the screens say so.
 */
export function createAuthView(auth: Auth, signedIn: (session: Session) => void, codesInTerminal = false) {
  const flows = createFlows(auth);
  if (codesInTerminal) {
    $("confirm-hint").textContent = `The code is printed in ${TERMINAL}: no e-mail is sent. Enter it here to finish creating your account.`;
    $("forgot-hint").textContent = `The code will be printed in ${TERMINAL}, to choose a new password.`;
    $("reset-hint").textContent = `Enter the code printed in ${TERMINAL}, and a new password.`;
  }
  const input = (form: FormName, field: Field) => document.getElementById(`${form}-${field}`) as HTMLInputElement | null;
  const forgetMe = $<HTMLButtonElement>("forget-me");

  /** The one e-mail value of every form. */
  function setEmail(email: string): void {
    for (const f of FORMS) if (input(f, "email")!.value !== email) input(f, "email")!.value = email;
  }
  for (const f of FORMS) input(f, "email")!.addEventListener("input", (event) => setEmail((event.target as HTMLInputElement).value));

  /** After sign-out: every field empty, or (a session that ended on its own) the e-mail offered again. */
  function remember(email: string): void {
    for (const f of FORMS) for (const field of ["email", "password", "code"] as Field[]) if (input(f, field)) input(f, field)!.value = "";
    setEmail(email);
    forgetMe.hidden = !email;
  }
  forgetMe.addEventListener("click", () => {
    remember("");
    input("sign-in", "email")!.focus();
    setFormError("sign-in", "This device no longer shows your e-mail.", true);
  });

  function show(name: FormName, note = ""): void {
    for (const f of FORMS) {
      $(f).hidden = f !== name;
      clearErrors(f);
    }
    const emailInput = input(name, "email")!;
    setFormError(name, note, true);
    // Focus the first empty field, so a keyboard user can type at once.
    const first = (["email", "code", "password"] as Field[]).map((f) => input(name, f)).find((i) => i && !i.value) ?? emailInput;
    first.focus();
  }

  function clearErrors(form: FormName): void {
    for (const field of ["email", "password", "code"] as Field[]) setFieldError(form, field, "");
    setFormError(form, "");
  }

  function setFieldError(form: FormName, field: Field, message: string): void {
    const control = input(form, field);
    if (!control) return;
    $(`${form}-${field}-error`).textContent = message;
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }

  /** The message at the top of a form: an error, or with `ok` a friendly note. */
  function setFormError(form: FormName, message: string, ok = false): void {
    const box = $(`${form}-error`);
    box.textContent = message;
    box.classList.toggle("ok", ok);
  }

  /** Checks the fields the form has before anything is sent; true when all are fine. */
  function check(form: FormName, v: Values): boolean {
    const problems: [Field, string][] = [];
    if (!looksLikeEmail(v.email)) problems.push(["email", "Enter your e-mail address, like name@example.com."]);
    if (input(form, "code") && !/^\S+$/.test(v.code))
      problems.push(["code", codesInTerminal ? `Enter the code printed in ${TERMINAL}.` : "Enter the code from the e-mail."]);
    const password = input(form, "password");
    if (password) {
      const broken = form === "sign-in" ? (v.password ? [] : ["Enter your password."]) : passwordProblems(v.password);
      if (broken.length) problems.push(["password", broken.join(" ")]);
    }
    for (const [field, message] of problems) setFieldError(form, field, message);
    if (problems.length) input(form, problems[0][0])!.focus();
    return problems.length === 0;
  }

  /** Wires a form: validate, call, show errors next to fields; the button is busy meanwhile. */
  function handle(form: FormName, action: (v: Values) => Promise<void>): void {
    const element = $<HTMLFormElement>(form);
    // Every failure is caught and shown below, so the promise is never left to reject.
    element.addEventListener("submit", (event) => void submit(event));
    async function submit(event: SubmitEvent): Promise<void> {
      event.preventDefault();
      const button = element.querySelector<HTMLButtonElement>("button[type=submit]")!;
      if (button.disabled) return;
      const v = { email: "", password: "", code: "" };
      for (const field of ["email", "code"] as Field[]) v[field] = input(form, field)?.value.trim() ?? "";
      // Passwords are taken as typed (no trim): a trailing space may be part of one.
      v.password = input(form, "password")?.value ?? "";
      clearErrors(form);
      if (!check(form, v)) return;
      button.disabled = true;
      element.setAttribute("aria-busy", "true");
      try {
        await action(v);
      } catch (err) {
        let e = err instanceof AuthError ? err : new AuthError("Unknown", "Something went wrong. Try again.");
        if (codesInTerminal && LOCAL_WORDS[e.code]) e = new AuthError(e.code, LOCAL_WORDS[e.code], e.field);
        if (e.field && input(form, e.field)) {
          setFieldError(form, e.field, e.message);
          input(form, e.field)!.focus();
        } else {
          setFormError(form, e.message);
        }
        if (e.code === "UserNotConfirmedException") show("confirm", e.message);
      } finally {
        button.disabled = false;
        element.removeAttribute("aria-busy");
      }
    }
  }

  handle("sign-in", async (v) => {
    const session = await flows.signIn(v.email, v.password);
    input("sign-in", "password")!.value = "";
    signedIn(session);
  });
  handle("sign-up", async (v) => {
    await flows.signUp(v.email, v.password);
    input("sign-up", "password")!.value = "";
    setEmail(v.email);
    show("confirm");
  });
  handle("confirm", async (v) => {
    await flows.confirm(v.email, v.code);
    input("confirm", "code")!.value = "";
    setEmail(v.email);
    show("sign-in");
    setFormError("sign-in", "Your account is confirmed. Sign in to start.", true);
  });
  handle("forgot", async (v) => {
    // Only locally: on AWS whether an address has an account stays hidden (preventUserExistenceErrors).
    if (codesInTerminal && !(await flows.accountExists(v.email)))
      throw new AuthError("UserNotFoundException", "No account uses this e-mail address. Check it, or create an account.", "email");
    await flows.forgotPassword(v.email);
    setEmail(v.email);
    show("reset");
  });
  handle("reset", async (v) => {
    await flows.confirmForgotPassword(v.email, v.code, v.password);
    input("reset", "password")!.value = "";
    input("reset", "code")!.value = "";
    setEmail(v.email);
    show("sign-in");
    setFormError("sign-in", "Your password is changed. Sign in with the new one.", true);
  });

  $("resend").addEventListener("click", () => void resend());
  async function resend(): Promise<void> {
    const email = input("confirm", "email")!.value.trim();
    clearErrors("confirm");
    if (!check("confirm", { email, code: "x", password: "" })) return;
    try {
      await flows.resendCode(email);
      setFormError(
        "confirm",
        codesInTerminal ? "We sent a new code: it is in the terminal." : "We sent a new code. Check your e-mail.",
        true,
      );
    } catch (err) {
      const message = err instanceof AuthError && err.code !== "Unsupported" ? err.message : "";
      setFormError("confirm", message || "We could not send a new code right now. Use the code you have, or try again later.");
    }
  }

  document.querySelectorAll<HTMLButtonElement>("[data-show]").forEach((button) => {
    button.addEventListener("click", () => show(button.dataset.show as FormName));
  });

  return { show, remember };
}

export type AuthView = ReturnType<typeof createAuthView>;
