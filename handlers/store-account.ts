/**
 * The account half of the DynamoDB adapter: deleting a person's account (DELETE /api/account,
 * and the sweep that runs it again later) and the marker every request of theirs is checked
 * against. Built from the list steps store-lists.ts already makes idempotent (leave, hand over,
 * delete a list); the order, and why it holds without transactions, is in table.ts.
 */
import type { AccountDeletion, AccountStop, AccountStore, MarkedAccount } from "./account";
import { MARKER_LIFETIME_MS } from "./account";
import { batchDelete, deletePartition, isConditionFailed, TIME_RESERVE_MS, type Item } from "./store-bulk";
import { deleteListItems, finishHandOver, listMembers, queryAll, readRole, removeMembership } from "./store-lists";
import type { Table } from "./store";
import {
  DELETED_MARKER_KEY,
  invitationPartition,
  itemKey,
  LIST_META_KEY,
  TABLE_KEY,
  TOMBSTONE_ATTRIBUTE,
  TTL_ATTRIBUTE,
  USER_LIST_PREFIX,
  userPartition,
} from "./table";

const BATCH_WRITE_MAX = 25;
const markerKey = (sub: string) => itemKey(userPartition(sub), DELETED_MARKER_KEY);

async function deleteKeys(table: Table, partition: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) await batchDelete(table, partition, items.slice(i, i + BATCH_WRITE_MAX));
}

