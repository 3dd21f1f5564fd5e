/**
 * Who to poke for a batch of table changes: a pure function from DynamoDB stream records
 * (KEYS_ONLY: the partition and sort key of each changed item) to the channels of everyone who
 * can see them, each channel once however many changes the batch holds (a mark-all of 10,000
 * to-dos in one person's list is one poke per person, not 10,000). The poke Lambda
 * (handlers/poke-lambda.ts) and the local channel (local/push-server.ts) both call it.
 *
 * Left out: idempotency records (nobody sees them) and DynamoDB's own TTL deletions (a tombstone
 * that expires after 30 days changes nothing a device shows). Stream record format: DynamoDB
 * developer guide, "Change data capture for DynamoDB Streams" (StreamRecord: Keys, userIdentity
 * `{type: "Service", principalId: "dynamodb.amazonaws.com"}` for TTL deletions)
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 */
import { channelOf } from "../common/push";
import { IDEMPOTENCY_PREFIX, TABLE_KEY } from "./table";

/** As much of a DynamoDB stream record as the poke reads. */
export interface ChangeRecord {
  readonly eventName?: string;
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly dynamodb?: { readonly Keys?: Record<string, { readonly S?: string } | undefined> };
}

/** The items a batch changed, by partition: partition → sort keys. */
export type Changes = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The seam for "who can see this partition". Today a partition IS its owner's `sub`, so the
 * audience is the partitions themselves (`partitionIsOwner`). With lists (branch `lists`, a
 * partition is a list with `~member#<sub>` items), the audience of a list partition is its
 * members, read with one Query of `~member#` items in that partition, plus any member whose own
 * membership item changed (a removed member learns it too): a function of this type.
 */
export type AudienceOf = (changes: Changes) => Promise<Iterable<string>>;

export const partitionIsOwner: AudienceOf = (changes) => Promise.resolve(changes.keys());

/** A Cognito `sub` (a UUID) can be a channel segment; anything else (`u#…`, `i#…`) names nobody. */
const PERSON = /^[A-Za-z0-9-]{1,50}$/;

const isTtlDeletion = (r: ChangeRecord) =>
  r.eventName === "REMOVE" && r.userIdentity?.type === "Service" && r.userIdentity.principalId === "dynamodb.amazonaws.com";

/** The changes a batch made that someone can see, by partition. */
export function changesOf(records: readonly ChangeRecord[]): Changes {
  const changes = new Map<string, Set<string>>();
  for (const record of records) {
    if (isTtlDeletion(record)) continue;
    const partition = record.dynamodb?.Keys?.[TABLE_KEY.partition]?.S;
    const sort = record.dynamodb?.Keys?.[TABLE_KEY.sort]?.S;
    if (partition === undefined || sort === undefined || sort.startsWith(IDEMPOTENCY_PREFIX)) continue;
    const keys = changes.get(partition) ?? new Set<string>();
    keys.add(sort);
    changes.set(partition, keys);
  }
  return changes;
}

/** The channels to poke for a batch: one per person who can see any of its changes, sorted. */
export async function channelsToPoke(records: readonly ChangeRecord[], audienceOf: AudienceOf = partitionIsOwner): Promise<string[]> {
  const changes = changesOf(records);
  if (changes.size === 0) return [];
  const people = new Set<string>();
  for (const sub of await audienceOf(changes)) if (PERSON.test(sub)) people.add(sub);
  return [...people].sort().map(channelOf);
}
