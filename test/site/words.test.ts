import { expect } from "chai";
import { ApiError, OfflineError } from "../../site/src/api";
import { troubleText } from "../../site/src/words";

describe("site words: failures in plain sentences", () => {
  it("says the server cannot be reached and that changes are kept, when the browser is online and changes wait", () => {
    const text = troubleText(new OfflineError(), { waiting: 2, loaded: true, online: true });
    expect(text).to.equal(
      "The server cannot be reached right now. Your 2 changes are kept on this device and will be sent when it answers.",
    );
    // Offline: the banner says it.
    expect(troubleText(new OfflineError(), { waiting: 2, loaded: true, online: false })).to.equal("");
  });

  it("says a first load failed, and that it retries, when nothing was changed here", () => {
    const text = troubleText(new ApiError(503, "http_503", "The server answered 503."), { waiting: 0, loaded: false, online: true });
    expect(text).to.match(/^Your list could not be loaded: .*Trying again…$/);
    expect(text).to.not.match(/kept|saved/);
  });
});
