/** Who to poke: from stream records to channels, coalesced, and the seam for list members. */
import { expect } from "chai";
import { channelOf, POKE_TEXT } from "../../common/push";
import { pokeBatch } from "../../handlers/poke-lambda";
import { channelsToPoke, type AudienceOf, type ChangeRecord } from "../../handlers/pokes";

const A = "0a6e1f32-0000-4000-8000-00000000000a";
const B = "0b6e1f32-0000-4000-8000-00000000000b";
const change = (partition: string, sort: string, eventName = "MODIFY"): ChangeRecord => ({
  eventName,
  dynamodb: { Keys: { userId: { S: partition }, todoId: { S: sort } } },
});

describe("who to poke (handlers/pokes.ts)", () => {
  it("pokes a person once for a batch of 10,000 mark-all changes to their to-dos", async () => {
    const records = Array.from({ length: 10_000 }, (_, i) => change(A, `01J${String(i).padStart(6, "0")}`));
    expect(await channelsToPoke(records)).to.deep.equal([channelOf(A)]);
  });

  it("pokes each person whose partition changed, once each, and nobody else", async () => {
    const records = [change(A, "01A"), change(B, "01B", "INSERT"), change(A, "01C", "REMOVE")];
    expect(await channelsToPoke(records)).to.deep.equal([channelOf(A), channelOf(B)].sort());
  });

  it("leaves out idempotency records and DynamoDB's own TTL deletions", async () => {
    const ttl: ChangeRecord = { ...change(B, "01B", "REMOVE"), userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } };
    expect(await channelsToPoke([change(A, "~idem#abc", "INSERT"), ttl])).to.deep.equal([]);
  });

  it("names nobody for a partition that is not a person (u#…, i#… on branch lists) and for an empty batch", async () => {
    expect(await channelsToPoke([change(`u#${A}`, "list#x"), change("i#someone@example.com", "L1")])).to.deep.equal([]);
    expect(await channelsToPoke([])).to.deep.equal([]);
  });

  it("lists plug in through the audience seam: every member of a changed list, and a member whose membership changed", async () => {
    const members: Record<string, string[]> = { L1: [A, B] };
    // What lists will do: one Query of `~member#` items per changed list, plus members named by changed membership items.
    const listMembers: AudienceOf = (changes) => {
      const people = new Set<string>();
      for (const [partition, sorts] of changes) {
        for (const m of members[partition] ?? []) people.add(m);
        for (const s of sorts) if (s.startsWith("~member#")) people.add(s.slice("~member#".length));
      }
      return Promise.resolve(people);
    };
    const removed = "0c6e1f32-0000-4000-8000-00000000000c";
    const records = [change("L1", "01A"), change("L1", "01B"), change("L1", `~member#${removed}`, "REMOVE")];
    expect(await channelsToPoke(records, listMembers)).to.deep.equal([A, B, removed].sort().map(channelOf));
  });
});

describe("pokeBatch (the poke function's body)", () => {
  it("publishes one poke per channel, tries every channel when one fails, and reports the failure", async () => {
    const sent: string[] = [];
    const lines: object[] = [];
    const result = await pokeBatch(
      [change(A, "01A"), change(B, "01B"), change(A, "01C")],
      (channel) => {
        if (channel === channelOf(A)) return Promise.reject(new Error("AppSync said no"));
        sent.push(channel);
        return Promise.resolve();
      },
      (line) => lines.push(line),
    );
    expect(sent).to.deep.equal([channelOf(B)]);
    expect(result).to.deep.equal({ records: 3, channels: 2, failed: 1 });
    expect(lines).to.deep.include({ level: "error", msg: "pokes.sent", records: 3, channels: 2, failed: 1 });
  });

  it('sends the poke and nothing else: {"type":"poke"}', () => {
    expect(JSON.parse(POKE_TEXT)).to.deep.equal({ type: "poke" });
  });
});
