/** The site tells Cognito's daily e-mail quota apart from "too many attempts" (the same error type). */
import { expect } from "chai";
import { toAuthError } from "../../site/src/auth-words";

describe("site auth: Cognito's LimitExceededException", () => {
  it("says we cannot send more e-mails today when Cognito's daily e-mail limit is used up", () => {
    // Cognito's message when its built-in sender (or the account) reaches the daily quota.
    const error = toAuthError(
      "LimitExceededException",
      "Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.",
    );
    expect(error.message).to.match(/cannot send more e-mails today/);
    expect(error.message).to.not.match(/too many attempts/i);
  });

  it("still says too many attempts for the attempt limit", () => {
    const error = toAuthError("LimitExceededException", "Attempt limit exceeded, please try after some time.");
    expect(error.message).to.match(/Too many attempts/);
    expect(error.message).to.not.match(/e-mails today/);
  });
});
