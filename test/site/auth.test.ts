/**
 * The site's Cognito client against cognito-local (the user-pool API the local stack runs),
 * in Node: the same fetch calls the browser makes.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCognito, type LocalCognito } from "../../local/cognito";
import { AuthError, createAuth, tokenExpiry } from "../../site/src/auth";
import { createFlows, explained, toAuthError } from "../../site/src/auth-words";
import { passwordProblems } from "../../site/src/password";

/** Storage in memory, as localStorage behaves. */
function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  };
}

const CODE = "135790";

describe("site auth client (against cognito-local)", () => {
  let dir: string;
  let cognito: LocalCognito;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tasklane-auth-test-"));
    cognito = await startCognito({ dataDir: dir, confirmationCode: CODE, log: () => undefined });
  });
  after(async () => {
    await cognito?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The session (auth.ts) with the sign-in screen's flows (auth-words.ts), as auth-view.ts has them. */
  const client = (storage = memoryStorage()) => {
    const auth = createAuth(
      { region: "us-east-1", userPoolClientId: cognito.userPoolClientId, cognitoEndpoint: cognito.endpoint },
      storage,
    );
    return Object.assign(auth, createFlows(auth));
  };

  it("signs up, confirms, signs in, keeps the session in storage and refreshes the ID token", async () => {
    const storage = memoryStorage();
    const auth = client(storage);
    await auth.signUp("grace@example.com", "twelve chars long");
    const unconfirmed = await auth.signIn("grace@example.com", "twelve chars long").catch((e: AuthError) => e);
    expect(unconfirmed).to.be.instanceOf(AuthError).and.include({ code: "UserNotConfirmedException" });
    await auth.confirm("grace@example.com", CODE);
    const session = await auth.signIn("grace@example.com", "twelve chars long");
    expect(session.email).to.equal("grace@example.com");
    expect(session.refreshToken).to.be.a("string").and.not.equal("");
    expect(session.expiresAt).to.be.closeTo(tokenExpiry(session.idToken)! - 60_000, 1);
    // A page reload: a new client on the same storage finds the session.
    const reloaded = client(storage);
    expect(reloaded.session()?.idToken).to.equal(session.idToken);
    const refreshed = await reloaded.idToken(true);
    expect(refreshed.split(".")).to.have.length(3);
    expect(reloaded.session()?.refreshToken).to.equal(session.refreshToken);
  });

  it("signs out: forgets the session and revokes the refresh token", async () => {
    const storage = memoryStorage();
    const auth = client(storage);
    await auth.signUp("hedy@example.com", "frequency hopping");
    await auth.confirm("hedy@example.com", CODE);
    const session = await auth.signIn("hedy@example.com", "frequency hopping");
    await auth.signOut();
    expect(auth.session()).to.equal(null);
    // The revoked refresh token no longer works, even if someone kept a copy.
    storage.setItem("tasklane.session", JSON.stringify({ ...session, expiresAt: 0 }));
    const refused = await auth.idToken().catch((e: AuthError) => e);
    expect(refused).to.be.instanceOf(AuthError).and.include({ code: "NotAuthorizedException" });
  });

  it("turns Cognito's refusals into sentences tied to a field", async () => {
    const auth = client();
    const exists = await auth.signUp("grace@example.com", "another long one").catch((e: AuthError) => e);
    expect(exists).to.include({ code: "UsernameExistsException", field: "email" });
    const short = await auth.signUp("new@example.com", "short").catch((e: AuthError) => e);
    expect(short).to.include({ code: "InvalidPasswordException", field: "password" });
    expect((short as AuthError).message).to.match(/^The password does not meet the rules/);
    const wrong = await auth.signIn("grace@example.com", "not the password").catch((e: AuthError) => e);
    expect(wrong).to.include({ code: "NotAuthorizedException", field: "password", message: "The e-mail or password is not right." });
    const badCode = await auth.confirm("grace@example.com", "000000").catch((e: AuthError) => e);
    expect(badCode).to.include({ field: "code" });
  });

  it("resets a forgotten password", async () => {
    const auth = client();
    await auth.forgotPassword("grace@example.com");
    await auth.confirmForgotPassword("grace@example.com", CODE, "a new twelve+ password");
    expect((await auth.signIn("grace@example.com", "a new twelve+ password")).email).to.equal("grace@example.com");
  });

  it("says the current password is wrong when changing it with a wrong one (not 'does not meet the rules')", async () => {
    const auth = client();
    await auth.signUp("ida@example.com", "the right old password");
    await auth.confirm("ida@example.com", CODE);
    await auth.signIn("ida@example.com", "the right old password");
    // As "Your account" (account.ts) words the session's refusal.
    const wrong = await auth.changePassword("not the old password", "a brand new password").catch(explained);
    expect(wrong).to.be.instanceOf(AuthError).and.include({ message: "Your current password is not right." });
    // Cognito's own answer on AWS for the same mistake.
    expect(toAuthError("NotAuthorizedException", "Incorrect username or password.", "ChangePassword")).to.include({
      message: "Your current password is not right.",
    });
  });

  it("tells locally whether an account uses an address (cognito-local shows it; AWS hides it)", async () => {
    const auth = client();
    expect(await auth.accountExists("ida@example.com")).to.equal(true);
    expect(await auth.accountExists("nobody-here@example.com")).to.equal(false);
  });

  it("reports an unreachable Cognito as offline, not as a wrong password", async () => {
    const auth = createAuth({ region: "us-east-1", userPoolClientId: "x", cognitoEndpoint: "http://127.0.0.1:9/" }, memoryStorage());
    const offline = await createFlows(auth)
      .signIn("a@example.com", "whatever password")
      .catch((e: AuthError) => e);
    expect(offline).to.include({ code: "Offline" });
  });

  it("checks the password rule before sending, and maps unknown errors to a generic sentence", () => {
    expect(passwordProblems("eleven char")).to.deep.equal(["Use at least 12 characters (you have 11)."]);
    expect(passwordProblems("twelve chars")).to.deep.equal([]);
    expect(toAuthError("CognitoLocal#Unsupported", "x")).to.include({ code: "Unsupported", field: undefined });
    expect(tokenExpiry("not.a.jwt")).to.equal(undefined);
  });
});
