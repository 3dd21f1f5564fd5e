// Runs in a fresh Node process (plain JS: no ts-node start-up in the figures).
//   node lambda-child.js cold <moduleDir> <eventsJson> [i] -> answers events[i] (default 0), prints
//        {status, cpuMs}: cpuMs is the whole process's CPU time, Node's own start included
//   node lambda-child.js warm <moduleDir> <eventsJson>  -> answers events[0..warmup) unmeasured, then the
//        rest measured; prints {requests, cpuMicros, wallMs, logBytes, responseBytes, statuses}
// <moduleDir> holds __index.js exporting `handler` (a Lambda archive laid out on disk).
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const [mode, moduleDir, eventsFile, warmupArg] = process.argv.slice(2);
const events = JSON.parse(fs.readFileSync(eventsFile, "utf8"));

// Count what the handler logs (one JSON line per request) without printing it.
let logBytes = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ..._rest) => {
  logBytes += Buffer.byteLength(chunk);
  return true;
};
const report = (obj) => write(`${JSON.stringify(obj)}\n`);

(async () => {
  const { handler } = require(path.join(moduleDir, "__index.js"));
  const context = { awsRequestId: "bench" };
  if (mode === "cold") {
    const result = await handler(events[Number(warmupArg ?? 0)], context);
    const cpu = process.cpuUsage();
    report({ status: result.statusCode, cpuMs: (cpu.user + cpu.system) / 1000 });
    return;
  }
  const warmup = Number(warmupArg ?? 20);
  for (const event of events.slice(0, warmup)) await handler(event, context);
  logBytes = 0;
  const measured = events.slice(warmup);
  const statuses = {};
  let responseBytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const event of measured) {
    const result = await handler(event, context);
    statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
    responseBytes += Buffer.byteLength(result.body ?? "");
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  report({ requests: measured.length, cpuMicros: cpu.user + cpu.system, wallMs, logBytes, responseBytes, statuses });
})().catch((err) => {
  report({ error: String((err && err.stack) || err) });
  process.exitCode = 1;
});
