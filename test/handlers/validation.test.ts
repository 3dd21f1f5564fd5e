/**
 * Validators generated from the route table's schemas (ajv standalone code), and the error details
 * they produce: the field, then a plain message with the property's description.
 */
import { expect } from "chai";
import { routeNamed } from "../../handlers/routes";
import { TITLE_MAX_LENGTH } from "../../handlers/schemas";
import { compileChecks, findProblems } from "../../handlers/validation";

describe("generated request validators", function () {
  const create = compileChecks(routeNamed("createTodo").schemas);
  const update = compileChecks(routeNamed("updateTodo").schemas);
  const list = compileChecks(routeNamed("listTodos").schemas);
  const get = compileChecks(routeNamed("getTodo").schemas);

  it("generates one validator per schema a route declares, once per route", function () {
    expect(create.body).to.be.an("object");
    expect(get.body).to.equal(undefined);
    expect(get.params).to.be.an("object");
    expect(compileChecks(routeNamed("createTodo").schemas)).to.equal(create);
    for (const check of [create.body!, create.query, get.params!]) expect(check.validate).to.be.a("function");
  });

  it("accepts what the schemas allow", function () {
    expect(findProblems(create.body!, { title: "Milk", completed: false, dueDate: "2030-01-02" }, "body")).to.deep.equal([]);
    expect(findProblems(update.body!, { dueDate: null }, "body")).to.deep.equal([]);
    expect(findProblems(list.query, { limit: "100", status: "active", cursor: "abc" }, "query")).to.deep.equal([]);
    expect(findProblems(get.params!, { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "path")).to.deep.equal([]);
  });

  it("names the field and says what is wrong in plain words, with the property's description", function () {
    const title = `(title: 1 to ${TITLE_MAX_LENGTH} characters after trimming, no control characters or U+FFFD (what broken encoding turns into))`;
    const cases: [unknown, { field: string; message: string }[]][] = [
      [{}, [{ field: "body.title", message: `is required ${title}` }]],
      [{ title: 5 }, [{ field: "body.title", message: `must be string ${title}` }]],
      [{ title: "" }, [{ field: "body.title", message: `must be at least 1 character long ${title}` }]],
      [{ title: "a\u0007" }, [{ field: "body.title", message: `is not in the expected format ${title}` }]],
      [{ title: "x", owner: "bob" }, [{ field: "body.owner", message: 'unknown field "owner"' }]],
      [
        { title: "x", dueDate: 5 },
        [{ field: "body.dueDate", message: "must be string or null (dueDate: a date as YYYY-MM-DD, or null to clear it)" }],
      ],
      [{ title: "x", completed: "true" }, [{ field: "body.completed", message: "must be boolean (completed: true or false)" }]],
      [[], [{ field: "body", message: "must be object" }]],
    ];
    for (const [body, details] of cases) expect(findProblems(create.body!, body, "body"), JSON.stringify(body)).to.deep.equal(details);
    expect(findProblems(update.body!, {}, "body")).to.deep.equal([{ field: "body", message: "must have at least 1 field" }]);
    expect(findProblems(list.query, { status: "done" }, "query")).to.deep.equal([
      { field: "query.status", message: 'must be one of "all", "active", "completed" (status: all, active or completed)' },
    ]);
  });

  it("reports every problem at once, and never takes a hint from an inherited property", function () {
    const problems = findProblems(create.body!, { title: 1, completed: 2, constructor: 3, __proto__: 4 }, "body");
    expect(problems.map((p) => p.field).sort()).to.deep.equal(["body.completed", "body.constructor", "body.title"]);
    expect(problems.find((p) => p.field === "body.constructor")?.message).to.equal('unknown field "constructor"');
    const parsed = findProblems(create.body!, JSON.parse('{"title":"x","__proto__":{"a":1}}'), "body");
    expect(parsed).to.deep.equal([{ field: "body.__proto__", message: 'unknown field "__proto__"' }]);
  });

  it("refuses, when generating, a schema keyword or format it cannot check", function () {
    expect(() => compileChecks({ query: { type: "object", properties: { day: { type: "string", format: "date" } } } })).to.throw(
      /unknown format "date"/,
    );
    expect(() => compileChecks({ query: { type: "object", frobnicate: true } })).to.throw(/unknown keyword: "frobnicate"/);
  });

  it("counts lengths in code points, as JSON Schema does", function () {
    const emoji = "🍵".repeat(TITLE_MAX_LENGTH * 2); // 1000 code points, 2000 UTF-16 units
    expect(findProblems(create.body!, { title: emoji }, "body")).to.deep.equal([]);
    expect(findProblems(create.body!, { title: `${emoji}x` }, "body")[0].message).to.match(/^must be at most 1000 characters long/);
  });
});
