/** To-do ids: ULIDs, sortable by creation time and strictly increasing from one generator. */
import { expect } from "chai";
import { ulidFactory } from "../../handlers/ids";
import { TODO_ID_PATTERN } from "../../handlers/schemas";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const decodeTime = (id: string) => [...id.slice(0, 10)].reduce((sum, char) => sum * 32 + ALPHABET.indexOf(char), 0);

describe("ULIDs", function () {
  it("are 26 Crockford base32 characters that the id schema accepts, the time first", function () {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 123);
    const id = ulidFactory(() => now)();
    expect(id).to.match(new RegExp(TODO_ID_PATTERN));
    expect(decodeTime(id)).to.equal(now);
    expect(ulidFactory(() => 0)().slice(0, 10)).to.equal("0000000000");
    expect(ulidFactory(() => 2 ** 48 - 1)().slice(0, 10)).to.equal("7ZZZZZZZZZ");
  });

  it("increase strictly within one millisecond and when the clock steps back", function () {
    let time = 1_700_000_000_000;
    const next = ulidFactory(() => time);
    const ids = Array.from({ length: 1000 }, () => next());
    time -= 5;
    ids.push(next());
    time += 10;
    ids.push(next());
    expect([...ids].sort()).to.deep.equal(ids);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(decodeTime(ids[1000])).to.equal(1_700_000_000_000);
  });

  it("carry into the next digit when the random part ends in Z", function () {
    const next = ulidFactory(() => 1);
    // Each id in the same millisecond adds one to the last: a Z comes within 32 steps.
    let id = next();
    for (let step = 0; step < 32 && !id.endsWith("Z"); step++) id = next();
    expect(id.endsWith("Z")).to.equal(true);
    const after = next();
    expect(after > id).to.equal(true);
    expect(after.endsWith("0")).to.equal(true);
  });

  it("differ between generators (80 random bits)", function () {
    const a = ulidFactory(() => 42)();
    const b = ulidFactory(() => 42)();
    expect(a.slice(0, 10)).to.equal(b.slice(0, 10));
    expect(a).to.not.equal(b);
  });

  it("refuse a time a ULID cannot hold", function () {
    for (const bad of [-1, 2 ** 48, 1.5, NaN]) expect(() => ulidFactory(() => bad)(), String(bad)).to.throw(/ULID time/);
  });
});
