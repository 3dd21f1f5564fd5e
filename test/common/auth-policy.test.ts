/**
 * The password rule (common/auth-policy.ts): every check Cognito makes, in one function that the
 * site's forms and the local Cognito both use.
 */
import { expect } from "chai";
import { PASSWORD_MAX_LENGTH, PASSWORD_POLICY, passwordProblems, type PasswordRules } from "../../common/auth-policy";
import { passwordProblems as siteProblems } from "../../site/src/password";

const strict: PasswordRules = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};
const rules = (password: string, policy?: PasswordRules) => passwordProblems(password, policy).map((p) => p.rule);

describe("the password rule (common/auth-policy.ts)", function () {
  it("accepts AuthPool's kind of password: 12 characters, any kind, spaces inside", function () {
    expect(passwordProblems("twelve chars")).to.deep.equal([]);
    expect(passwordProblems("correct horse battery staple")).to.deep.equal([]);
  });

  it("refuses a short one with a sentence that says how short", function () {
    expect(passwordProblems("eleven char")).to.deep.equal([
      { rule: "minimumLength", message: `Use at least ${PASSWORD_POLICY.minimumLength} characters (you have 11).` },
    ]);
  });

  it("refuses whitespace at either end, as Cognito's API does: twelve spaces are not a password", function () {
    for (const password of [" ".repeat(12), " twelve chars", "twelve chars ", "\ttwelve chars"]) {
      expect(rules(password), JSON.stringify(password)).to.deep.equal(["edgeWhitespace"]);
    }
  });

  it(`refuses more than ${PASSWORD_MAX_LENGTH} characters, Cognito's limit for any pool`, function () {
    expect(rules("x".repeat(PASSWORD_MAX_LENGTH))).to.deep.equal([]);
    expect(rules("x".repeat(PASSWORD_MAX_LENGTH + 1))).to.deep.equal(["maximumLength"]);
  });

  it("applies each composition rule a policy turns on, with Cognito's set of symbols", function () {
    expect(rules("abcdefgh", strict)).to.deep.equal(["requireUppercase", "requireNumbers", "requireSymbols"]);
    expect(rules("ABCDEFG1!", strict)).to.deep.equal(["requireLowercase"]);
    expect(rules("Abcdefg!", strict)).to.deep.equal(["requireNumbers"]);
    expect(rules("Abcdefg1", strict)).to.deep.equal(["requireSymbols"]);
    expect(rules("Abc defg1", strict), "a space inside counts as a symbol").to.deep.equal([]);
    expect(rules("Abcdefg1§", strict), "§ is not one of Cognito's symbols").to.deep.equal(["requireSymbols"]);
    for (const symbol of "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-") expect(rules(`Abcdefg1${symbol}`, strict), symbol).to.deep.equal([]);
  });

  it("is what the site's forms check, sentence for sentence", function () {
    for (const password of ["", "short", " ".repeat(12), "twelve chars", "x".repeat(300)]) {
      expect(siteProblems(password), JSON.stringify(password)).to.deep.equal(passwordProblems(password).map((p) => p.message));
    }
    expect(siteProblems(" ".repeat(12))).to.have.length(1);
  });
});
