/** The traffic the cost table prices: one active user-hour of the web app, and what it costs. */
import { expect } from "chai";
import { ACTIVE_USER_HOUR, costReport, TRAFFIC_MIX, type RouteMeasure } from "../../bench/cost-model";
import { POLL_MS } from "../../site/src/app";
import { routes } from "../../handlers/routes";

const measure = (route: string, cpuMsPerRequest: number): RouteMeasure => ({
  route,
  cpuMsPerRequest,
  dynamoCallsPerRequest: 1,
  readUnitsPerRequest: 1,
  writeUnitsPerRequest: 0,
  logBytesPerRequest: 200,
  responseBytesPerRequest: 300,
});

describe("cost model: the traffic mix", () => {
  it("prices the web app's own traffic: the timer's pulls from its POLL_MS dominate an active hour", () => {
    const total = Object.values(ACTIVE_USER_HOUR).reduce((a, b) => a + b, 0);
    expect(ACTIVE_USER_HOUR.listChanges).to.be.at.least(3_600_000 / POLL_MS);
    expect(ACTIVE_USER_HOUR.listChanges / total).to.be.greaterThan(0.5);
    expect(Object.keys(ACTIVE_USER_HOUR)).to.not.include("listTodos"); // the web app never reads list pages
    const names = new Set(routes.map((r) => r.name));
    for (const route of Object.keys(ACTIVE_USER_HOUR)) expect(names, route).to.include(route);
  });

  it("turns the hour's requests into shares that add up to one", () => {
    const total = Object.values(ACTIVE_USER_HOUR).reduce((a, b) => a + b, 0);
    expect(Object.values(TRAFFIC_MIX).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    for (const [route, n] of Object.entries(ACTIVE_USER_HOUR)) expect(TRAFFIC_MIX[route]).to.be.closeTo(n / total, 1e-12);
  });

  it("costs an active user-hour as its requests at the blended price, routes outside the mix left out", () => {
    const measures = [...Object.keys(ACTIVE_USER_HOUR).map((r) => measure(r, 2)), measure("listTodos", 50)];
    const c = costReport(measures, { lambdaMemoryMb: 256, accessLogBytesPerRequest: 400 });
    const requests = Object.values(ACTIVE_USER_HOUR).reduce((a, b) => a + b, 0);
    expect(c.activeUserHour.requests).to.equal(requests);
    // Every route in the mix was measured alike, so the blend is any one of them (listTodos has no weight).
    const one = c.perRoute.find((l) => l.route === "createTodo")!;
    expect(c.blended.total).to.be.closeTo(one.total, 1e-9);
    expect(c.activeUserHour.dollars).to.be.closeTo((one.total * requests) / 1e6, 1e-12);
  });
});
