/**
 * The lists-and-sharing half of the DynamoDB adapter (issue 17): memberships, lists, members and
 * invitations, on the layout table.ts describes (and whose invariants it explains). No
 * transactions and no scans: every step is a GetItem, a Query on one partition, or a
 * conditional write that is harmless to repeat, so an interrupted operation is finished by
 * running it again.
 */
import { ConflictError, NotFoundError, PreconditionFailedError } from "./errors";
import {
  FIRST_LIST_NAME,
  INVITATION_LIFETIME_MS,
  MAX_LISTS_PER_PERSON,
  MAX_MEMBERS_PER_LIST,
  type Caller,
  type Invitation,
  type ListStore,
  type Member,
  type Role,
  type TodoList,
} from "./lists";
import { batchDelete, isConditionFailed, sweep, tombstoneExpiry, type Item } from "./store-bulk";
import type { Table } from "./store";
import {
  CHANGES_INDEX,
  changeKeyOf,
  IDEMPOTENCY_PREFIX,
  invitationPartition,
  itemKey,
  KIND_ATTRIBUTE,
  LIST_META_KEY,
  MEMBER_PREFIX,
  PROFILE_KEY,
  TABLE_KEY,
  TOMBSTONE_ATTRIBUTE,
  TTL_ATTRIBUTE,
  USER_LIST_PREFIX,
  userPartition,
} from "./table";
import { sha256, type BulkOptions, type BulkResult } from "./todos";

