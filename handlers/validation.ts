/**
 * Request validation, generated from the one schema set (schemas.ts).
 *
 * `compileChecks` runs where the program runs (deployment, tests, the local stack), never inside
 * Lambda: ajv (a devDependency) compiles a route's schemas and its standalone code generator writes
 * them out as plain JavaScript functions, loaded here. Pulumi's closure serializer copies those
 * functions, by their source, into the route's archive, so a function carries a few kilobytes of
 * validators for its own schemas and no validation library.
 *
 * `findProblems` runs inside Lambda: it calls one of those functions and words its findings as the
 * API's error details (the field, then a plain message with the property's description).
 */
import { runInThisContext } from "node:vm";
import type { ErrorDetail, JsonSchema } from "../common/gateway";

/** What ajv's generated code reports for each problem it finds. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** A validator as ajv's standalone code generator writes it. */
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: readonly SchemaError[] | null;
}

export interface SchemaCheck {
  readonly validate: GeneratedValidator;
  /** Each top-level property's `description`, added to the messages about it. */
  readonly hints: Readonly<Record<string, string>>;
}

/** A route's schemas as the route table declares them. */
export interface RouteSchemas {
  readonly body?: JsonSchema;
  readonly query: JsonSchema;
  readonly params?: JsonSchema;
}

export interface RouteChecks {
  readonly body?: SchemaCheck;
  readonly query: SchemaCheck;
  readonly params?: SchemaCheck;
}

const compiled = new WeakMap<RouteSchemas, RouteChecks>();

/** Generates the route's validators (once per schema set). Needs ajv: never call it inside Lambda. */
export function compileChecks(schemas: RouteSchemas): RouteChecks {
  const cached = compiled.get(schemas);
  if (cached) return cached;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when checks are generated,
     so that nothing inside a Lambda archive can reach ajv (a devDependency) */
  const Ajv = require("ajv-draft-04") as typeof import("ajv-draft-04").default;
  const standaloneCode = require("ajv/dist/standalone") as typeof import("ajv/dist/standalone").default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // allErrors: every problem is reported, not just the first. strict: a keyword or format ajv
  // does not know fails here, at generation, rather than going unchecked. Lengths count code
  // points, as JSON Schema says (ajv's ucs2length); patterns run with the "u" flag.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, code: { source: true } });
  const parts = (["body", "query", "params"] as const).filter((part) => schemas[part] !== undefined);
  for (const part of parts) ajv.addSchema(schemas[part] as object, part);
  const source = standaloneCode(ajv, Object.fromEntries(parts.map((part) => [part, part])));
  // The generated module requires only ajv's small runtime helpers (e.g. ucs2length); they are
  // plain functions, so the serializer inlines them too.
  const load = runInThisContext(`(function (exports, require) {${source}\n})`, { filename: "generated-validators.js" }) as (
    exports: Record<string, GeneratedValidator>,
    req: NodeJS.Require,
  ) => void;
  const validators: Record<string, GeneratedValidator> = {};
  load(validators, require);
  const check = (part: (typeof parts)[number]): SchemaCheck | undefined => {
    const schema = schemas[part];
    return schema && { validate: validators[part], hints: hintsOf(schema) };
  };
  const checks: RouteChecks = { body: check("body"), query: check("query") as SchemaCheck, params: check("params") };
  compiled.set(schemas, checks);
  return checks;
}

function hintsOf(schema: JsonSchema): Record<string, string> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const hints: Record<string, string> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (typeof property.description === "string") hints[name] = property.description;
  }
  return hints;
}

/** Runs a check; one detail per problem, located under `where` ("body", "query", "path"). */
export function findProblems(check: SchemaCheck, value: unknown, where: string): ErrorDetail[] {
  if (check.validate(value)) return [];
  return (check.validate.errors ?? []).map((error) => describeProblem(error, where, check.hints));
}

function describeProblem(error: SchemaError, where: string, hints: Readonly<Record<string, string>>): ErrorDetail {
  const { keyword, params } = error;
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (keyword === "required") path.push(String(params.missingProperty));
  if (keyword === "additionalProperties") path.push(String(params.additionalProperty));
  const field = [where, ...path].join(".");
  if (keyword === "additionalProperties") return { field, message: `unknown field "${path.at(-1)}"` };
  const name = path.length === 1 ? path[0] : "";
  const hint = Object.hasOwn(hints, name) ? ` (${hints[name]})` : "";
  return { field, message: `${plainMessage(error)}${hint}` };
}

function plainMessage({ keyword, params, message }: SchemaError): string {
  switch (keyword) {
    case "required":
      return "is required";
    case "type":
      return `must be ${[params.type].flat().join(" or ")}`;
    case "pattern":
      return "is not in the expected format";
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "minLength":
      return `must be at least ${count(params.limit, "character")} long`;
    case "maxLength":
      return `must be at most ${count(params.limit, "character")} long`;
    case "minProperties":
      return `must have at least ${count(params.limit, "field")}`;
    default:
      return message ?? `breaks the schema's "${keyword}" rule`;
  }
}

const count = (n: unknown, noun: string): string => `${String(n)} ${noun}${n === 1 ? "" : "s"}`;
