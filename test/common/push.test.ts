/** The onSubscribe handler AppSync runs (ON_SUBSCRIBE_CODE), run here as a plain function. */
import { expect } from "chai";
import { authProtocol, channelOf, ON_SUBSCRIBE_CODE, readAuthProtocol } from "../../common/push";
import { compileOnSubscribe, Unauthorized } from "../../local/push-server";

/** The deployed text, with APPSYNC_JS's `util.unauthorized()` (it throws to refuse). */
const onSubscribe = compileOnSubscribe();

const ME = "0a6e1f32-0000-4000-8000-00000000000a";
const OTHER = "0b6e1f32-0000-4000-8000-00000000000b";
const ctx = (path: string, sub: string | undefined) => ({
  identity: sub === undefined ? null : { sub, username: sub, claims: { sub } },
  info: { channel: { path, segments: path.split("/").filter(Boolean) }, channelNamespace: { name: "pokes" }, operation: "SUBSCRIBE" },
});

describe("push channel rules (common/push.ts)", () => {
  it("lets a person subscribe to their own channel", () => {
    expect(ON_SUBSCRIBE_CODE).to.match(/^export function onSubscribe\(ctx\)/);
    expect(() => onSubscribe(ctx(channelOf(ME), ME))).not.to.throw();
  });

  it("refuses another user's identity on my channel, a wildcard, a deeper path and no identity", () => {
    for (const [path, sub] of [
      [channelOf(ME), OTHER],
      ["/pokes/*", ME],
      [`${channelOf(ME)}/more`, ME],
      [`/other/${ME}`, ME],
      [channelOf(ME), undefined],
    ] as const)
      expect(() => onSubscribe(ctx(path, sub)), `${path} as ${sub}`).to.throw(Unauthorized);
  });

  it("carries the authorization headers in the header- subprotocol, base64url, and reads them back", () => {
    const auth = { host: "example.appsync-api.eu-west-1.amazonaws.com", Authorization: "eyJ.a+b/c=" };
    const protocol = authProtocol(auth);
    expect(protocol).to.match(/^header-[A-Za-z0-9_-]+$/);
    expect(readAuthProtocol(["aws-appsync-event-ws", protocol])).to.deep.equal(auth);
    expect(readAuthProtocol(["aws-appsync-event-ws", "header-!!"])).to.equal(undefined);
  });
});
