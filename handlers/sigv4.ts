/**
 * AWS Signature Version 4 for one JSON POST, with node:crypto only: what the poke function needs
 * to publish to AppSync Events with IAM (AWS_IAM publish auth). No SDK client publishes to an
 * Event API, and the signer packages the Lambda runtime happens to carry inside its SDK are not a
 * documented part of it, so the archive carries these 40 lines instead.
 * Algorithm: IAM user guide, "Create a signed AWS API request"
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * (test/handlers/sigv4.test.ts holds it equal to @smithy/signature-v4, the SDK's signer).
 */
import { createHash, createHmac } from "node:crypto";

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedPost {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/** Signs `POST https://<host><path>` with a JSON body for `service` in `region`. */
export function signPost(
  options: { host: string; path: string; body: string; service: string; region: string; credentials: Credentials },
  now: Date = new Date(),
): SignedPost {
  const { host, path, body, service, region, credentials } = options;
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { "content-type": "application/json", host, "x-amz-date": amzDate };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonical = ["POST", path, "", ...names.map((n) => `${n}:${headers[n]}`), "", signedHeaders, sha256(body)].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { url: `https://${host}${path}`, headers, body };
}