/** Writes the marker unless it exists; either way, the marker as stored. */
async function mark(
  table: Table,
  account: { sub: string; email?: string; username?: string },
  now: string,
): Promise<{ account: MarkedAccount; lists: string[] }> {
  try {
    await table.doc.put({
      TableName: table.name,
      Item: {
        ...markerKey(account.sub),
        kind: "deleted",
        deletedAt: now,
        email: (account.email ?? "").toLowerCase(),
        username: account.username ?? account.sub,
        [TTL_ATTRIBUTE]: Math.floor((Date.parse(now) + MARKER_LIFETIME_MS) / 1000),
      },
      ConditionExpression: "attribute_not_exists(#sk)",
      ExpressionAttributeNames: { "#sk": TABLE_KEY.sort },
    });
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  const { Item: marker } = await table.doc.get({ TableName: table.name, Key: markerKey(account.sub), ConsistentRead: true });
  if (!marker) throw new Error("the account's deletion marker vanished after it was written");
  return {
    account: {
      sub: account.sub,
      email: marker.email as string,
      username: marker.username as string,
      deletedAt: marker.deletedAt as string,
    },
    lists: [...((marker.lists as Set<string> | undefined) ?? [])],
  };
}

/** Records, before it is deleted, a list whose partition the sweep must empty again. */
async function record(table: Table, sub: string, listId: string): Promise<void> {
  await table.doc.update({
    TableName: table.name,
    Key: markerKey(sub),
    UpdateExpression: "ADD lists :id",
    ExpressionAttributeValues: { ":id": new Set([listId]) },
  });
}

type Outcome = "left" | "handedOver" | "deleted" | "none";

/**
 * One list of the person: leave it, hand it over, or delete it. A deletion that runs out of
 * time answers where it stopped (`last`). Every branch may be repeated from the start.
 */
async function settleList(
  table: Table,
  sub: string,
  listId: string,
  now: string,
  options: { after?: string; timeLeft: () => number },
): Promise<{ outcome: Outcome; last?: string }> {
  const role = await readRole(table, listId, sub);
  if (role === undefined) {
    // Not (or no longer) a member. The first list of someone who never synced since lists came
    // has no meta: their partition `<sub>` holds only their old to-dos, and goes.
    if (listId !== sub) return { outcome: "none" };
    const { Item: meta } = await table.doc.get({ TableName: table.name, Key: itemKey(listId, LIST_META_KEY), ConsistentRead: true });
    if (meta) return { outcome: "none" };
    const { Items = [] } = await table.doc.query({
      TableName: table.name,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": TABLE_KEY.partition },
      ExpressionAttributeValues: { ":pk": listId },
      Limit: 1,
    });
    if (Items.length === 0) return { outcome: "none" };
    await record(table, sub, listId);
    const result = await deletePartition(table, listId, options);
    return { outcome: result.last === undefined ? "deleted" : "none", last: result.last };
  }
  if (role !== "owner") {
    await removeMembership(table, listId, sub, now);
    return { outcome: "left" };
  }
  const others = (await listMembers(table, listId)).filter((m) => m.id !== sub);
  // An earlier call crashed mid-hand-over (two owners): finish that one. Else the oldest editor
  // (members come oldest first, by joinedAt).
  const heir = others.find((m) => m.role === "owner") ?? others.find((m) => m.role === "editor");
  if (heir) {
    await finishHandOver(table, listId, sub, heir.id, now, true);
    await removeMembership(table, listId, sub, now);
    return { outcome: "handedOver" };
  }
  await record(table, sub, listId);
  const result = await deleteListItems(table, listId, sub, now, options);
  return { outcome: result.last === undefined ? "deleted" : "none", last: result.last };
}

/** The account operations, each built for one table (store.ts's STORE_OPERATIONS takes them in). */
export const ACCOUNT_OPERATIONS: { readonly [K in keyof AccountStore]: (table: Table) => AccountStore[K] } = {
  accountDeleted: (table) => async (sub) =>
    (await table.doc.get({ TableName: table.name, Key: markerKey(sub), ConsistentRead: true })).Item !== undefined,

  deleteAccount: (table) => async (account, now, options) => {
    // 1. The marker, before anything else: from here on every request of theirs gets 410.
    const person = (await mark(table, account, now)).account;
    await options.marked?.(person);
    const counts = { handedOver: 0, deleted: 0, left: 0 };
    const stopped = (stop: AccountStop): AccountDeletion => ({ stop, account: person, ...counts });
    const outOfTime = () => options.timeLeft() < TIME_RESERVE_MS;

    // 2. Every list in their index (and their first list, whose index entry may never have been
    // made), the one a previous call stopped in first.
    const entries = (await queryAll(table, userPartition(account.sub), USER_LIST_PREFIX)).filter((e) => e[TOMBSTONE_ATTRIBUTE] !== true);
    const ids = [...new Set([account.sub, ...entries.map((e) => e.listId as string)])];
    const resume = options.stop?.listId;
    const ordered = resume !== undefined && ids.includes(resume) ? [resume, ...ids.filter((id) => id !== resume)] : ids;
    let worked = false;
    for (const listId of ordered) {
      // Every call settles one list at least, however little time it has: each call progresses
      // (a list with nothing left to do does not count).
      if (worked && outOfTime()) return stopped({});
      const after = listId === resume ? options.stop?.after : undefined;
      const { outcome, last } = await settleList(table, account.sub, listId, now, { after, timeLeft: options.timeLeft });
      if (last !== undefined) return stopped({ listId, after: last });
      if (outcome !== "none") counts[outcome] += 1;
      worked ||= outcome !== "none";
    }

    // 3. Invitations to their address (those they sent stay: see the README).
    if (person.email !== "") {
      const partition = invitationPartition(person.email);
      await deleteKeys(table, partition, await queryAll(table, partition));
    }
    // 4. The partitions of the lists deleted here, again: whatever a request already past its
    // checks wrote there since (the sweep's reason to exist). Usually empty: one Query each. A
    // list with a meta again is skipped (never the case: step 2 deleted any list of theirs).
    for (const listId of (await mark(table, account, now)).lists) {
      const { Item: meta } = await table.doc.get({ TableName: table.name, Key: itemKey(listId, LIST_META_KEY), ConsistentRead: true });
      if (!meta) await deleteKeys(table, listId, await queryAll(table, listId));
    }
    // 5. Their index and profile, all but the marker.
    const own = (await queryAll(table, userPartition(account.sub))).filter((item) => item[TABLE_KEY.sort] !== DELETED_MARKER_KEY);
    await deleteKeys(table, userPartition(account.sub), own);
    return { account: person, ...counts };
  },
};
