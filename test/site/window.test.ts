/** The list's geometry (site/src/window.ts): where rows sit, and which rows a band of the page meets. */
import { expect } from "chai";
import { indexAt, offsetOf, rangeOf } from "../../site/src/window";

describe("site list window (pure)", () => {
  const plain = { count: 10_000, row: 64, editing: -1, editHeight: 64 };
  const editing = { ...plain, editing: 10, editHeight: 200 };

  it("places rows of one height, and the open editor's taller row, by arithmetic", () => {
    expect(offsetOf(plain, 3)).to.equal(192);
    expect(offsetOf(plain, plain.count)).to.equal(640_000);
    expect(offsetOf(editing, 10)).to.equal(640);
    expect(offsetOf(editing, 11)).to.equal(840);
    expect(offsetOf(editing, editing.count)).to.equal(640_136);
  });

  it("finds the row at a height, through the editor's row, clamped to the list", () => {
    expect(indexAt(plain, 0)).to.equal(0);
    expect(indexAt(plain, 127)).to.equal(1);
    expect(indexAt(editing, 700)).to.equal(10);
    expect(indexAt(editing, 839)).to.equal(10);
    expect(indexAt(editing, 840)).to.equal(11);
    expect(indexAt(plain, -500)).to.equal(0);
    expect(indexAt(plain, 10_000_000)).to.equal(plain.count);
  });

  it("gives the rows a band meets: the first it touches to the last, end exclusive", () => {
    expect(rangeOf(plain, 100, 300)).to.deep.equal([1, 5]);
    expect(rangeOf(plain, -800, 1600)).to.deep.equal([0, 26]);
    expect(rangeOf(plain, 639_000, 700_000)).to.deep.equal([9984, 10_000]);
    expect(rangeOf({ ...plain, count: 0 }, 0, 800)).to.deep.equal([0, 0]);
  });
});
