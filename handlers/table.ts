/**
 * TodoTable's layout, defined once: the key schema, the change-feed index, the TTL attribute and
 * the sort keys of every kind of item. The TodoTable component (components/todo-table.ts), the
 * local stack (local/dynamo.ts `ensureTodoTable`), the adapter (store.ts, store-bulk.ts,
 * store-lists.ts), the tests and the bench all read it from here.
 *
 * ## Legacy attribute names
 * The key attributes are still called `userId` (partition) and `todoId` (sort key): renaming a
 * key attribute replaces the table (a protected resource) and its LSI. Read them as "partition"
 * and "sort key". Since lists (issue 17) a partition is one of:
 *
 * | partition            | sort key                 | item                                                  |
 * |----------------------|--------------------------|-------------------------------------------------------|
 * | `<listId>`           | `<ULID>`                 | a to-do, or its tombstone (`deleted`)                 |
 * | `<listId>`           | `~idem#<hash>`           | an idempotency record (creates)                       |
 * | `<listId>`           | `~list`                  | the list's meta: name, ownerId, version, counters     |
 * | `<listId>`           | `~member#<sub>`          | a membership: role, email (THE truth for access)     |
 * | `u#<sub>`            | `list#<listId>`          | the person's index of their lists: role, position     |
 * | `u#<sub>`            | `~profile`               | the person's counter of lists (the limit)             |
 * | `u#<sub>`            | `~deleted`               | the account was deleted: when, what to sweep (TTL)    |
 * | `i#<e-mail>`         | `<listId>`               | a pending invitation to that list (TTL)               |
 *
 * A person's FIRST list has `listId = <their sub>`: before lists, a person's to-dos lived in the
 * partition `<sub>`, so that list adopts them in place (adoptFirstList, store-lists.ts): the
 * "migration" writes the meta, the owner's membership and the index entry, each a conditional
 * Put, and copies nothing. A list created later gets a ULID. List ids are checked against
 * LIST_ID_PATTERN (schemas.ts) before they become a partition: `u#…` and `i#…` never match.
 * The adoption runs lazily, at a person's first `GET /api/lists` or `GET /api/changes` (how a
 * client learns its list ids), not from an all-users script: it costs the same three writes
 * whenever it runs, the old routes do not need it, and a script would need a Scan (or Cognito's
 * user list) for nothing.
 *
 * `~list` and `~member#…` (rather than `#list`, `#member#…`, which sort BEFORE every ULID) sort
 * AFTER `~idem#` (`l`, `m` > `i`), so every to-do Query, bounded
 * by `todoId < "~idem#"`, never sees them: the old `/api/todos…` routes' key conditions did
 * not change. They carry `changeKey` (so the list's own feed, the LSI, carries renames and
 * membership changes) and `kind` (KIND_ATTRIBUTE): the old to-do feed filters `kind` out.
 *
 * ## Invariants without transactions (dynalite has none: conditional writes, idempotent steps)
 * - Access: the list-side `~member#<sub>` item decides; it is read (one strongly consistent
 *   GetItem) by the HTTP adapter before every list route. The user-side `list#<listId>` entry
 *   is only an index: `GET /api/lists` and the feed verify each entry against the list side
 *   (`GET /api/lists` also repairs a stale one). Join writes list side first, then user side; leave and remove
 *   write list side first, then user side. A crash between the two leaves, at worst, an index
 *   entry the list side contradicts: after a join, a missing entry (the join is retried by
 *   accepting again: the invitation is deleted last); after a removal, an entry that grants
 *   nothing (the list side said no at once) and is dropped when next read. The other order
 *   could leave a removed person with access for as long as the crash lasted.
 * - One owner per list: ownership moves only by PATCHing another member's role to "owner",
 *   which writes the new owner's item first, then demotes the old one (conditioned on still
 *   being owner): a crash between leaves two owners for a moment, never none. The owner cannot
 *   leave or be removed (409: hand over first).
 * - The first list (id = its owner's sub) can be renamed and shared, not deleted nor handed
 *   over by its owner (as Microsoft To Do's default list): so the partition `<sub>` belongs to
 *   that person while the account lives, and the old `/api/todos…` routes keep addressing it
 *   with no membership read. Only deleting the account hands it over or deletes it (below).
 * - Limits: `~profile.listCount`, `~list.memberCount` and `~list.todoCount` are raised by a
 *   conditional update (`< limit`) BEFORE the write they count and lowered after a removal.
 *   A crash between leaves a counter one too high: the limit can only be reached early, never
 *   exceeded. (The old routes do not maintain `todoCount` of the first list: it is set exactly
 *   when the list is adopted, and drifts while the old routes are still in use.)
 * - Deleting a list: other members' items first (their access ends at once), then the to-dos
 *   (a chunk a call, with a continuation cursor), then the meta, then the owner's membership:
 *   an interrupted delete leaves the owner able to send DELETE again, which finishes it.
 * - Moving a to-do: put in the target (same id, `attribute_not_exists`), then tombstone the
 *   source conditioned on the version read: a retry finds it moved; an edit in between gets 412
 *   and the copy is withdrawn.
 * - The feed (`GET /api/changes`) reads the person's index but verifies every entry against
 *   the list side before reading a list: a stale entry shows the list as removed, never its data.
 * - Deleting an account (store-account.ts, `DELETE /api/account`): the marker `u#<sub>`/`~deleted`
 *   is written FIRST (a conditional Put), and every request of that person is refused from then
 *   on with 410 `account_deleted`: the routes without a list (`access: "none"`: the old
 *   `/api/todos…` routes, `GET /api/lists`, `GET /api/changes`, invitations, creating a list)
 *   read the marker before anything else (one strongly consistent GetItem, 1 read unit: these
 *   routes reach the person's own partitions with no membership read, and `GET /api/lists` and
 *   the feed would adopt a first list again); a list route needs no extra read, since its
 *   membership read already refuses a person whose memberships are gone, and only on that
 *   refusal is the marker read, to answer 410 instead of 404. Then, list by list: a list where
 *   they are a member is left (removeMember); a list they own with an editor goes to the OLDEST
 *   editor (by `joinedAt`) and then they leave it; a list they own without one is recorded in the
 *   marker, then deleted (deleteListItems): its viewers lose it. The first list (id = their sub)
 *   is handled like any other: handed over when shared with an editor (the partition `<sub>`
 *   then belongs to the new owner as an ordinary list: nobody can use the deleted sub again, and
 *   the old routes answer the deleted person 410), else deleted. Then the invitations to their
 *   e-mail, every recorded list's partition again (anything written there meanwhile), and the
 *   `u#<sub>` partition but the marker. Each step is idempotent; a call stops on its time budget
 *   with a continuation, and the sweep (the same deletion, run again once every token the person
 *   held has expired) removes whatever a request already past its checks wrote meanwhile. A
 *   request that passed the membership read just before the person left a list that lives on
 *   may still write there: such a to-do belongs to that list, as a departed member's do.
 * - Idempotent steps: every write is a conditional Put (`attribute_not_exists`) or an Update
 *   whose repetition changes nothing more (or only a counter, see above), so each multi-step
 *   operation is safe to retry from the start after any interruption.
 */
