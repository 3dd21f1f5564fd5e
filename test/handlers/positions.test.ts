/** Fractional position keys (handlers/positions.ts): the manual order of a list's to-dos. */
import { expect } from "chai";
import { keyBetween, POSITION_PATTERN, topPosition } from "../../handlers/positions";
import { POSITION_SCHEMA } from "../../handlers/schemas";

const valid = new RegExp(POSITION_PATTERN);

describe("position keys (handlers/positions.ts)", function () {
  it("gives a later instant a smaller key: a new to-do goes on top", function () {
    const t = Date.parse("2026-12-06T10:00:00.000Z");
    expect(topPosition(t + 1) < topPosition(t)).to.equal(true);
    expect(topPosition(t + 86_400_000) < topPosition(t + 1)).to.equal(true);
    for (const key of [topPosition(0), topPosition(t), topPosition(2 ** 48 - 1)]) expect(key).to.match(valid);
  });

  it("finds a key strictly between any two, and before the first or after the last", function () {
    const a = topPosition(Date.parse("2026-12-06T10:00:01.000Z"));
    const b = topPosition(Date.parse("2026-12-06T10:00:00.000Z"));
    const mid = keyBetween(a, b);
    expect(a < mid && mid < b, `${a} < ${mid} < ${b}`).to.equal(true);
    expect(keyBetween(null, a) < a).to.equal(true);
    expect(keyBetween(b, null) > b).to.equal(true);
    expect(keyBetween(null, null)).to.match(valid);
  });

  // The worst case (always just below the same neighbour) grows a key by one digit a move: 60 moves
  // stay within the 64 digits the API takes; past that a client rewrites the neighbourhood's keys.
  it("keeps finding room after 60 moves into the same gap, each key valid", function () {
    let low = "V";
    const high = "W";
    for (let i = 0; i < 60; i++) {
      const next = keyBetween(low, high);
      expect(low < next && next < high, `${low} < ${next} < ${high}`).to.equal(true);
      expect(next).to.match(valid);
      low = next;
    }
    let top = "V";
    for (let i = 0; i < 60; i++) {
      const next = keyBetween(null, top);
      expect(next < top).to.equal(true);
      expect(next).to.match(valid);
      top = next;
    }
    expect(top.length).to.be.below(64);
  });

  it("stays above every later new to-do when moved with keys between existing ones", function () {
    const t0 = Date.parse("2026-12-06T10:00:00.000Z");
    const keys = [topPosition(t0 + 2), topPosition(t0 + 1), topPosition(t0)];
    const moved = keyBetween(keys[0], keys[1]);
    const bottom = keyBetween(keys[2], null);
    expect(topPosition(t0 + 3) < moved && topPosition(t0 + 3) < bottom).to.equal(true);
  });

  it("refuses a key that is not one, and bounds in the wrong order", function () {
    expect(() => keyBetween("W", "V")).to.throw();
    expect(() => keyBetween("V0", null)).to.throw();
    expect(() => keyBetween("a-b", null)).to.throw();
  });

  it("is the same pattern the API's schema checks", function () {
    expect(POSITION_SCHEMA.pattern).to.equal(POSITION_PATTERN);
  });
});
