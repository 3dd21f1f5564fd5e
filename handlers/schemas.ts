/**
 * The JSON Schemas of the API: the single source for request validation.
 *
 * Draft-04 compatible on purpose: API Gateway's request validator speaks draft-04, and the
 * TodoApi component publishes `body` schemas as its models. The Lambda adapter and the local
 * server validate with these same objects. Only draft-04 keywords are used.
 */
import type { JsonSchema } from "../common/gateway";
import { CHANGES_LIMIT_MAX, TITLE_MAX_LENGTH } from "./limits";

export { CHANGES_LIMIT_MAX, TITLE_MAX_LENGTH };

/** Crockford base32 ULID: 26 characters, time-sortable. */
export const TODO_ID_PATTERN = "^[0-9A-HJKMNP-TV-Z]{26}$";
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 50;
/** Largest request body accepted, in bytes (API Gateway allows more; we never need it). */
export const MAX_BODY_BYTES = 16 * 1024;

const title: JsonSchema = {
  type: "string",
  minLength: 1,
  // The raw bound lets surrounding whitespace through; the 500-after-trimming rule is the
  // domain's (normalizeTitle in todos.ts); the 16 KiB body cap bounds the size anyway.
  maxLength: TITLE_MAX_LENGTH * 2,
  // No C0 control characters or DEL: they break rendering and logs. No U+FFFD either: it is what
  // broken encoding turns into (API Gateway hands Lambda a text body with invalid UTF-8 bytes
  // already replaced by it), so a title holding one is almost surely corrupted input.
  pattern: "^[^\\u0000-\\u001F\\u007F\\uFFFD]*$",
  description: `title: 1 to ${TITLE_MAX_LENGTH} characters after trimming, no control characters or U+FFFD (what broken encoding turns into)`,
};
const completed: JsonSchema = { type: "boolean", description: "completed: true or false" };
const dueDate: JsonSchema = {
  type: ["string", "null"],
  pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
  description: "dueDate: a date as YYYY-MM-DD, or null to clear it",
};

export const createTodoBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "CreateTodo",
  type: "object",
  additionalProperties: false,
  required: ["title"],
  properties: { title, completed, dueDate },
};

export const updateTodoBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "UpdateTodo",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: { title, completed, dueDate },
};

/** Query strings are not checked by API Gateway's validator: the Lambda adapter checks them. */
export const listTodosQuery: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    limit: {
      type: "string",
      pattern: `^([1-9]|[1-9][0-9]|${LIST_LIMIT_MAX})$`,
      description: `limit: a whole number from 1 to ${LIST_LIMIT_MAX}`,
    },
    cursor: { type: "string", minLength: 1, maxLength: 512, description: "cursor: the nextCursor of a previous page" },
    status: { enum: ["all", "active", "completed"], description: "status: all, active or completed" },
  },
};

export const noQuery: JsonSchema = { type: "object", additionalProperties: false, properties: {} };

export const todoIdParams: JsonSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: TODO_ID_PATTERN } },
};

export interface CreateTodoBody {
  title: string;
  completed?: boolean;
  dueDate?: string | null;
}
export type UpdateTodoBody = Partial<CreateTodoBody>;
export interface ListTodosQuery {
  limit?: string;
  cursor?: string;
  status?: "all" | "active" | "completed";
}

export const CHANGES_LIMIT_DEFAULT = 200;

const cursor: JsonSchema = {
  type: "string",
  minLength: 1,
  maxLength: 512,
  description: "cursor: the nextCursor of the previous answer",
};

export const markAllBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "MarkAll",
  type: "object",
  additionalProperties: false,
  required: ["completed"],
  properties: { completed, cursor },
};

/** Every field optional: an empty body is `{}` (API Gateway validates it as such). */
export const clearCompletedBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "ClearCompleted",
  type: "object",
  additionalProperties: false,
  properties: { cursor },
};

export const changesQuery: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    cursor,
    limit: {
      type: "string",
      pattern: `^([1-9]|[1-9][0-9]|[1-4][0-9]{2}|${CHANGES_LIMIT_MAX})$`,
      description: `limit: a whole number from 1 to ${CHANGES_LIMIT_MAX}`,
    },
  },
};

export const EXPORT_FORMATS = ["json", "csv"] as const;
export const exportQuery: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: { format: { enum: [...EXPORT_FORMATS], description: `format: ${EXPORT_FORMATS.join(" or ")}` } },
};