/** The table's key schema. */
export const TABLE_KEY = { partition: "userId", sort: "todoId" } as const;

/** The key of one item of a user's partition (a to-do, a tombstone or an idempotency record). */
export const itemKey = (userId: string, sortKey: string): Record<string, string> => ({
  [TABLE_KEY.partition]: userId,
  [TABLE_KEY.sort]: sortKey,
});

/**
 * The change feed: a local secondary index on (userId, changeKey), every attribute projected.
 * Every change sets `updatedAt` and `changeKey` (changeKeyOf), so one strongly consistent Query
 * returns a user's changes oldest first. Items without it (idempotency records) are not in the
 * index. A local secondary index can only be created with its table: adding it replaces an
 * existing table (see README, "Deploy").
 */
export const CHANGES_INDEX = { name: "byChange", sort: "changeKey", projection: "ALL" } as const;

/**
 * The index's sort key: `updatedAt#id`. Unique, so the feed's order is total and a page boundary
 * is exact: many to-dos share one `updatedAt` (mark-all stamps them alike), and the order of
 * equal index keys is not something to rely on (dynalite lost items paging through 10,000 equal
 * `updatedAt` values). ISO instants have one length, so the order is `updatedAt`'s first.
 */
export const changeKeyOf = (updatedAt: string, id: string): string => `${updatedAt}#${id}`;

/** Every attribute a key or an index uses, with its DynamoDB type (S: string). */
export const KEY_ATTRIBUTES: readonly { readonly name: string; readonly type: "S" }[] = [
  { name: TABLE_KEY.partition, type: "S" },
  { name: TABLE_KEY.sort, type: "S" },
  { name: CHANGES_INDEX.sort, type: "S" },
];

/** Attribute DynamoDB's TTL reads: it expires idempotency records and tombstones. */
export const TTL_ATTRIBUTE = "expiresAt";

/** Sort-key prefix of idempotency records; sorts after every ULID (Crockford base32 is 0-9A-Z). */
export const IDEMPOTENCY_PREFIX = "~idem#";

/** The attribute that marks a tombstone: a deleted to-do kept so that other devices learn of it. */
export const TOMBSTONE_ATTRIBUTE = "deleted";

/** Sort key of a list's meta item (name, owner, counters), in the list's partition. */
export const LIST_META_KEY = "~list";
/** Sort-key prefix of a membership, in the list's partition: `~member#<sub>`. */
export const MEMBER_PREFIX = "~member#";
/** The partition of a person's index of lists and their profile. */
export const userPartition = (sub: string): string => `u#${sub}`;
/** Sort-key prefix of a person's index entries: `list#<listId>`. */
export const USER_LIST_PREFIX = "list#";
/** Sort key of a person's profile (their count of lists). */
export const PROFILE_KEY = "~profile";
/** Sort key of the marker of a deleted account, in its `u#<sub>` partition (store-account.ts). */
export const DELETED_MARKER_KEY = "~deleted";
/** The partition of the invitations to one e-mail address (lower case). */
export const invitationPartition = (email: string): string => `i#${email.toLowerCase()}`;
/** What an item other than a to-do is: "list" | "member" | "entry" | "invitation". The to-do feed leaves these out. */
export const KIND_ATTRIBUTE = "kind";
