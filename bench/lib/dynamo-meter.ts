/**
 * A metering proxy in front of the local DynamoDB server: counts the calls each operation
 * receives and the capacity units DynamoDB would bill, by asking for ReturnConsumedCapacity on
 * every call that passes through. What the handlers send is measured on the wire, not guessed.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Meter {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export const emptyMeter = (): Meter => ({ calls: {}, readUnits: 0, writeUnits: 0 });

const READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem"]);
/**
 * Reads of one key or one partition that DynamoDB bills even when they find nothing: "if you
 * perform a read operation on an item that doesn't exist, DynamoDB will still consume read
 * throughput" (a 4 KB unit; Query and Scan per partition searched). dynalite reports 0 for them.
 */
const SINGLE_READS = new Set(["GetItem", "Query"]);

export async function startMeteringProxy(
  target: string,
): Promise<{ endpoint: string; meter: Meter; reset(): void; close(): Promise<void> }> {
  const upstream = new URL(target);
  let meter = emptyMeter();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "unknown";
      let body = Buffer.concat(chunks);
      let consistent = false;
      try {
        const json = JSON.parse(body.toString("utf8"));
        consistent = json.ConsistentRead === true;
        if (operation !== "CreateTable" && operation !== "DescribeTable") json.ReturnConsumedCapacity = "TOTAL";
        body = Buffer.from(JSON.stringify(json));
      } catch {
        /* not JSON: pass through untouched */
      }
      meter.calls[operation] = (meter.calls[operation] ?? 0) + 1;
      // The local DynamoDB answers to its own Host only (local/local-guard.ts): say it is meant for it.
      const headers = { ...req.headers, host: upstream.host, "content-length": String(body.length) };
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
        const parts: Buffer[] = [];
        up.on("data", (c: Buffer) => parts.push(c));
        up.on("end", () => {
          const text = Buffer.concat(parts);
          try {
            const json = JSON.parse(text.toString("utf8"));
            const consumed = ([] as { CapacityUnits?: number }[]).concat(json.ConsumedCapacity ?? []);
            let units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
            if (SINGLE_READS.has(operation) && up.statusCode === 200) units = Math.max(units, consistent ? 1 : 0.5);
            if (READS.has(operation)) meter.readUnits += units;
            else meter.writeUnits += units;
          } catch {
            /* ignore */
          }
          res.writeHead(up.statusCode ?? 500, up.headers);
          res.end(text);
        });
      });
      out.on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get meter() {
      return meter;
    },
    reset() {
      meter = emptyMeter();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
