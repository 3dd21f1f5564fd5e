/**
 * The change feed's index costs write units DynamoDB bills on top of the table's (dynalite, the
 * bench's DynamoDB, bills the table alone): the cost model adds them per route.
 */
import { expect } from "chai";
import { costPerMillion, INDEX_WRITES_PER_TABLE_WRITE, indexWriteUnits, type RouteMeasure } from "../../bench/cost-model";
import { PRICES } from "../../bench/prices";
import { routes } from "../../handlers/routes";

const stack = { lambdaMemoryMb: 256, accessLogBytesPerRequest: 400 };
const measure = (route: string, readUnitsPerRequest: number, writeUnitsPerRequest: number): RouteMeasure => ({
  route,
  cpuMsPerRequest: 2,
  dynamoCallsPerRequest: 1,
  readUnitsPerRequest,
  writeUnitsPerRequest,
  logBytesPerRequest: 200,
  responseBytesPerRequest: 200,
});
/** DynamoDB's dollars per million requests for so many read and write units a request. */
const dollars = (reads: number, writes: number) => (reads * PRICES.dynamoDbPerRead + writes * PRICES.dynamoDbPerWrite) * 1e6;

describe("cost model: the change feed index's write units", () => {
  it("adds one unit to a create (the new entry) and two to an update or a delete (old entry out, new in)", () => {
    // The table units are the bench's measurements (bench/results.json, handler cost).
    const create = costPerMillion(measure("createTodo", 0, 1), stack);
    expect(create.indexWriteUnits).to.equal(1);
    expect(create.dynamoDb).to.be.closeTo(dollars(0, 2), 1e-9); // $1.25 per million, not $0.625
    const update = costPerMillion(measure("updateTodo", 0, 1), stack);
    expect(update.indexWriteUnits).to.equal(2);
    expect(update.dynamoDb).to.be.closeTo(dollars(0, 3), 1e-9);
    // A delete writes a tombstone with a new changeKey: it moves, like an update.
    expect(costPerMillion(measure("deleteTodo", 0, 1), stack).indexWriteUnits).to.equal(2);
  });

  it("counts every write of a bulk route: clear-completed of 5 to-dos adds 10 units, delete-all one a to-do", () => {
    const clear = costPerMillion(measure("clearCompleted", 1, 5), stack);
    expect(clear.indexWriteUnits).to.equal(10);
    expect(clear.dynamoDb).to.be.closeTo(dollars(1, 15), 1e-9); // $9.50 per million, not $3.25
    expect(indexWriteUnits("markAllTodos", 666)).to.equal(1332);
    expect(indexWriteUnits("deleteAllTodos", 1000)).to.equal(1000);
  });

  it("adds nothing to a route that only reads", () => {
    for (const route of ["listChanges", "listTodos", "getTodo"]) {
      const line = costPerMillion(measure(route, 1, 0), stack);
      expect(line.indexWriteUnits, route).to.equal(0);
      expect(line.dynamoDb, route).to.be.closeTo(dollars(1, 0), 1e-12);
    }
  });

  it("knows every route that writes, and only those (a new writing route must say what its writes do to the index)", () => {
    const writes = (actions: readonly string[]) =>
      actions.some((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/.test(a));
    const writing = routes.filter((r) => writes(r.actions)).map((r) => r.name);
    expect(Object.keys(INDEX_WRITES_PER_TABLE_WRITE).sort()).to.deep.equal(writing.sort());
  });
});
