/** Who to poke: from stream records to channels, coalesced, with a fake of the members Query (the real one: pokes-audience.test.ts). */
import { expect } from "chai";
import { channelOf, POKE_TEXT, pokeText, readPoke } from "../../common/push";
import { pokeBatch } from "../../handlers/poke-lambda";
import { channelsToPoke, listAudience, pokesFor, type ChangeRecord, type MembersOf } from "../../handlers/pokes";

const A = "0a6e1f32-0000-4000-8000-00000000000a";
const B = "0b6e1f32-0000-4000-8000-00000000000b";
const change = (partition: string, sort: string, eventName = "MODIFY", writer?: string): ChangeRecord => ({
  eventName,
  dynamodb: {
    Keys: { userId: { S: partition }, todoId: { S: sort } },
    ...(eventName !== "REMOVE" && { NewImage: writer === undefined ? {} : { writer: { S: writer } } }),
  },
});
/** A change written by `sub`'s device `device` (handlers/writer.ts). */
const by = (sub: string, device: string, partition: string, sort: string): ChangeRecord =>
  change(partition, sort, "MODIFY", `${sub}/${device}`);
const PHONE = "phone-0000-device";
const LAPTOP = "laptop-000-device";

/** A fake of the members Query: members by list, and every list it was asked about. */
function fakeMembers(members: Record<string, string[]>) {
  const asked: string[] = [];
  const membersOf: MembersOf = (listId) => {
    asked.push(listId);
    return Promise.resolve(members[listId] ?? []);
  };
  return { asked, audience: listAudience(membersOf) };
}
const L1 = "01JLIST00000000000000000001";
const L2 = "01JLIST00000000000000000002";

describe("who to poke (handlers/pokes.ts)", () => {
  it("pokes each member once for a batch of 10,000 mark-all changes to one list, with one members read", async () => {
    const { asked, audience } = fakeMembers({ [L1]: [A, B] });
    const records = Array.from({ length: 10_000 }, (_, i) => change(L1, `01J${String(i).padStart(6, "0")}`));
    expect(await channelsToPoke(records, audience)).to.deep.equal([A, B].sort().map(channelOf));
    expect(asked).to.deep.equal([L1]);
  });

  it("reads each changed list once, and pokes the union of their members", async () => {
    const { asked, audience } = fakeMembers({ [L1]: [A], [L2]: [A, B] });
    const records = [change(L1, "01A"), change(L2, "01B", "INSERT"), change(L1, "01C", "REMOVE"), change(L2, "~list")];
    expect(await channelsToPoke(records, audience)).to.deep.equal([channelOf(A), channelOf(B)].sort());
    expect(asked.sort()).to.deep.equal([L1, L2]);
  });

  it("pokes whoever a changed membership names, member or not any more (removed, list deleted)", async () => {
    const removed = "0c6e1f32-0000-4000-8000-00000000000c";
    const { audience } = fakeMembers({ [L1]: [A] });
    const records = [change(L1, "01A"), change(L1, `~member#${removed}`, "REMOVE")];
    expect(await channelsToPoke(records, audience)).to.deep.equal([A, removed].sort().map(channelOf));
  });

  it("pokes a first list's owner (list id = their sub) even before it has membership items, as the old routes write it", async () => {
    const { audience } = fakeMembers({});
    expect(await channelsToPoke([change(A, "01A")], audience)).to.deep.equal([channelOf(A)]);
  });

  it("pokes the person of a changed index u#<sub> without reading it; nobody for invitations i#…", async () => {
    const { asked, audience } = fakeMembers({});
    const records = [change(`u#${A}`, `list#${L1}`), change(`u#${B}`, "~profile"), change("i#someone@example.com", L1)];
    expect(await channelsToPoke(records, audience)).to.deep.equal([channelOf(A), channelOf(B)].sort());
    expect(asked).to.deep.equal([]);
  });

  it("leaves out idempotency records and DynamoDB's own TTL deletions, and reads nothing for them", async () => {
    const { asked, audience } = fakeMembers({ [L1]: [A], [B]: [B] });
    const ttl: ChangeRecord = { ...change(B, "01B", "REMOVE"), userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } };
    expect(await channelsToPoke([change(L1, "~idem#abc", "INSERT"), ttl], audience)).to.deep.equal([]);
    expect(await channelsToPoke([], audience)).to.deep.equal([]);
    expect(asked).to.deep.equal([]);
  });

  it("never names a channel from something that is not a person's id", async () => {
    const { audience } = fakeMembers({ [L1]: ["not/a/sub", "*"] });
    expect(await channelsToPoke([change(L1, "01A"), change(L1, "~member#../x")], audience)).to.deep.equal([]);
  });

  it("reads at most 16 lists at once, however many a batch changed", async () => {
    let inFlight = 0;
    let most = 0;
    const audience = listAudience(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return [A];
    });
    const records = Array.from({ length: 40 }, (_, i) => change(`01JLIST${String(i).padStart(19, "0")}`, "01A"));
    expect(await channelsToPoke(records, audience)).to.deep.equal([channelOf(A)]);
    expect(most).to.equal(16);
  });
});

