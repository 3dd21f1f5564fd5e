/**
 * Who to poke for a batch of table changes: from DynamoDB stream records (NEW_IMAGE: the keys of
 * each changed item and the item as written) to the channels of everyone who can see them,
 * each channel once however many changes the batch holds (a mark-all of 10,000 to-dos in a list
 * of three people is three pokes, not 30,000). Of the image only the writer is read
 * (handlers/writer.ts, `<sub>/<device>`): a person's poke says `from: <device>` when every change
 * it covers was written by one device of THAT person, so the device that made them skips the pull
 * and nobody learns another person's device id. Anything else (a record without a writer, a
 * REMOVE, whose record has no new image, changes from two devices or two people) pokes plainly. Pure but for one seam, `MembersOf` (a list's
 * members, read by store-audience.ts with one Query per list). The poke Lambda
 * (handlers/poke-lambda.ts) and the local stack (local/stack.ts) both call it, with the same
 * audience over their own table.
 *
 * Left out: idempotency records (nobody sees them) and DynamoDB's own TTL deletions (a tombstone
 * that expires after 30 days changes nothing a device shows). Stream record format: DynamoDB
 * developer guide, "Change data capture for DynamoDB Streams" (StreamRecord: Keys, userIdentity
 * `{type: "Service", principalId: "dynamodb.amazonaws.com"}` for TTL deletions)
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 */
import { DEVICE_ID } from "../common/device";
import { channelOf, pokeText } from "../common/push";
import { SUB_PATTERN } from "./schemas";
import { IDEMPOTENCY_PREFIX, invitationPartition, MEMBER_PREFIX, TABLE_KEY, userPartition } from "./table";
import { readWriter, WRITER_ATTRIBUTE } from "./writer";

/** As much of a DynamoDB stream record as the poke reads. */
export interface ChangeRecord {
  readonly eventName?: string;
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly dynamodb?: {
    readonly Keys?: Record<string, { readonly S?: string } | undefined>;
    /** The item as written (NEW_IMAGE); absent from a REMOVE. Only WRITER_ATTRIBUTE is read. */
    readonly NewImage?: Record<string, { readonly S?: string } | undefined>;
  };
}

/** The items a batch changed, by partition: partition → sort keys. */
export type Changes = ReadonlyMap<string, ReadonlySet<string>>;

/** Who can see a batch's changes, by partition: partition → the `sub` of each person to poke (see `listAudience`). */
export type AudienceOf = (changes: Changes) => Promise<ReadonlyMap<string, Iterable<string>>>;

/**
 * The live members of one list partition: the `<sub>` of each `~member#<sub>` item that is not
 * a tombstone, read fresh on every call (store-audience.ts: one Query). Never cached across
 * batches: a removal must stop the pokes at once, a join start them.
 */
export type MembersOf = (listId: string) => Promise<Iterable<string>>;

/** List partitions read at once: a batch over many lists is many Queries, not all in flight together. */
const PARALLEL_QUERIES = 16;

const USER_PREFIX = userPartition("");
const INVITATION_PREFIX = invitationPartition("");
const SUB = new RegExp(SUB_PATTERN);

/**
 * Who can see a batch's changes, by partition (the layout in table.ts):
 * - a list `<listId>`: its live members (one `membersOf` per distinct list in the batch), plus
 *   everyone whose own `~member#<sub>` item changed: a removed member (tombstoned) or a former
 *   member of a deleted list (deleted) is no longer a member, yet must hear of it so that their
 *   device drops the list. A first list (`<listId>` = its owner's sub, which it always belongs
 *   to: table.ts) names its owner too, so a person whose first list is not adopted yet (no
 *   `~member#` items; the old `/api/todos` routes) is still poked;
 * - a person's index `u#<sub>` (entries, profile): that person;
 * - invitations `i#<email>`: nobody. An invitation names an e-mail address, not a channel, and
 *   the web app reads invitations when it gets the focus; accepting one writes the list's
 *   `~member#` item and the person's index entry, which poke as above.
 */