export const cursorQuery: JsonSchema = { type: "object", additionalProperties: false, properties: { cursor } };

export interface MarkAllBody {
  completed: boolean;
  cursor?: string;
}
export interface CursorInput {
  cursor?: string;
}
export interface ChangesQuery {
  cursor?: string;
  limit?: string;
}
export interface ExportQuery {
  format?: (typeof EXPORT_FORMATS)[number];
}

// ---- lists and sharing (issue 17) ----------------------------------------------------------

/** A user id (Cognito's `sub`): a UUID. A person's first list has their sub as its id. */
export const SUB_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
/**
 * A list id: a ULID (lists made with POST /api/lists) or a sub (a person's first list). Checked
 * before it becomes a partition key: nothing matching it is a person's (`u#…`) or an e-mail's
 * (`i#…`) partition.
 */
export const LIST_ID_PATTERN = `^([0-9A-HJKMNP-TV-Z]{26}|${SUB_PATTERN.slice(1, -1)})$`;
export const LIST_NAME_MAX_LENGTH = 100;
/** A manual-order key (positions.ts POSITION_PATTERN, repeated here so this file stays the schema set). */
export const POSITION_SCHEMA: JsonSchema = {
  type: "string",
  pattern: "^[0-9A-Za-z]{0,63}[1-9A-Za-z]$",
  description: "position: an order key (base-62 digits, not ending in 0, at most 64)",
};

const listName: JsonSchema = {
  type: "string",
  minLength: 1,
  maxLength: LIST_NAME_MAX_LENGTH,
  pattern: "^[^\\u0000-\\u001F\\u007F\\uFFFD]*[^\\u0000-\\u001F\\u007F\\uFFFD\\s][^\\u0000-\\u001F\\u007F\\uFFFD]*$",
  description: `name: 1 to ${LIST_NAME_MAX_LENGTH} characters, not only spaces, no control characters`,
};
const memberRole: JsonSchema = { enum: ["owner", "editor", "viewer"], description: "role: owner, editor or viewer" };
const inviteRole: JsonSchema = { enum: ["editor", "viewer"], description: "role: editor or viewer" };
const email: JsonSchema = {
  type: "string",
  minLength: 3,
  maxLength: 254,
  pattern: "^[^\\s@]+@[^\\s@]+$",
  description: "email: an e-mail address",
};

export const listIdParams: JsonSchema = {
  type: "object",
  required: ["listId"],
  properties: { listId: { type: "string", pattern: LIST_ID_PATTERN } },
};
export const listTodoParams: JsonSchema = {
  type: "object",
  required: ["listId", "todoId"],
  properties: { listId: { type: "string", pattern: LIST_ID_PATTERN }, todoId: { type: "string", pattern: TODO_ID_PATTERN } },
};
export const memberParams: JsonSchema = {
  type: "object",
  required: ["listId", "memberId"],
  properties: { listId: { type: "string", pattern: LIST_ID_PATTERN }, memberId: { type: "string", pattern: SUB_PATTERN } },
};
export const invitationParams: JsonSchema = {
  type: "object",
  required: ["invitationId"],
  properties: { invitationId: { type: "string", pattern: LIST_ID_PATTERN } },
};

export const createListBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "CreateList",
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: { name: listName },
};
export const updateListBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "UpdateList",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: { name: listName, position: POSITION_SCHEMA },
};
export const updateListTodoBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "UpdateListTodo",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...(updateTodoBody.properties as Record<string, JsonSchema>),
    position: POSITION_SCHEMA,
    listId: { type: "string", pattern: LIST_ID_PATTERN, description: "listId: a list to move the to-do to" },
  },
};
export const inviteBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "Invite",
  type: "object",
  additionalProperties: false,
  required: ["email", "role"],
  properties: { email, role: inviteRole },
};
export const updateMemberBody: JsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "UpdateMember",
  type: "object",
  additionalProperties: false,
  required: ["role"],
  properties: { role: memberRole },
};

export interface CreateListBody {
  name: string;
}
export interface UpdateListBody {
  name?: string;
  position?: string;
}
export type UpdateListTodoBody = UpdateTodoBody & { position?: string; listId?: string };
export interface InviteBody {
  email: string;
  role: "editor" | "viewer";
}
export interface UpdateMemberBody {
  role: "owner" | "editor" | "viewer";
}
