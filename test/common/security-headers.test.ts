/** The CSP's connect-src: this origin, Cognito's, and on AWS the push channel's wss:// origin, nothing else. */
import { expect } from "chai";
import { contentSecurityPolicy, pushOriginOf } from "../../common/security-headers";

const cognitoOrigin = "https://cognito-idp.eu-west-1.amazonaws.com";
const connectSrc = (csp: string) => /(?:^|; )connect-src ([^;]+)/.exec(csp)![1].split(" ");
const REALTIME = "wss://abc123.appsync-realtime-api.eu-west-1.amazonaws.com";

describe("contentSecurityPolicy (common/security-headers.ts)", () => {
  it("locally (no push origin): 'self' and Cognito only, 'self' covering the channel on this origin", () => {
    expect(connectSrc(contentSecurityPolicy({ cognitoOrigin }))).to.deep.equal(["'self'", cognitoOrigin]);
  });

  it("on AWS: adds exactly the real-time endpoint's origin, read from the config's URL", () => {
    const pushOrigin = pushOriginOf(`${REALTIME}/event/realtime`);
    expect(pushOrigin).to.equal(REALTIME);
    expect(connectSrc(contentSecurityPolicy({ cognitoOrigin, pushOrigin }))).to.deep.equal(["'self'", cognitoOrigin, REALTIME]);
  });

  it("refuses a push channel that is not wss://, and an origin with a path, naming it", () => {
    expect(() => pushOriginOf("ws://abc.example.com/event/realtime")).to.throw("must be a wss:// URL, not ws://abc.example.com");
    expect(() => contentSecurityPolicy({ cognitoOrigin, pushOrigin: `${REALTIME}/event` })).to.throw("wss:// origin (no path)");
    expect(() => contentSecurityPolicy({ cognitoOrigin, pushOrigin: "https://example.com" })).to.throw("wss:// URL");
  });
});