export function listAudience(membersOf: MembersOf): AudienceOf {
  return async (changes) => {
    const audience = new Map<string, Set<string>>();
    const lists: string[] = [];
    for (const [partition, sorts] of changes) {
      if (partition.startsWith(INVITATION_PREFIX)) continue;
      const people = new Set<string>();
      audience.set(partition, people);
      if (partition.startsWith(USER_PREFIX)) {
        people.add(partition.slice(USER_PREFIX.length));
        continue;
      }
      lists.push(partition);
      if (SUB.test(partition)) people.add(partition);
      for (const sort of sorts) if (sort.startsWith(MEMBER_PREFIX)) people.add(sort.slice(MEMBER_PREFIX.length));
    }
    for (let i = 0; i < lists.length; i += PARALLEL_QUERIES) {
      const chunk = lists.slice(i, i + PARALLEL_QUERIES);
      const members = await Promise.all(chunk.map(membersOf));
      chunk.forEach((listId, n) => {
        for (const sub of members[n]) audience.get(listId)?.add(sub);
      });
    }
    return audience;
  };
}

/** A Cognito `sub` (a UUID) can be a channel segment; anything else an audience names (a stray key) names nobody. */
const PERSON = /^[A-Za-z0-9-]{1,50}$/;

const isTtlDeletion = (r: ChangeRecord) =>
  r.eventName === "REMOVE" && r.userIdentity?.type === "Service" && r.userIdentity.principalId === "dynamodb.amazonaws.com";

/** The changes a batch made that someone can see, by partition. */
export function changesOf(records: readonly ChangeRecord[]): Changes {
  return changesAndWriters(records).changes;
}

/** A change whose writer is unknown (no stamp: a migration, a REMOVE, a write without a device). */
const ELSEWHERE = "";

/** The changes by partition, and the writers (`<sub>/<device>` or ELSEWHERE) of each partition's changes. */
function changesAndWriters(records: readonly ChangeRecord[]) {
  const changes = new Map<string, Set<string>>();
  const writers = new Map<string, Set<string>>();
  for (const record of records) {
    if (isTtlDeletion(record)) continue;
    const partition = record.dynamodb?.Keys?.[TABLE_KEY.partition]?.S;
    const sort = record.dynamodb?.Keys?.[TABLE_KEY.sort]?.S;
    if (partition === undefined || sort === undefined || sort.startsWith(IDEMPOTENCY_PREFIX)) continue;
    const keys = changes.get(partition) ?? new Set<string>();
    keys.add(sort);
    changes.set(partition, keys);
    const by = writers.get(partition) ?? new Set<string>();
    by.add(record.eventName === "REMOVE" ? ELSEWHERE : (record.dynamodb?.NewImage?.[WRITER_ATTRIBUTE]?.S ?? ELSEWHERE));
    writers.set(partition, by);
  }
  return { changes, writers };
}

/** One poke to send: the channel, and the device every change it covers came from, if one of the person's own. */
export interface PokeToSend {
  readonly channel: string;
  readonly from?: string;
  /** The poke's text (common/push.ts `pokeText`). */
  readonly text: string;
}

/**
 * The `from` of one person's poke: the device, when every change the person's poke covers (every
 * change of every partition they see in the batch) was stamped by one device of theirs.
 */
function fromOf(sub: string, writers: Iterable<string>): string | undefined {
  let from: string | undefined;
  for (const writer of writers) {
    const stamp = readWriter(writer);
    if (!stamp || stamp.sub !== sub || !DEVICE_ID.test(stamp.device)) return undefined;
    if (from !== undefined && from !== stamp.device) return undefined;
    from = stamp.device;
  }
  return from;
}

/** The pokes for a batch: one per person who can see any of its changes, sorted by channel. */
export async function pokesFor(records: readonly ChangeRecord[], audienceOf: AudienceOf): Promise<PokeToSend[]> {
  const { changes, writers } = changesAndWriters(records);
  if (changes.size === 0) return [];
  const seen = new Map<string, Set<string>>(); // person → writers of what they see
  for (const [partition, people] of await audienceOf(changes)) {
    for (const sub of people) {
      if (!PERSON.test(sub)) continue;
      const theirs = seen.get(sub) ?? new Set<string>();
      for (const writer of writers.get(partition) ?? [ELSEWHERE]) theirs.add(writer);
      seen.set(sub, theirs);
    }
  }
  return [...seen]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sub, by]) => {
      const from = fromOf(sub, by);
      return { channel: channelOf(sub), ...(from !== undefined && { from }), text: pokeText(from) };
    });
}

/** The channels to poke for a batch: one per person who can see any of its changes, sorted. */
export async function channelsToPoke(records: readonly ChangeRecord[], audienceOf: AudienceOf): Promise<string[]> {
  return (await pokesFor(records, audienceOf)).map((poke) => poke.channel);
}
