/**
 * The poke function: DynamoDB Streams (the table's NEW_IMAGE stream) in, one poke per person who
 * can see the batch's changes out, published to AppSync Events over HTTP with IAM
 * (`POST https://<http domain>/event` `{channel, events: ["<JSON text>"]}`, signed for service
 * `appsync`; AppSync Events developer guide, "Publishing events via HTTP"
 * https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html). One request per channel:
 * a request publishes to one channel (up to 5 events).
 *
 * A failed publish fails the invocation after every other channel was tried: Lambda retries the
 * batch (PushChannel bounds retries and record age: a poke a minute late is worth nothing, the
 * client's pull on reconnect or focus catches up) and the function's Errors alarm says so.
 * Pokes are idempotent hints, so a retried batch poking someone twice costs one pull.
 *
 * Who to poke is read from the table: one strongly consistent Query of a list's live members
 * per distinct list in the batch (handlers/store-audience.ts), never cached across batches, so
 * a removal stops the pokes at once. A failed Query fails the invocation as a failed publish does.
 */
import type { DeployedValue } from "./lambda";
import { listAudience, pokesFor, type AudienceOf, type ChangeRecord, type PokeToSend } from "./pokes";
import { createDocumentClient } from "./store";
import { membersReader } from "./store-audience";
import { signPost, type Credentials } from "./sigv4";

/** Publishes one poke (its text) to its channel; rejects when AppSync does not accept it. */
export type Publish = (poke: PokeToSend) => Promise<void>;

/** Publishes in flight at once: a mark-all in a shared list pokes each member, not thousands. */
const PARALLEL_PUBLISHES = 16;

export interface PokeResult {
  readonly records: number;
  readonly channels: number;
  /** Pokes that named the device that made the changes (that device does not pull). */
  readonly fromDevice: number;
  readonly failed: number;
}

/** Pokes everyone a batch concerns; resolves with the counts, after logging one line. */
export async function pokeBatch(
  records: readonly ChangeRecord[],
  publish: Publish,
  log: (line: object) => void,
  audienceOf: AudienceOf,
): Promise<PokeResult> {
  const pokes = await pokesFor(records, audienceOf);
  let failed = 0;
  for (let i = 0; i < pokes.length; i += PARALLEL_PUBLISHES) {
    const results = await Promise.allSettled(pokes.slice(i, i + PARALLEL_PUBLISHES).map(publish));
    for (const r of results) {
      if (r.status === "rejected") {
        failed++;
        // The error says what AppSync answered; never a token (there is none here) or a body.
        log({ level: "error", msg: "poke.failed", error: String(r.reason).slice(0, 500) });
      }
    }
  }
  const fromDevice = pokes.filter((p) => p.from !== undefined).length;
  const result = { records: records.length, channels: pokes.length, fromDevice, failed };
  log({ level: failed ? "error" : "info", msg: "pokes.sent", ...result });
  return result;
}

/** Publishing to AppSync Events with the function's own credentials (Lambda's environment). */
export function appSyncPublisher(httpDomain: string, region: string, credentials: () => Credentials): Publish {
  return async ({ channel, text: poke }) => {
    const signed = signPost({
      host: httpDomain,
      path: "/event",
      body: JSON.stringify({ channel, events: [poke] }),
      service: "appsync",
      region,
      credentials: credentials(),
    });
    const response = await fetch(signed.url, { method: "POST", headers: signed.headers, body: signed.body });
    const text = await response.text();
    // Anything but 200 refuses the request; a 200 listing `failed` events refuses those (read
    // defensively: an answer that is not JSON with a `failed` list counts as accepted).
    let failed: unknown[] = response.ok ? [] : [text.slice(0, 200)];
    if (response.ok) {
      try {
        const listed = (JSON.parse(text) as { failed?: unknown }).failed;
        if (Array.isArray(listed)) failed = listed;
      } catch {
        // not JSON: nothing listed as failed
      }
    }
    if (failed.length > 0) throw new Error(`AppSync refused the poke on ${channel}: ${response.status} ${JSON.stringify(failed)}`);
  };
}

/** The Lambda environment's credentials (the execution role's, rotated by Lambda between invocations). */
const lambdaCredentials = (): Credentials => ({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "",
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "",
  sessionToken: process.env.AWS_SESSION_TOKEN,
});

/** The `callbackFactory` of the poke function: runs once per container. */
export function pokeFactory(
  httpDomain: DeployedValue<string>,
  tableName: DeployedValue<string>,
): () => (event: { Records?: ChangeRecord[] }) => Promise<PokeResult> {
  return () => {
    const publish = appSyncPublisher(httpDomain.get(), process.env.AWS_REGION ?? "", lambdaCredentials);
    const audience = listAudience(membersReader({ doc: createDocumentClient(), name: tableName.get() }));
    const log = (line: object) => console.log(JSON.stringify(line));
    return async (event) => {
      const result = await pokeBatch(event.Records ?? [], publish, log, audience);
      if (result.failed > 0) throw new Error(`${result.failed} of ${result.channels} pokes failed`);
      return result;
    };
  };
}
