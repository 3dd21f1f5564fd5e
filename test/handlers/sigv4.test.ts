/** The poke function's SigV4 signer gives the signature the AWS SDK's own signer gives. */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { expect } from "chai";
import { signPost } from "../../handlers/sigv4";

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string" ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

/** The SDK's checksum interface over node:crypto (HMAC when given a key). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

describe("signPost (SigV4 for AppSync Events' publish)", () => {
  for (const sessionToken of [undefined, "IQoJb3JpZ2luX2VjEXAMPLE"]) {
    it(`signs a JSON POST exactly as @smithy/signature-v4 does (${sessionToken ? "with" : "without"} a session token)`, async () => {
      const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken };
      const now = new Date("2026-12-07T10:11:12.345Z");
      const host = "abc123.appsync-api.eu-west-1.amazonaws.com";
      const body = JSON.stringify({ channel: "/pokes/0f0e", events: ['{"type":"poke"}'] });
      const mine = signPost({ host, path: "/event", body, service: "appsync", region: "eu-west-1", credentials }, now);
      const sdk = new SignatureV4({ credentials, region: "eu-west-1", service: "appsync", sha256: NodeSha256, applyChecksum: false });
      const theirs = await sdk.sign(
        { method: "POST", protocol: "https:", hostname: host, path: "/event", headers: { "content-type": "application/json", host }, body },
        { signingDate: now },
      );
      expect(mine.headers.authorization).to.equal(theirs.headers.authorization);
      expect(mine.headers["x-amz-date"]).to.equal(theirs.headers["x-amz-date"]);
    });
  }
});
