/** The README's API table is a copy of the route table: this holds the two equal. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { routes } from "../../handlers/routes";

describe("README's API table", function () {
  it("lists exactly the routes of the route table", function () {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## The API"), readme.indexOf("\n## ", readme.indexOf("## The API") + 1));
    const listed = [...section.matchAll(/^\| `(GET|POST|PATCH|DELETE) (\/api\/[^`]*)` \|/gm)].map(
      ([, method, path]) => `${method} ${path}`,
    );
    expect(listed.sort()).to.deep.equal(routes.map((r) => `${r.method} ${r.path}`).sort());
  });
});
