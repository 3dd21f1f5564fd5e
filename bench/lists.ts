/**
 * Lists and sharing (issue 17), measured on the wire (bench/lib/dynamo-meter.ts) against dynalite,
 * in-process: what the membership check adds to a list route (DynamoDB calls and read units), a
 * shared-list change, and the migration (adoption of the first list) per 1,000 to-dos.
 *
 * `npx ts-node --transpile-only bench/lists.ts` prints the figures (not part of `npm run bench`).
 */
import { createHandler, type ProxyHandler } from "../handlers/http";
import { routes } from "../handlers/routes";
import { createDocumentClient, dynamoTodoStore } from "../handlers/store";
import { seedItems, todoItem } from "../dev/seed-table";
import { ulidFactory } from "../handlers/ids";
import { ensureTodoTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynalite } from "../local/dynamo";
import { proxyEvent } from "../local/proxy-event";
import { startMeteringProxy } from "./lib/dynamo-meter";

const ALICE = "0b1c2d3e-aaaa-4000-8000-00000000a11c";
const BOB = "0b1c2d3e-bbbb-4000-8000-0000000000b0";

async function main(): Promise<void> {
  const dynamo = await startDynalite();
  const proxy = await startMeteringProxy(dynamo.endpoint);
  const tableName = "bench-lists";
  await ensureTodoTable(dynamo.endpoint, tableName);
  const doc = createDocumentClient({ endpoint: proxy.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const store = dynamoTodoStore(doc, tableName);
  const handlers = new Map<string, ProxyHandler>(routes.map((r) => [r.name, createHandler(r, store, { log: () => undefined })]));
  const call = async (user: string, name: string, url: string, params: Record<string, string>, body?: unknown, method = "GET") => {
    const route = routes.find((r) => r.name === name)!;
    const res = await handlers.get(name)!(
      proxyEvent({
        method: route.method ?? method,
        url,
        resource: route.path,
        pathParameters: params,
        headers: { "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
        claims: { sub: user, token_use: "id", email: `${user.slice(9, 13)}@example.com`, email_verified: "true" },
        requestId: "bench",
      }),
    );
    if (res.statusCode >= 400) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body || "null") as Record<string, unknown>;
  };
  const measure = async (label: string, act: () => Promise<unknown>) => {
    proxy.reset();
    await act();
    const m = proxy.meter;
    const calls = Object.values(m.calls).reduce((a, b) => a + b, 0);
    console.log(
      `| ${label} | ${calls} (${Object.entries(m.calls)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}) | ${m.readUnits} | ${m.writeUnits} |`,
    );
  };

  console.log("| request | DynamoDB calls | read units | write units |\n|---|---|---|---|");
  // The migration per 1,000 to-dos (seeded the old way), through the first GET /api/lists.
  const at = Date.now() - 600_000;
  const next = ulidFactory(() => at);
  const iso = new Date(at).toISOString();
  const seed = Array.from({ length: 1000 }, (_, i) =>
    todoItem({ id: next(), title: `t ${i}`, completed: i % 3 === 0, dueDate: null, createdAt: iso, updatedAt: iso, version: 1 }),
  );
  await seedItems(doc, tableName, ALICE, seed);
  await measure("migration: first GET /api/lists with 1,000 old to-dos", () => call(ALICE, "listLists", "/api/lists", {}));
  await measure("GET /api/lists afterwards (1 list)", () => call(ALICE, "listLists", "/api/lists", {}));

  const list = (await call(ALICE, "createList", "/api/lists", {}, { name: "Shared" })) as { id: string };
  await call(ALICE, "inviteMember", `/api/lists/${list.id}/members`, { listId: list.id }, { email: "bbbb@example.com", role: "editor" });
  await call(BOB, "acceptInvitation", `/api/invitations/${list.id}/accept`, { invitationId: list.id });
  const todo = (await call(ALICE, "createListTodo", `/api/lists/${list.id}/todos`, { listId: list.id }, { title: "milk" })) as {
    id: string;
  };
  const old = (await call(ALICE, "createTodo", "/api/todos", {}, { title: "old" })) as { id: string };

  await measure("GET /api/todos/{id} (old route, no membership read)", () =>
    call(ALICE, "getTodo", `/api/todos/${old.id}`, { id: old.id }),
  );
  await measure("GET /api/lists/{listId}/todos/{todoId} (membership + get)", () =>
    call(BOB, "getListTodo", `/api/lists/${list.id}/todos/${todo.id}`, { listId: list.id, todoId: todo.id }),
  );
  await measure("PATCH /api/lists/{listId}/todos/{todoId} (a shared-list change)", () =>
    call(BOB, "updateListTodo", `/api/lists/${list.id}/todos/${todo.id}`, { listId: list.id, todoId: todo.id }, { completed: true }),
  );
  await measure("POST /api/lists/{listId}/todos (counted create)", () =>
    call(BOB, "createListTodo", `/api/lists/${list.id}/todos`, { listId: list.id }, { title: "eggs" }),
  );
  await call(BOB, "listLists", "/api/lists", {}); // bob's first list adopted (measured above for alice)
  await measure("GET /api/changes (a first sync: 2 lists, 2 to-dos, 3 members)", () => call(BOB, "allChanges", "/api/changes", {}));
  doc.destroy();
  await proxy.close();
  await dynamo.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
