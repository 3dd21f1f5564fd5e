/**
 * The rules of lists and sharing (issue 17): roles and what each may do, the limits, and the
 * shapes the API answers with. Nothing here knows about HTTP or the AWS SDK; the store's list
 * operations (store-lists.ts) implement `ListStore`.
 *
 * Authorization is data: ROLE_PERMISSIONS is the one table of "role → allowed operations".
 * Each route declares the access it needs (routes.ts, `access`); the HTTP adapter reads the
 * caller's membership (one GetItem) before the route runs, refuses a non-member with the same
 * 404 as a missing list, and a member whose role lacks the access with 403.
 */
import type { BulkOptions, BulkResult, Todo } from "./todos";

export const ROLES = ["owner", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];
/** What a route needs of the caller's role. */
export type Access = "read" | "write" | "manage";

/** viewer: read; editor: + write to-dos; owner: + rename and delete the list, manage members, hand over. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Access[]>> = {
  viewer: ["read"],
  editor: ["read", "write"],
  owner: ["read", "write", "manage"],
};

export const can = (role: Role, access: Access): boolean => ROLE_PERMISSIONS[role].includes(access);

/** Lists a person may be a member of, their first list included. */
export const MAX_LISTS_PER_PERSON = 100;
/** Members of one list, its owner included. */
export const MAX_MEMBERS_PER_LIST = 50;
/**
 * To-dos of one list (tombstones not counted). Summary and export read the whole list in one
 * function call: 10,000 is what the whole-list tests and the bench run within the 5 s default
 * timeout and the 6 MB answer (see README, "Whole lists and sync").
 */
export const MAX_TODOS_PER_LIST = 10_000;
/** How long an invitation waits to be accepted (DynamoDB TTL removes it later). */
export const INVITATION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;
/** The name a person's first list gets (the one that holds their to-dos from before lists). */
export const FIRST_LIST_NAME = "To-dos";

/** Who calls, as the authorizer's claims say (never from the request). */
export interface Caller {
  readonly sub: string;
  /** The ID token's e-mail as it is (shown to the other members), verified or not. */
  readonly email?: string;
  /** The ID token's e-mail, lower case, only when the token says it is verified. */
  readonly verifiedEmail?: string;
  /** The ID token's `cognito:username`: the name Cognito's admin calls take (account deletion). */
  readonly username?: string;
}

export interface TodoList {
  readonly id: string;
  readonly name: string;
  /** The caller's role. */
  readonly role: Role;
  readonly ownerId: string;
  /** The caller's own order of their lists (a position key), or null for the default order. */
  readonly position: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Member {
  /** The member's user id (their token's `sub`). */
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly version: number;
  readonly joinedAt: string;
}

export interface Invitation {
  /** The invitation's id: the id of the list it invites to (one invitation per list and e-mail). */
  readonly id: string;
  readonly listId: string;
  readonly listName: string;
  readonly role: Exclude<Role, "owner">;
  /** The inviting owner's e-mail. */
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ListChanges {
  readonly name?: string;
}

/** The store's list operations. Every one is scoped by ids the adapter has authorized. */
export interface ListStore {
  /** The caller's role in the list, from the list-side membership item; undefined for a non-member. */
  membership(listId: string, sub: string): Promise<Role | undefined>;
  /** The caller's lists, each verified against its list-side membership; adopts the first list. */
  lists(caller: Caller, now: string): Promise<TodoList[]>;
  /** Creates a list owned by the caller (ConflictError at the limit). `requestKey` makes retries return the same list. */
  createList(
    caller: Caller,
    list: { id: string; name: string; now: string },
    requestKey?: string,
  ): Promise<{ list: TodoList; created: boolean }>;
  getList(listId: string, sub: string): Promise<TodoList | undefined>;
  /** Renames (owner) and/or moves the list in the caller's own order. */
  updateList(
    listId: string,
    sub: string,
    changes: { name?: string; position?: string },
    now: string,
    expectedVersion?: number,
  ): Promise<TodoList>;
  /** Deletes the list: its other members first, then its items, its owner's membership and its meta last. */
  deleteList(listId: string, sub: string, now: string, options: BulkOptions): Promise<BulkResult>;
  members(listId: string): Promise<Member[]>;
  /** Records (or renews) an invitation; the same whether or not the e-mail has an account. */
  invite(listId: string, invitation: { email: string; role: Exclude<Role, "owner">; invitedBy: string; now: string }): Promise<void>;
  /** Changes a member's role; "owner" hands the list over (the caller becomes an editor). */
  updateMember(listId: string, callerSub: string, memberId: string, role: Role, now: string, expectedVersion?: number): Promise<Member>;
  /** Removes a member (or the caller, leaving). ConflictError for the owner. */
  removeMember(listId: string, memberId: string, now: string): Promise<void>;
  invitations(email: string, now: string): Promise<Invitation[]>;
  acceptInvitation(caller: Caller & { verifiedEmail: string }, listId: string, now: string): Promise<TodoList>;
  declineInvitation(email: string, listId: string): Promise<void>;
}

/** A to-do as list routes show it: who changed it last, and its place in the list's manual order. */
export type ListTodo = Todo & { readonly lastEditedBy?: string; readonly position?: string };

/** One entry of the feed of everything a person can see (GET /api/changes). */
export type FeedItem =
  | ({ readonly type: "todo"; readonly listId: string } & (Todo | { id: string; deleted: true; version: number; updatedAt: string }))
  | { readonly type: "list"; readonly id: string; readonly removed: true }
  | ({ readonly type: "list" } & TodoList)
  | ({ readonly type: "member"; readonly listId: string } & Member)
  | { readonly type: "member"; readonly listId: string; readonly id: string; readonly deleted: true; readonly version: number };

/** Where a page of the feed stopped inside a pass: in which list, after which item of its feed. */
export interface FeedStop {
  readonly listId: string;
  readonly after?: { readonly changeKey: string; readonly sortKey: string };
}

export interface FeedOptions {
  /** Changes stamped at or after this instant ("" for everything). */
  readonly since: string;
  /** Continue here (undefined: the first page of a pass, which starts with the person's lists). */
  readonly stop?: FeedStop;
  readonly limit: number;
}

export interface FeedStore {
  /** One page of the feed: the person's lists (joined, changed, left), then each list's own changes. Adopts the first list. */
  allChanges(caller: Caller, options: FeedOptions, now: string): Promise<{ items: FeedItem[]; stop?: FeedStop }>;
}