describe("pokeBatch (the poke function's body)", () => {
  it("publishes one poke per channel, tries every channel when one fails, and reports the failure", async () => {
    const sent: string[] = [];
    const lines: object[] = [];
    const result = await pokeBatch(
      [change(A, "01A"), change(B, "01B"), change(A, "01C")],
      ({ channel }) => {
        if (channel === channelOf(A)) return Promise.reject(new Error("AppSync said no"));
        sent.push(channel);
        return Promise.resolve();
      },
      (line) => lines.push(line),
      fakeMembers({}).audience,
    );
    expect(sent).to.deep.equal([channelOf(B)]);
    expect(result).to.deep.equal({ records: 3, channels: 2, fromDevice: 0, failed: 1 });
    expect(lines).to.deep.include({ level: "error", msg: "pokes.sent", records: 3, channels: 2, fromDevice: 0, failed: 1 });
  });

  it('sends the poke and nothing else: {"type":"poke"}, with at most the device it came from', () => {
    expect(JSON.parse(POKE_TEXT)).to.deep.equal({ type: "poke" });
    expect(JSON.parse(pokeText(PHONE))).to.deep.equal({ type: "poke", from: PHONE });
  });
});

describe("a poke's `from` (handlers/pokes.ts pokesFor)", () => {
  const texts = async (records: ChangeRecord[], members: Record<string, string[]> = {}) =>
    Object.fromEntries((await pokesFor(records, fakeMembers(members).audience)).map((p) => [p.channel, JSON.parse(p.text) as unknown]));

  it("names the device when every change of the person's poke came from that one device of theirs", async () => {
    const records = [by(A, PHONE, L1, "01A"), by(A, PHONE, L1, "~list"), by(A, PHONE, `u#${A}`, `list#${L1}`)];
    const pokes = await pokesFor(records, fakeMembers({ [L1]: [A] }).audience);
    expect(pokes).to.deep.equal([{ channel: channelOf(A), from: PHONE, text: pokeText(PHONE) }]);
  });

  it("names no device to another member: they pull, and never learn the writer's device id", async () => {
    expect(await texts([by(A, PHONE, L1, "01A")], { [L1]: [A, B] })).to.deep.equal({
      [channelOf(A)]: { type: "poke", from: PHONE },
      [channelOf(B)]: { type: "poke" },
    });
  });

  it("names no device when the changes came from two devices, or one change has no writer (a migration, a write without the header)", async () => {
    expect(await texts([by(A, PHONE, L1, "01A"), by(A, LAPTOP, L1, "01B")], { [L1]: [A] })).to.deep.equal({
      [channelOf(A)]: { type: "poke" },
    });
    expect(await texts([by(A, PHONE, L1, "01A"), change(L1, "01B")], { [L1]: [A] })).to.deep.equal({ [channelOf(A)]: { type: "poke" } });
  });

  it("names no device for a REMOVE (no new image) or a stamp that is not a device id", async () => {
    expect(await texts([by(A, PHONE, L1, "01A"), change(L1, "01B", "REMOVE")], { [L1]: [A] })).to.deep.equal({
      [channelOf(A)]: { type: "poke" },
    });
    expect(await texts([change(L1, "01A", "MODIFY", `${A}/x"}`)], { [L1]: [A] })).to.deep.equal({ [channelOf(A)]: { type: "poke" } });
  });

  it("decides per person: B's own write in another list does not spoil A's poke of A's own write in the same batch", async () => {
    const records = [by(A, PHONE, L1, "01A"), by(B, LAPTOP, L2, "01B")];
    expect(await texts(records, { [L1]: [A], [L2]: [B] })).to.deep.equal({
      [channelOf(A)]: { type: "poke", from: PHONE },
      [channelOf(B)]: { type: "poke", from: LAPTOP },
    });
    // …but a person who sees both lists sees both writers: no device.
    expect(await texts(records, { [L1]: [A], [L2]: [A, B] })).to.deep.include({ [channelOf(A)]: { type: "poke" } });
  });

  it("counts the pokes that name a device in the log line", async () => {
    const lines: object[] = [];
    await pokeBatch(
      [by(A, PHONE, L1, "01A")],
      () => Promise.resolve(),
      (l) => lines.push(l),
      fakeMembers({ [L1]: [A, B] }).audience,
    );
    expect(lines).to.deep.include({ level: "info", msg: "pokes.sent", records: 1, channels: 2, fromDevice: 1, failed: 0 });
  });

  it("reads a poke on the device: a string from, else none (the device compares it with its own id exactly)", () => {
    expect(readPoke(pokeText(PHONE))).to.deep.equal({ from: PHONE });
    expect(readPoke(POKE_TEXT)).to.deep.equal({});
    expect(readPoke('{"type":"poke","from":7}')).to.deep.equal({});
    expect(readPoke("not json")).to.deep.equal({});
    expect(readPoke(undefined)).to.deep.equal({});
  });
});
