import { expect } from "chai";
import { fold, matcher, queryWords } from "../../site/src/search";

const todos = ["Call the bank", "Café with Zoë", "Pay the BANK fee", "Renew passport"].map((title, n) => ({ id: String(n), title }));
const found = (query: string) => {
  const test = matcher(query);
  return todos.filter((t) => test === null || test(t)).map((t) => t.title);
};

describe("site search", () => {
  it("finds every word of the query in any order, ignoring case and accents", () => {
    expect(found("bank")).to.deep.equal(["Call the bank", "Pay the BANK fee"]);
    expect(found("the bank pay")).to.deep.equal(["Pay the BANK fee"]);
    expect(found("cafe zoe")).to.deep.equal(["Café with Zoë"]);
    expect(found("CAFÉ")).to.deep.equal(["Café with Zoë"]);
    expect(found("banks")).to.deep.equal([]);
  });

  it("matches everything for a blank query", () => {
    expect(matcher("   ")).to.equal(null);
    expect(queryWords("  Two   words ")).to.deep.equal(["two", "words"]);
  });

  it("finds a to-do by its new title once it changes (a changed to-do is a new object)", () => {
    const test = matcher("passport")!;
    const t = { title: "Renew passport" };
    expect(test(t)).to.equal(true);
    expect(test({ ...t, title: "Renew licence" })).to.equal(false);
  });

  it("folds what people type in other scripts and forms the same way", () => {
    expect(fold("Ｅｘｐｏ ÅNGSTRÖM ﬁle")).to.equal("expo angstrom file");
    expect(fold("e\u0301")).to.equal("e");
  });
});
