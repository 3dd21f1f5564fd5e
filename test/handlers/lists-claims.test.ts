/**
 * Invitations follow the token's e-mail only when the token says it is verified (handlers/http.ts
 * `callerOf`): an unverified address sees no invitation and accepts none, whatever it claims.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { createHandler } from "../../handlers/http";
import { routeNamed } from "../../handlers/routes";
import { dynamoTodoStore } from "../../handlers/store";
import { proxyEvent } from "../../local/proxy-event";
import { startInProcessDriver, type InProcessDriver } from "./in-process-driver";

describe("invitations need a verified e-mail (the token's email_verified claim)", function () {
  let api: InProcessDriver;
  before(async () => {
    api = await startInProcessDriver();
  });
  after(async () => api?.close());

  it("shows and accepts nothing for an unverified e-mail, and the invitation waits for the verified one", async function () {
    await api.reset();
    const list = (await api.send("alice", { method: "POST", path: "/api/lists", body: { name: "Shared" } })).body as { id: string };
    const invited = await api.send("alice", {
      method: "POST",
      path: `/api/lists/${list.id}/members`,
      body: { email: api.email("bob"), role: "editor" },
    });
    expect(invited.status).to.equal(202);
    const store = dynamoTodoStore(api.doc, api.tableName);
    const call = async (name: string, url: string, params: Record<string, string>, verified: string) => {
      const route = routeNamed(name);
      const res = await createHandler(route, store, { log: () => undefined })(
        proxyEvent({
          method: route.method,
          url,
          resource: route.path,
          pathParameters: params,
          headers: {},
          body: null,
          claims: { sub: api.userId("bob"), token_use: "id", email: api.email("bob"), email_verified: verified },
          requestId: randomUUID(),
        }),
      );
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : undefined };
    };
    for (const verified of ["false", "", "TRUE"]) {
      expect((await call("listInvitations", "/api/invitations", {}, verified)).body).to.deep.equal({ items: [] });
      expect((await call("acceptInvitation", `/api/invitations/${list.id}/accept`, { invitationId: list.id }, verified)).status).to.equal(
        404,
      );
    }
    expect((await call("acceptInvitation", `/api/invitations/${list.id}/accept`, { invitationId: list.id }, "true")).status).to.equal(200);
  });
});
