/**
 * The web app's modules import each other without a cycle (issue 19: the engine and its pull
 * used to import each other). A cycle makes a module's top level run before its imports are
 * ready and ties two files that a reader should be able to read one after the other. Type-only
 * imports count too: they still mean "read that file first".
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SRC = join(__dirname, "..", "..", "site", "src");

/** Each module of site/src and the site/src modules it imports (`from "./x"`). */
export function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    const deps = [...text.matchAll(/\bfrom\s+"\.\/([\w-]+)"/g), ...text.matchAll(/\bimport\(\s*"\.\/([\w-]+)"\s*\)/g)].map((m) => m[1]);
    graph.set(file.replace(/\.ts$/, ""), [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle, each as the path that closes it (a → b → a). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const walk = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) walk(next, [...path, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) walk(node, []);
  return found;
}

describe("site modules", () => {
  it("finds a cycle when there is one (the check can fail)", () => {
    const graph = new Map([
      ["engine", ["pull", "api"]],
      ["pull", ["engine"]],
      ["api", []],
    ]);
    expect(cycles(graph)).to.deep.equal([["engine", "pull", "engine"]]);
  });

  it("import each other without a cycle, lazily loaded chunks included", () => {
    const graph = importGraph(SRC);
    expect(graph.get("engine")).to.include("pull"); // the graph is read, not empty
    expect(cycles(graph)).to.deep.equal([]);
  });
});
