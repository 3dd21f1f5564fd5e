/** The active user-hour with the push channel: its requests follow the changes, not a timer, and its bill adds the push service. */
import { expect } from "chai";
import {
  ACTIVE_USER_HOUR,
  costReport,
  PUSH_RECONNECTS_PER_HOUR,
  PUSH_SERVICE_HOUR,
  PUSH_USER_HOUR,
  type RouteMeasure,
} from "../../bench/cost-model";
import { ASSUMPTIONS, PRICES } from "../../bench/prices";
import { POLL_MS } from "../../site/src/app";

const measure = (route: string, cpuMsPerRequest: number): RouteMeasure => ({
  route,
  cpuMsPerRequest,
  dynamoCallsPerRequest: 1,
  readUnitsPerRequest: 1,
  writeUnitsPerRequest: 0,
  logBytesPerRequest: 200,
  responseBytesPerRequest: 300,
});
const sum = (hour: Readonly<Record<string, number>>) => Object.values(hour).reduce((a, b) => a + b, 0);

describe("cost model: the active user-hour with push", () => {
  it("does the same changes and looks as the polling hour, and pulls per look, on open and after the bulk change only: no timer, none for its own changes' pokes", () => {
    const { listChanges: polled, ...changes } = ACTIVE_USER_HOUR;
    const { listChanges: pushed, ...same } = PUSH_USER_HOUR;
    expect(same).to.deep.equal(changes);
    const looks = polled - 3_600_000 / POLL_MS - 1;
    expect(pushed).to.equal(changes.clearCompleted + looks + 1);
    expect(pushed).to.equal(12);
    expect(sum(PUSH_USER_HOUR)).to.equal(41);
    // Not met: the 20 requests; the hour's own writes alone are 29.
    expect(sum(changes)).to.be.greaterThan(20);
    // Each reconnect is a connection and a subscribe; each change a publish and a delivery.
    expect(PUSH_SERVICE_HOUR.operations).to.equal(2 * (1 + PUSH_RECONNECTS_PER_HOUR) + 2 * sum(changes));
  });

  it("prices the hour's requests at each route's own cost, plus AppSync Events' meters and the poke function", () => {
    const measures = [...Object.keys(PUSH_USER_HOUR).map((r) => measure(r, 2)), measure("listTodos", 50)];
    const stack = { lambdaMemoryMb: 256, accessLogBytesPerRequest: 400 };
    const c = costReport(measures, stack);
    const one = c.perRoute.find((l) => l.route === "createTodo")!.total / 1e6;
    const h = c.pushUserHour;
    expect(h.requests).to.equal(sum(PUSH_USER_HOUR));
    expect(h.apiDollars).to.be.closeTo(h.requests * one, 1e-12);
    expect(h.appSyncDollars).to.be.closeTo(60 * 0.08e-6 + PUSH_SERVICE_HOUR.operations * 1e-6, 1e-12);
    const gbSeconds = 0.25 * (ASSUMPTIONS.pokeFunctionBilledMs / 1000);
    expect(h.pokeFunctionDollars).to.be.closeTo(
      PUSH_SERVICE_HOUR.pokeInvocations * (PRICES.lambdaPerRequest + gbSeconds * PRICES.lambdaArm64PerGbSecond),
      1e-12,
    );
    expect(h.dollars).to.be.closeTo(h.apiDollars + h.appSyncDollars + h.pokeFunctionDollars, 1e-15);
  });
});
