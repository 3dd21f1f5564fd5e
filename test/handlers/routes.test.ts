/**
 * matchRoute (handlers/routes.ts): how a method and path find their route, as API Gateway does.
 */
import { expect } from "chai";
import { API_BASE, matchRoute, routes } from "../../handlers/routes";

const match = (method: string, path: string) => {
  const found = matchRoute(method, path);
  return found && { route: found.route.name, params: { ...found.params } };
};

describe("matchRoute (handlers/routes.ts)", function () {
  it("finds every route of the table by its own method and path", function () {
    for (const route of routes) {
      const path = route.path.replace("{id}", "01JABCDEFGHJKMNPQRSTVWXYZ0");
      expect(matchRoute(route.method, path)?.route.name, `${route.method} ${route.path}`).to.equal(route.name);
    }
  });

  it("hands path parameters over decoded", function () {
    expect(match("GET", `${API_BASE}/todos/abc`)).to.deep.equal({ route: "getTodo", params: { id: "abc" } });
    expect(match("GET", `${API_BASE}/todos/a%2Fb%20c`)).to.deep.equal({ route: "getTodo", params: { id: "a/b c" } });
  });

  it("prefers a literal segment to a parameter: clear-completed is not a to-do id", function () {
    expect(match("POST", `${API_BASE}/todos/clear-completed`)).to.deep.equal({ route: "clearCompleted", params: {} });
    // The literal resource exists, without GET: no falling back to GET /todos/{id}.
    expect(match("GET", `${API_BASE}/todos/clear-completed`)).to.equal(undefined);
  });

  it("finds nothing for an unknown method or path, an empty or badly encoded parameter, or extra segments", function () {
    for (const [method, path] of [
      ["PUT", `${API_BASE}/todos`],
      ["GET", `${API_BASE}/todo`],
      ["GET", `${API_BASE}/todos/`],
      ["GET", `${API_BASE}/todos/%E0%A4%A`],
      ["GET", `${API_BASE}/todos/a/b`],
      ["GET", "/todos"],
      ["get", `${API_BASE}/todos`],
    ]) {
      expect(matchRoute(method, path), `${method} ${path}`).to.equal(undefined);
    }
  });
});
