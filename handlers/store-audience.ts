/**
 * The poke function's one read of the table (handlers/pokes.ts `MembersOf`): the live members of
 * a list, from its `~member#<sub>` items (table.ts). One Query on the list's partition, the sort
 * key only: `begins_with(todoId, "~member#")`, tombstones (removed members) filtered out,
 * paginated (a list has at most MAX_MEMBERS_PER_LIST = 50 members, so one page in practice).
 *
 * - Strongly consistent: the stream hands a change over as soon as it is written, and a member
 *   who joined a moment before must be read. An eventually consistent read "may not reflect the
 *   results of a recently completed write operation"; with `ConsistentRead` "DynamoDB returns a
 *   response with the most up-to-date data" (DynamoDB developer guide, "DynamoDB read
 *   consistency" https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
 * - The filter costs nothing more: it "is applied after a Query finishes, but before the results
 *   are returned", so the Query "consumes the same amount of read capacity" (DynamoDB developer
 *   guide, "Filter expressions for the Query operation"
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html);
 *   it reads `deleted`, which the projection leaves out (the tests check this on dynalite).
 *   Fifty membership items are well under 4 KB: one read unit a Query.
 */
import type { MembersOf } from "./pokes";
import type { Table } from "./store";
import { MEMBER_PREFIX, TABLE_KEY, TOMBSTONE_ATTRIBUTE } from "./table";

/** What the poke function's role needs on the table, and nothing else (no index, no writes). */
export const AUDIENCE_ACTIONS = ["dynamodb:Query"] as const;

/** A list's live members, read fresh on every call. */
export function membersReader({ doc, name }: Table): MembersOf {
  return async (listId) => {
    const members: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.query({
        TableName: name,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :member)",
        FilterExpression: "attribute_not_exists(#deleted)",
        ProjectionExpression: "#sk",
        ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE },
        ExpressionAttributeValues: { ":pk": listId, ":member": MEMBER_PREFIX },
        ConsistentRead: true,
        ...(startKey && { ExclusiveStartKey: startKey }),
      });
      for (const item of page.Items ?? []) members.push(String(item[TABLE_KEY.sort]).slice(MEMBER_PREFIX.length));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return members;
  };
}
