import { expect } from "chai";
import type { Todo } from "../../handlers/todos";
import { downloadFile, gatherExport, type ExportSource } from "../../site/src/download";

const NOW = "2031-02-03T04:05:06.000Z";
const todo = (id: string, title = id): Todo => ({
  id,
  title,
  completed: false,
  dueDate: null,
  createdAt: NOW,
  updatedAt: NOW,
  version: 1,
});
const notFound = () => Object.assign(new Error("gone"), { status: 404, code: "not_found" });

/** An API with these lists (id → name, role, to-dos); `fail` answers that list's export with the error. */
function source(lists: Record<string, { role: string; todos: Todo[] }>, fail: Record<string, () => Error> = {}) {
  const asked: string[] = [];
  const api: ExportSource = {
    lists: () => Promise.resolve({ items: Object.entries(lists).map(([id, { role }]) => ({ id, name: `List ${id}`, role })) }),
    exportList: (id) => {
      asked.push(id);
      return fail[id] ? Promise.reject(fail[id]()) : Promise.resolve({ todos: lists[id].todos });
    },
  };
  return { api, asked };
}

describe("download my data (site)", () => {
  it("gathers every list the person is a member of, in their order, with its role and to-dos", async () => {
    const lists = Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [`l${i}`, { role: i % 2 ? "editor" : "owner", todos: [todo(`t${i}a`), todo(`t${i}b`)] }]),
    );
    const { api, asked } = source(lists);
    const gathered = await gatherExport(api);
    expect(gathered.map((l) => [l.id, l.name, l.role, l.todos.map((t) => t.id)])).to.deep.equal(
      Object.entries(lists).map(([id, { role }], i) => [id, `List ${id}`, role, [`t${i}a`, `t${i}b`]]),
    );
    expect(asked).to.have.members(Object.keys(lists));
  });

  it("leaves out a list gone since the list of lists was read (404), and fails on any other error", async () => {
    const lists = { a: { role: "owner", todos: [todo("1")] }, b: { role: "viewer", todos: [todo("2")] } };
    expect((await gatherExport(source(lists, { a: notFound }).api)).map((l) => l.id)).to.deep.equal(["b"]);
    const offline = () => new Error("Can't reach the server.");
    let failed: unknown;
    await gatherExport(source(lists, { b: offline }).api).catch((err: unknown) => (failed = err));
    expect((failed as Error).message).to.equal("Can't reach the server.");
  });

  it("writes JSON with every list's id, name, role and to-dos", () => {
    const { parts, type, filename } = downloadFile(
      [
        { id: "a", name: "Home", role: "owner", todos: [todo("1", "Milk")] },
        { id: "b", name: "Work", role: "editor", todos: [] },
      ],
      "json",
      NOW,
    );
    expect(filename).to.equal("tasklane-todos-2031-02-03.json");
    expect(type).to.equal("application/json");
    expect(JSON.parse(parts.join(""))).to.deep.equal({
      exportedAt: NOW,
      lists: [
        { id: "a", name: "Home", role: "owner", todos: [todo("1", "Milk")] },
        { id: "b", name: "Work", role: "editor", todos: [] },
      ],
    });
    expect(JSON.parse(downloadFile([], "json", NOW).parts.join(""))).to.deep.equal({ exportedAt: NOW, lists: [] });
  });

  it("writes CSV with a line a to-do, the list's id, name and role first, quoted and defused as the server's export", () => {
    const { parts, filename } = downloadFile(
      [
        { id: "a", name: 'Home, "main"', role: "owner", todos: [todo("1", "Milk"), todo("2", "=SUM(1)")] },
        { id: "b", name: "Work", role: "viewer", todos: [todo("3", "Report")] },
      ],
      "csv",
      NOW,
    );
    expect(filename).to.equal("tasklane-todos-2031-02-03.csv");
    const text = parts.join("");
    expect(text.startsWith("\uFEFF")).to.equal(true);
    expect(text.slice(1).split("\r\n")).to.deep.equal([
      "listId,list,role,id,title,completed,dueDate,createdAt,updatedAt,version",
      `a,"Home, ""main""",owner,1,Milk,false,,${NOW},${NOW},1`,
      `a,"Home, ""main""",owner,2,"'=SUM(1)",false,,${NOW},${NOW},1`,
      `b,Work,viewer,3,Report,false,,${NOW},${NOW},1`,
      "",
    ]);
  });
});
