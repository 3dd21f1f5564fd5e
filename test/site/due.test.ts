import { expect } from "chai";
import { daysBetween, dueText, editChanges, editedText, formatDay, isOverdue, localDay, pageLocale } from "../../site/src/due";

const TODAY = "2025-06-15";

describe("site due dates", () => {
  it("shows a day of this year without the year and any other year with it, in the locale's order", () => {
    expect(dueText("2025-12-03", TODAY, "en-GB")).to.equal("Due 3 Dec");
    expect(dueText("2026-12-03", TODAY, "en-GB")).to.equal("Due 3 Dec 2026");
    expect(dueText("2024-01-31", TODAY, "en-GB")).to.equal("Due 31 Jan 2024");
    expect(formatDay("2025-12-03", TODAY, "en-US")).to.equal("Dec 3");
    expect(formatDay("2026-12-03", TODAY, "en-US")).to.equal("Dec 3, 2026");
  });

  it("never moves a day to its neighbour, whatever the time zone", () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]) {
        process.env.TZ = tz;
        expect(formatDay("2025-03-01", TODAY, "en-GB"), tz).to.equal("1 Mar");
        expect(formatDay("2025-12-31", TODAY, "en-GB"), tz).to.equal("31 Dec");
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("takes today from the local calendar, not UTC", () => {
    // Local wall-clock times: the first instant and the last minute of a day.
    expect(localDay(new Date(2025, 0, 31, 0, 0))).to.equal("2025-01-31");
    expect(localDay(new Date(2025, 0, 31, 23, 59))).to.equal("2025-01-31");
    expect(localDay(new Date(2025, 11, 1, 12))).to.equal("2025-12-01");
  });

  it("calls a to-do overdue only when it is due before today and not done", () => {
    const at = (dueDate: string | null, completed = false) => isOverdue({ dueDate, completed }, TODAY);
    expect(at("2025-06-14")).to.equal(true);
    expect(at("2024-12-31")).to.equal(true);
    expect(at("2025-06-15")).to.equal(false, "due today is not overdue yet");
    expect(at("2025-06-16")).to.equal(false);
    expect(at("2025-06-14", true)).to.equal(false, "done is never overdue");
    expect(at(null)).to.equal(false);
  });

  it("shows dates in the person's first English variant (the page is English)", () => {
    expect(pageLocale(["de-DE", "en-GB", "en-US"])).to.equal("en-GB");
    expect(pageLocale(["en"])).to.equal("en");
    expect(pageLocale(["fr-FR"])).to.equal("en");
    expect(pageLocale([])).to.equal("en");
  });

  it("sends only what an edit changed, and nothing when nothing did", () => {
    const item = { title: "Tax", dueDate: "2025-07-01" };
    expect(editChanges(item, "Tax", "2025-07-01")).to.equal(null);
    expect(editChanges(item, "Taxes", "2025-07-01")).to.deep.equal({ title: "Taxes" });
    expect(editChanges(item, "Tax", null)).to.deep.equal({ dueDate: null });
    expect(editChanges(item, "Taxes", "2025-08-01")).to.deep.equal({ title: "Taxes", dueDate: "2025-08-01" });
    expect(editChanges({ title: "Tax", dueDate: null }, "Tax", "2025-08-01")).to.deep.equal({ dueDate: "2025-08-01" });
  });

  it("announces a saved edit in one sentence", () => {
    expect(editedText("Tax", { title: "Taxes" }, TODAY, "en-GB")).to.equal("Renamed to “Taxes”.");
    expect(editedText("Tax", { dueDate: "2025-12-03" }, TODAY, "en-GB")).to.equal("“Tax” is now due 3 Dec.");
    expect(editedText("Tax", { dueDate: null }, TODAY, "en-GB")).to.equal("“Tax” no longer has a due date.");
    expect(editedText("Tax", { title: "Taxes", dueDate: "2026-01-02" }, TODAY, "en-GB")).to.equal("Renamed to “Taxes”, due 2 Jan 2026.");
    expect(editedText("Tax", { title: "Taxes", dueDate: null }, TODAY, "en-GB")).to.equal("Renamed to “Taxes”, no due date.");
  });
});

describe("site due dates as a calendar reads them", () => {
  it("says today, tomorrow and yesterday, the weekday within the coming week, else the day", () => {
    // 2025-06-15 is a Sunday.
    expect(dueText("2025-06-15", TODAY, "en-GB")).to.equal("Due today");
    expect(dueText("2025-06-16", TODAY, "en-GB")).to.equal("Due tomorrow");
    expect(dueText("2025-06-14", TODAY, "en-GB")).to.equal("Due yesterday");
    expect(dueText("2025-06-17", TODAY, "en-GB")).to.equal("Due Tuesday");
    expect(dueText("2025-06-21", TODAY, "en-US")).to.equal("Due Saturday");
    expect(dueText("2025-06-22", TODAY, "en-GB")).to.equal("Due 22 Jun"); // a week away: the day itself
    expect(dueText("2025-06-13", TODAY, "en-GB")).to.equal("Due 13 Jun");
  });

  it("counts days across months, years and a daylight-saving change in any time zone", () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ["Europe/London", "America/Los_Angeles", "Australia/Lord_Howe"]) {
        process.env.TZ = tz;
        expect(daysBetween("2025-12-31", "2026-01-01"), tz).to.equal(1);
        expect(daysBetween("2025-03-29", "2025-03-31"), tz).to.equal(2); // EU clocks go forward on the 30th
        expect(daysBetween("2025-11-03", "2025-11-01"), tz).to.equal(-2);
        expect(dueText("2026-01-01", "2025-12-31", "en-GB"), tz).to.equal("Due tomorrow");
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