const NAMES = { "#pk": TABLE_KEY.partition, "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE } as const;
/** The names LIVE uses (DynamoDB refuses names an expression does not use). */
const LIVE_NAMES = { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE } as const;
/** The item exists and is not a tombstone. */
const LIVE = "attribute_exists(#sk) AND attribute_not_exists(#deleted)";
/** Absent, or a tombstone (a person who left may join again). */
const ABSENT = "attribute_not_exists(#sk) OR #deleted = :true";
const BATCH_GET_MAX = 100;
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const memberKey = (listId: string, sub: string) => itemKey(listId, MEMBER_PREFIX + sub);
const metaKey = (listId: string) => itemKey(listId, LIST_META_KEY);
const entryKey = (sub: string, listId: string) => itemKey(userPartition(sub), USER_LIST_PREFIX + listId);
const profileKey = (sub: string) => itemKey(userPartition(sub), PROFILE_KEY);
const live = (item: Item | undefined): item is Item => item !== undefined && item[TOMBSTONE_ATTRIBUTE] !== true;

/** Runs a conditional write; false when its condition failed. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

async function getItem({ doc, name }: Table, key: Item): Promise<Item | undefined> {
  return (await doc.get({ TableName: name, Key: key, ConsistentRead: true })).Item;
}

/** Every item for these keys (BatchGetItem, 100 keys a call, unprocessed keys retried). */
async function batchGet({ doc, name }: Table, keys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let pending: Item[] = keys.slice(i, i + BATCH_GET_MAX);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const out = await doc.batchGet({ RequestItems: { [name]: { Keys: pending, ConsistentRead: true } } });
      found.push(...((out.Responses?.[name] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[name]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

/** Every item of a partition (those whose sort key starts with `prefix`, when given), read to the end with strongly consistent Queries. */
export async function queryAll({ doc, name }: Table, partition: string, prefix?: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await doc.query({
      TableName: name,
      KeyConditionExpression: prefix === undefined ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :prefix)",
      ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, ...(prefix !== undefined && { "#sk": TABLE_KEY.sort }) },
      ExpressionAttributeValues: { ":pk": partition, ...(prefix !== undefined && { ":prefix": prefix }) },
      ConsistentRead: true,
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A conditional Put of a new item (or over a tombstone when `overTombstone`). */
function putIfAbsent({ doc, name }: Table, item: Item, overTombstone = false): Promise<boolean> {
  return conditional(
    doc.put({
      TableName: name,
      Item: item,
      ConditionExpression: overTombstone ? ABSENT : "attribute_not_exists(#sk)",
      ExpressionAttributeNames: overTombstone ? { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE } : { "#sk": TABLE_KEY.sort },
      ...(overTombstone && { ExpressionAttributeValues: { ":true": true } }),
    }),
  );
}

/** Adds `delta` to a counter; with `below`, only while it stays below that bound. False when refused. */
function adjust({ doc, name }: Table, key: Item, attribute: string, delta: number, below?: number, mustExist = false): Promise<boolean> {
  const conditions = [...(mustExist ? [LIVE] : []), ...(below === undefined ? [] : ["(attribute_not_exists(#n) OR #n < :below)"])];
  return conditional(
    doc.update({
      TableName: name,
      Key: key,
      UpdateExpression: "SET #n = if_not_exists(#n, :zero) + :delta",
      ...(conditions.length > 0 && { ConditionExpression: conditions.join(" AND ") }),
      ExpressionAttributeNames: { "#n": attribute, ...(mustExist && { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE }) },
      ExpressionAttributeValues: { ":zero": 0, ":delta": delta, ...(below !== undefined && { ":below": below }) },
    }),
  );
}

function metaItem(listId: string, name: string, ownerId: string, now: string, todoCount: number): Item {
  return {
    ...metaKey(listId),
    [KIND_ATTRIBUTE]: "list",
    name,
    ownerId,
    version: 1,
    memberCount: 1,
    todoCount,
    createdAt: now,
    updatedAt: now,
    [CHANGES_INDEX.sort]: changeKeyOf(now, LIST_META_KEY),
  };
}

function memberItem(listId: string, sub: string, email: string, role: Role, now: string): Item {
  return {
    ...memberKey(listId, sub),
    [KIND_ATTRIBUTE]: "member",
    memberId: sub,
    email,
    role,
    version: 1,
    joinedAt: now,
    updatedAt: now,
    [CHANGES_INDEX.sort]: changeKeyOf(now, MEMBER_PREFIX + sub),
  };
}

function entryItem(sub: string, listId: string, role: Role, now: string): Item {
  const sortKey = USER_LIST_PREFIX + listId;
  return {
    ...entryKey(sub, listId),
    [KIND_ATTRIBUTE]: "entry",
    listId,
    role,
    updatedAt: now,
    [CHANGES_INDEX.sort]: changeKeyOf(now, sortKey),
  };
}

/** The update that turns a membership or an index entry into a tombstone (the feed reports it). */
function tombstone(sortKey: string, now: string) {
  return {
    UpdateExpression: "SET #deleted = :true, version = if_not_exists(version, :zero) + :one, updatedAt = :now, #ck = :ck, #ttl = :expires",
    ExpressionAttributeNames: { "#deleted": TOMBSTONE_ATTRIBUTE, "#ck": CHANGES_INDEX.sort, "#ttl": TTL_ATTRIBUTE, "#sk": TABLE_KEY.sort },
    ExpressionAttributeValues: {
      ":true": true,
      ":zero": 0,
      ":one": 1,
      ":now": now,
      ":ck": changeKeyOf(now, sortKey),
      ":expires": tombstoneExpiry(now),
    },
  };
}

/** Turns a person's index entry for a list into a tombstone and gives back the list in their count. */
async function dropEntry(table: Table, sub: string, listId: string, now: string): Promise<void> {
  const t = tombstone(USER_LIST_PREFIX + listId, now);
  const dropped = await conditional(
    table.doc.update({ TableName: table.name, Key: entryKey(sub, listId), ...t, ConditionExpression: LIVE }),
  );
  // The first list is not in the count (see createList).
  if (dropped && listId !== sub) await adjust(table, profileKey(sub), "listCount", -1);
}

function toList(meta: Item, role: Role, entry: Item | undefined): TodoList {
  return {
    id: meta[TABLE_KEY.partition] as string,
    name: meta.name as string,
    role,
    ownerId: meta.ownerId as string,
    position: (entry?.position as string | undefined) ?? null,
    version: meta.version as number,
    createdAt: meta.createdAt as string,
    updatedAt: meta.updatedAt as string,
  };
}

function toMember(item: Item): Member {
  return {
    id: item.memberId as string,
    email: item.email as string,
    role: item.role as Role,
    version: item.version as number,
    joinedAt: item.joinedAt as string,
  };
}

/** Counts the live to-dos of a partition (Select COUNT: nothing but the count comes back). */
async function countTodos({ doc, name }: Table, listId: string): Promise<number> {
  let count = 0;
  let startKey: Item | undefined;
  do {
    const page = await doc.query({
      TableName: name,
      KeyConditionExpression: "#pk = :pk AND #sk < :idem",
      FilterExpression: "attribute_not_exists(#deleted)",
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ":pk": listId, ":idem": IDEMPOTENCY_PREFIX },
      Select: "COUNT",
      ConsistentRead: true,
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/**
 * The migration, per person: makes the partition `<sub>` (where their to-dos from before lists
 * already are) their first list. Three conditional Puts (meta, owner's membership, index entry),
 * in that order, none copying a to-do: running it again, or after an interruption, finds what is
 * done and does the rest. Also how a new person gets their first list. Runs lazily, from
 * `GET /api/lists` and `GET /api/changes` (see README: why no all-users script).
 */
export async function adoptFirstList(table: Table, caller: Caller, now: string): Promise<void> {
  const { sub } = caller;
  if (!(await getItem(table, metaKey(sub)))) {
    await putIfAbsent(table, metaItem(sub, FIRST_LIST_NAME, sub, now, await countTodos(table, sub)));
  }
  await putIfAbsent(table, memberItem(sub, sub, caller.email ?? "", "owner", now));
  await putIfAbsent(table, entryItem(sub, sub, "owner", now));
}

function listLimitError(): ConflictError {
  return new ConflictError(`You are in ${MAX_LISTS_PER_PERSON} lists, the most one person may have. Delete or leave one first.`);
}

function memberLimitError(): ConflictError {
  return new ConflictError(`This list has ${MAX_MEMBERS_PER_LIST} members, the most a list may have. Remove a member first.`);
}

/** The list as the caller sees it (meta, their membership, their index entry), or undefined. */
async function readList(table: Table, listId: string, sub: string): Promise<TodoList | undefined> {
  const found = await batchGet(table, [metaKey(listId), memberKey(listId, sub), entryKey(sub, listId)]);
  const meta = found.find((i) => i[TABLE_KEY.sort] === LIST_META_KEY);
  const member = found.find((i) => i[TABLE_KEY.sort] === MEMBER_PREFIX + sub);
  if (!live(meta) || !live(member)) return undefined;
  return toList(
    meta,
    member.role as Role,
    found.find((i) => i[TABLE_KEY.partition] === userPartition(sub)),
  );
}

/**
 * Deletes a list owned by `sub`: its other members first, then its items a chunk a call (a
 * continuation while work is left), then its meta and the owner's membership. Each step is
 * idempotent: an interrupted delete is finished by calling again. The route refuses the first
 * list; account deletion (store-account.ts) deletes it this way too.
 */
export async function deleteListItems(table: Table, listId: string, sub: string, now: string, options: BulkOptions): Promise<BulkResult> {
  // 1. Every other member goes first, so that no one but the owner reaches the list from now on.
  if (options.after === undefined) {
    for (const member of (await queryAll(table, listId, MEMBER_PREFIX)).filter(live)) {
      if (member.memberId === sub) continue;
      await table.doc.delete({ TableName: table.name, Key: memberKey(listId, member.memberId as string) });
      await dropEntry(table, member.memberId as string, listId, now);
    }
  }
  // 2. To-dos, tombstones and idempotency records (they sort before `~list`), a chunk at a time.
  const result = await sweep(
    table,
    listId,
    options,
    {
      KeyConditionExpression: "#pk = :pk AND #sk < :meta",
      ProjectionExpression: "#sk, #deleted",
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ":pk": listId, ":meta": LIST_META_KEY },
    },
    100,
    async (items) => {
      for (let i = 0; i < items.length; i += 25) await batchDelete(table, listId, items.slice(i, i + 25));
      return items.filter((item) => item[TOMBSTONE_ATTRIBUTE] !== true && !(item[TABLE_KEY.sort] as string).startsWith(IDEMPOTENCY_PREFIX))
        .length;
    },
  );
  if (result.last !== undefined) return result;
  // 3. The meta, then the owner's membership (their access ends) and index entry. In this
  // order a crash leaves the owner able to send DELETE again, which finishes.
  await table.doc.delete({ TableName: table.name, Key: metaKey(listId) });
  for (const member of (await queryAll(table, listId, MEMBER_PREFIX)).filter(live)) {
    await table.doc.delete({ TableName: table.name, Key: memberKey(listId, member.memberId as string) });
    await dropEntry(table, member.memberId as string, listId, now);
  }
  return result;
}

/** Sets a live member's role (with `extra`'s condition too); the new item comes back. */
function setRole(table: Table, listId: string, sub: string, to: Role, now: string, extra: { condition?: string; values?: Item } = {}) {
  return table.doc.update({
    TableName: table.name,
    Key: memberKey(listId, sub),
    UpdateExpression: "SET #role = :role, version = version + :one, updatedAt = :now, #ck = :ck",
    ConditionExpression: `${LIVE}${extra.condition ? ` AND ${extra.condition}` : ""}`,
    ExpressionAttributeNames: { "#sk": TABLE_KEY.sort, "#deleted": TOMBSTONE_ATTRIBUTE, "#role": "role", "#ck": CHANGES_INDEX.sort },
    ExpressionAttributeValues: { ":role": to, ":one": 1, ":now": now, ":ck": changeKeyOf(now, MEMBER_PREFIX + sub), ...extra.values },
    ReturnValues: "ALL_NEW",
  });
}

/** The index's copy of a member's role (the list side is what access reads). */
async function copyRoleToEntry(table: Table, sub: string, listId: string, role: Role, now: string): Promise<void> {
  await conditional(
    table.doc.update({
      TableName: table.name,
      Key: entryKey(sub, listId),
      UpdateExpression: "SET #role = :role, updatedAt = :now, #ck = :ck",
      ConditionExpression: LIVE,
      ExpressionAttributeNames: { ...LIVE_NAMES, "#role": "role", "#ck": CHANGES_INDEX.sort },
      ExpressionAttributeValues: { ":role": role, ":now": now, ":ck": changeKeyOf(now, USER_LIST_PREFIX + listId) },
    }),
  );
}

/**
 * Hands a list from `fromSub` to `toSub`. The new owner's membership is written first (here
 * when `promote`; updateMember has already written it), then the meta, then the old owner
 * steps down: a crash in between leaves two owners for a moment, never none. Every step may
 * be repeated.
 */
export async function finishHandOver(
  table: Table,
  listId: string,
  fromSub: string,
  toSub: string,
  now: string,
  promote = false,
): Promise<void> {
  if (promote) await conditional(setRole(table, listId, toSub, "owner", now));
  await table.doc.update({
    TableName: table.name,
    Key: metaKey(listId),
    UpdateExpression: "SET ownerId = :owner, version = version + :one, updatedAt = :now, #ck = :ck",
    ExpressionAttributeNames: { "#ck": CHANGES_INDEX.sort },
    ExpressionAttributeValues: { ":owner": toSub, ":one": 1, ":now": now, ":ck": changeKeyOf(now, LIST_META_KEY) },
  });
  await conditional(setRole(table, listId, fromSub, "editor", now, { condition: "#role = :owner", values: { ":owner": "owner" } }));
  await conditional(
    table.doc.update({
      TableName: table.name,
      Key: entryKey(fromSub, listId),
      UpdateExpression: "SET #role = :role",
      ConditionExpression: LIVE,
      ExpressionAttributeNames: { ...LIVE_NAMES, "#role": "role" },
      ExpressionAttributeValues: { ":role": "editor" },
    }),
  );
  await copyRoleToEntry(table, toSub, listId, "owner", now);
}

/** The caller's role in the list, from its list-side membership; undefined for a non-member. */
export async function readRole(table: Table, listId: string, sub: string): Promise<Role | undefined> {
  const item = await getItem(table, memberKey(listId, sub));
  return live(item) ? (item.role as Role) : undefined;
}

/** The list's live members, oldest first (by when they joined). */
export async function listMembers(table: Table, listId: string): Promise<Member[]> {
  return (await queryAll(table, listId, MEMBER_PREFIX))
    .filter(live)
    .map(toMember)
    .sort((a, b) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0));
}

/** Removes a member (not the owner: ConflictError): list side first, then the count, then their index. */
export async function removeMembership(table: Table, listId: string, memberId: string, now: string): Promise<void> {
  const item = await getItem(table, memberKey(listId, memberId));
  if (!live(item)) throw new NotFoundError("No member with this id is in the list.");
  if (item.role === "owner") {
    throw new ConflictError("The owner cannot leave or be removed. Hand the list over first: give another member the role owner.");
  }
  // List side first: access ends with this write. Then the count, then the member's own index.
  const removed = await conditional(
    table.doc.update({
      TableName: table.name,
      Key: memberKey(listId, memberId),
      ...tombstone(MEMBER_PREFIX + memberId, now),
      ConditionExpression: `${LIVE} AND #role <> :owner`,
      ExpressionAttributeNames: { ...tombstone(MEMBER_PREFIX + memberId, now).ExpressionAttributeNames, "#role": "role" },
      ExpressionAttributeValues: { ...tombstone(MEMBER_PREFIX + memberId, now).ExpressionAttributeValues, ":owner": "owner" },
    }),
  );
  if (removed) await adjust(table, metaKey(listId), "memberCount", -1, undefined, true);
  await dropEntry(table, memberId, listId, now);
}

type ListOperation = keyof ListStore;

/** Each list operation, built for one table (store.ts's STORE_OPERATIONS takes them in). */
export const LIST_OPERATIONS: { readonly [K in ListOperation]: (table: Table) => ListStore[K] } = {
  membership: (table) => (listId, sub) => readRole(table, listId, sub),

  lists: (table) => async (caller, now) => {
    let entries = (await queryAll(table, userPartition(caller.sub), USER_LIST_PREFIX)).filter(live);
    if (!entries.some((e) => e.listId === caller.sub)) {
      await adoptFirstList(table, caller, now);
      entries = (await queryAll(table, userPartition(caller.sub), USER_LIST_PREFIX)).filter(live);
    }
    const ids = entries.map((e) => e.listId as string);
    const found = await batchGet(
      table,
      ids.flatMap((id) => [metaKey(id), memberKey(id, caller.sub)]),
    );
    const byKey = new Map(found.map((item) => [`${item[TABLE_KEY.partition] as string}\n${item[TABLE_KEY.sort] as string}`, item]));
    const lists: TodoList[] = [];
    for (const entry of entries) {
      const id = entry.listId as string;
      const meta = byKey.get(`${id}\n${LIST_META_KEY}`);
      const member = byKey.get(`${id}\n${MEMBER_PREFIX}${caller.sub}`);
      // The list side is the truth: an entry it does not back is stale (a removal or a deletion
      // whose second step did not run): repaired here.
      if (!live(meta) || !live(member)) await dropEntry(table, caller.sub, id, now);
      else lists.push(toList(meta, member.role as Role, entry));
    }
    // The caller's order: positioned lists by position, then the rest: the first list, then oldest first.
    const rank = (l: TodoList) => `${l.id === caller.sub ? "0" : "1"}${l.createdAt}`;
    return lists.sort((a, b) => {
      if (a.position !== null || b.position !== null) {
        if (a.position === null) return 1;
        if (b.position === null) return -1;
        return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
      }
      return rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0;
    });
  },

  createList:
    (table) =>
    async (caller, { id, name, now }, requestKey) => {
      let listId = id;
      let fresh = true;
      const recordKey = requestKey === undefined ? undefined : itemKey(userPartition(caller.sub), IDEMPOTENCY_PREFIX + sha256(requestKey));
      const requestHash = sha256(name);
      const replay = async (): Promise<void> => {
        const earlier = recordKey && (await getItem(table, recordKey));
        if (!earlier) throw new ConflictError("A request with this Idempotency-Key expired while being retried. Send it again.");
        if (earlier.requestHash !== requestHash) {
          throw new ConflictError("This Idempotency-Key was already used with a different request. Use a new key for a new list.");
        }
        listId = earlier.listId as string;
        fresh = false;
      };
      if (recordKey && (await getItem(table, recordKey))) await replay();
      else {
        // Counted before anything is written (a crash leaves the count one high, never low). The
        // first list is not counted: the others may be MAX_LISTS_PER_PERSON - 1.
        if (!(await adjust(table, profileKey(caller.sub), "listCount", 1, MAX_LISTS_PER_PERSON - 1))) throw listLimitError();
        const ttl = Math.floor(Date.parse(now) / 1000) + IDEMPOTENCY_TTL_SECONDS;
        if (recordKey && !(await putIfAbsent(table, { ...recordKey, listId: id, requestHash, [TTL_ATTRIBUTE]: ttl }))) {
          // A concurrent request with the same key got there first: its list, counted once.
          await adjust(table, profileKey(caller.sub), "listCount", -1);
          await replay();
        }
      }
      await putIfAbsent(table, metaItem(listId, name, caller.sub, now, 0));
      await putIfAbsent(table, memberItem(listId, caller.sub, caller.email ?? "", "owner", now));
      await putIfAbsent(table, entryItem(caller.sub, listId, "owner", now));
      const [meta, entry] = [await getItem(table, metaKey(listId)), await getItem(table, entryKey(caller.sub, listId))];
      if (!live(meta)) throw new NotFoundError("This list was deleted since it was created.");
      return { list: toList(meta, "owner", entry), created: fresh };
    },

  getList: (table) => (listId, sub) => readList(table, listId, sub),

  updateList:
    (table) =>
    async (listId, sub, { name, position }, now, expectedVersion) => {
      if (name !== undefined) {
        try {
          await table.doc.update({
            TableName: table.name,
            Key: metaKey(listId),
            UpdateExpression: "SET #name = :name, version = version + :one, updatedAt = :now, #ck = :ck",
            ConditionExpression: expectedVersion === undefined ? LIVE : `${LIVE} AND version = :v`,
            ExpressionAttributeNames: { ...LIVE_NAMES, "#name": "name", "#ck": CHANGES_INDEX.sort },
            ExpressionAttributeValues: {
              ":name": name,
              ":one": 1,
              ":now": now,
              ":ck": changeKeyOf(now, LIST_META_KEY),
              ...(expectedVersion !== undefined && { ":v": expectedVersion }),
            },
          });
        } catch (err) {
          if (!isConditionFailed(err)) throw err;
          const meta = await getItem(table, metaKey(listId));
          if (!live(meta)) throw new NotFoundError();
          throw new PreconditionFailedError(meta.version as number, "list");
        }
      }
      if (position !== undefined) {
        // The caller's own order: their index entry only (no one else's order changes).
        await table.doc.update({
          TableName: table.name,
          Key: entryKey(sub, listId),
          UpdateExpression: "SET #position = :position, updatedAt = :now, #ck = :ck",
          ExpressionAttributeNames: { "#position": "position", "#ck": CHANGES_INDEX.sort },
          ExpressionAttributeValues: { ":position": position, ":now": now, ":ck": changeKeyOf(now, USER_LIST_PREFIX + listId) },
        });
      }
      const list = await readList(table, listId, sub);
      if (!list) throw new NotFoundError();
      return list;
    },

  deleteList: (table) => async (listId, sub, now, options) => {
    if (listId === sub) {
      throw new ConflictError("Your first list cannot be deleted (it keeps your to-dos from before lists). Clear its to-dos instead.");
    }
    return deleteListItems(table, listId, sub, now, options);
  },

  members: (table) => (listId) => listMembers(table, listId),

  invite:
    (table) =>
    async (listId, { email, role, invitedBy, now }) => {
      const meta = await getItem(table, metaKey(listId));
      if (!live(meta)) throw new NotFoundError();
      if ((meta.memberCount as number) >= MAX_MEMBERS_PER_LIST) throw memberLimitError();
      const expires = Date.parse(now) + INVITATION_LIFETIME_MS;
      // A Put, so inviting again renews the invitation (and may change its role).
      await table.doc.put({
        TableName: table.name,
        Item: {
          ...itemKey(invitationPartition(email), listId),
          [KIND_ATTRIBUTE]: "invitation",
          listName: meta.name,
          role,
          invitedBy,
          createdAt: now,
          expiresAtIso: new Date(expires).toISOString(),
          [TTL_ATTRIBUTE]: Math.floor(expires / 1000),
        },
      });
    },

  updateMember: (table) => async (listId, callerSub, memberId, role, now, expectedVersion) => {
    if (memberId === callerSub) {
      throw new ConflictError("You cannot change your own role. To hand the list over, give another member the role owner.");
    }
    if (role === "owner" && listId === callerSub) {
      throw new ConflictError("Your first list cannot be handed over. Share it, or create a list to hand over.");
    }
    let updated: Item;
    try {
      // The target is never the owner: there is one, and it is the caller (the route checked).
      const out = await setRole(table, listId, memberId, role, now, {
        condition: `#role <> :owner${expectedVersion === undefined ? "" : " AND version = :v"}`,
        values: { ":owner": "owner", ...(expectedVersion !== undefined && { ":v": expectedVersion }) },
      });
      updated = out.Attributes as Item;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const item = await getItem(table, memberKey(listId, memberId));
      if (!live(item)) throw new NotFoundError("No member with this id is in the list.");
      if (item.role === "owner") throw new ConflictError("This member is the list's owner.");
      throw new PreconditionFailedError(item.version as number, "member");
    }
    if (role === "owner") await finishHandOver(table, listId, callerSub, memberId, now);
    else await copyRoleToEntry(table, memberId, listId, role, now);
    return toMember(updated);
  },

  removeMember: (table) => (listId, memberId, now) => removeMembership(table, listId, memberId, now),

  invitations:
    ({ doc, name }) =>
    async (email, now) => {
      const { Items = [] } = await doc.query({
        TableName: name,
        KeyConditionExpression: "#pk = :pk",
        FilterExpression: "#ttl > :now",
        ExpressionAttributeNames: { "#pk": TABLE_KEY.partition, "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ":pk": invitationPartition(email), ":now": Math.floor(Date.parse(now) / 1000) },
        ConsistentRead: true,
      });
      return Items.map((item): Invitation => ({
        id: item[TABLE_KEY.sort] as string,
        listId: item[TABLE_KEY.sort] as string,
        listName: item.listName as string,
        role: item.role as Invitation["role"],
        invitedBy: item.invitedBy as string,
        createdAt: item.createdAt as string,
        expiresAt: item.expiresAtIso as string,
      }));
    },

  acceptInvitation: (table) => async (caller, listId, now) => {
    const invitationKey = itemKey(invitationPartition(caller.verifiedEmail), listId);
    const invitation = await getItem(table, invitationKey);
    if (!invitation || (invitation[TTL_ATTRIBUTE] as number) <= Math.floor(Date.parse(now) / 1000)) {
      throw new NotFoundError("No invitation with this id exists.");
    }
    const meta = await getItem(table, metaKey(listId));
    if (!live(meta)) {
      await table.doc.delete({ TableName: table.name, Key: invitationKey });
      throw new NotFoundError("No invitation with this id exists.");
    }
    const already = live(await getItem(table, memberKey(listId, caller.sub)));
    if (!already) {
      // Both counts are raised before the membership they count (a crash leaves them one high).
      if (!(await adjust(table, metaKey(listId), "memberCount", 1, MAX_MEMBERS_PER_LIST, true))) throw memberLimitError();
      if (!(await adjust(table, profileKey(caller.sub), "listCount", 1, MAX_LISTS_PER_PERSON - 1))) {
        await adjust(table, metaKey(listId), "memberCount", -1, undefined, true);
        throw listLimitError();
      }
      // List side first, then the index: a crash between leaves a member whose list is missing
      // from GET /api/lists until they accept again (the invitation is deleted last).
      if (!(await putIfAbsent(table, memberItem(listId, caller.sub, caller.verifiedEmail, invitation.role as Role, now), true))) {
        await adjust(table, metaKey(listId), "memberCount", -1, undefined, true);
        await adjust(table, profileKey(caller.sub), "listCount", -1);
      }
    }
    const member = await getItem(table, memberKey(listId, caller.sub));
    await putIfAbsent(table, entryItem(caller.sub, listId, (member?.role as Role | undefined) ?? "viewer", now), true);
    await table.doc.delete({ TableName: table.name, Key: invitationKey });
    const list = await readList(table, listId, caller.sub);
    if (!list) throw new NotFoundError("No invitation with this id exists.");
    return list;
  },

  declineInvitation:
    ({ doc, name }) =>
    async (email, listId) => {
      const { Attributes } = await doc.delete({
        TableName: name,
        Key: itemKey(invitationPartition(email), listId),
        ReturnValues: "ALL_OLD",
      });
      if (!Attributes) throw new NotFoundError("No invitation with this id exists.");
    },
};
