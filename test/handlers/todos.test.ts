/** The to-do rules on their own: titles, due dates, changes, cursors, idempotency claims. */
import { expect } from "chai";
import { ValidationError } from "../../handlers/errors";
import { openCursor, sealCursor } from "../../handlers/cursor";
import { idempotencyClaim, newTodo, normalizeDueDate, normalizeTitle, toChanges } from "../../handlers/todos";

const ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const OTHER_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAW";
const ROUTE = "listTodos";
const asId = (position: unknown): string | undefined => (typeof position === "string" && position.length === 26 ? position : undefined);

function expectValidation(fn: () => unknown, code = "validation_failed"): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).status).to.equal(400);
    expect((err as ValidationError).code).to.equal(code);
    return err as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("to-do rules", function () {
  describe("titles", function () {
    it("trims surrounding whitespace and keeps any Unicode inside", function () {
      expect(normalizeTitle("  Tee 🍵 trinken  ")).to.equal("Tee 🍵 trinken");
      expect(normalizeTitle("\u00a0日本語\u3000")).to.equal("日本語");
      expect(normalizeTitle("a  b")).to.equal("a  b");
    });

    it("rejects a title that is blank after trimming", function () {
      for (const blank of ["", " ", "   ", "\u00a0\u2003\u3000", "\ufeff"]) {
        const err = expectValidation(() => normalizeTitle(blank));
        expect(err.details[0].field).to.equal("body.title");
      }
    });

    it("allows 500 characters after trimming, counting code points, and refuses 501", function () {
      const longest = "é".repeat(499) + "😀"; // 500 code points, 501 UTF-16 units
      expect(normalizeTitle(`  \t${longest}\u3000 `)).to.equal(longest);
      expect(normalizeTitle("😀".repeat(500))).to.have.length(1000);
      for (const over of ["x".repeat(501), ` ${"😀".repeat(501)} `]) {
        const err = expectValidation(() => normalizeTitle(over));
        expect(err.details[0]).to.deep.equal({ field: "body.title", message: "must be at most 500 characters after trimming" });
      }
    });

    it("rejects lone surrogates anywhere in the title", function () {
      for (const broken of ["\ud800", "a\udc00", "x\ud83d", "\udc00\ud800"]) expectValidation(() => normalizeTitle(broken));
      expect(normalizeTitle("\ud83d\ude00")).to.equal("😀"); // a proper pair is fine
    });
  });

  describe("due dates", function () {
    it("keeps real calendar days and turns absence into null", function () {
      expect(normalizeDueDate("2024-02-29")).to.equal("2024-02-29");
      expect(normalizeDueDate("1999-12-31")).to.equal("1999-12-31");
      expect(normalizeDueDate(null)).to.equal(null);
      expect(normalizeDueDate(undefined)).to.equal(null);
    });

    it("rejects days that do not exist", function () {
      for (const day of ["2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-1-01"]) {
        const err = expectValidation(() => normalizeDueDate(day));
        expect(err.details[0].field).to.equal("body.dueDate");
      }
    });
  });

  describe("new to-dos and changes", function () {
    it("fills defaults: not completed, no due date, version 1, createdAt = updatedAt", function () {
      const now = "2025-01-02T03:04:05.678Z";
      expect(newTodo({ title: " Plan " }, ID, now)).to.deep.equal({
        id: ID,
        title: "Plan",
        completed: false,
        dueDate: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
    });

    it("changes only the fields sent, and keeps an explicit null due date", function () {
      expect(toChanges({ completed: false })).to.deep.equal({ completed: false });
      expect(toChanges({ dueDate: null })).to.deep.equal({ dueDate: null });
      expect(toChanges({ title: " x ", dueDate: "2030-01-01" })).to.deep.equal({ title: "x", dueDate: "2030-01-01" });
      expectValidation(() => toChanges({ title: "  " }));
    });
  });

  describe("cursors", function () {
    it("round-trips the position for the user it was issued to", function () {
      const cursor = sealCursor("alice", ROUTE, ID);
      expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
      expect(cursor.length).to.be.at.most(512); // the schemas' maxLength
      expect(openCursor("alice", ROUTE, cursor, asId)).to.equal(ID);
    });

    it("does not reveal the user id", function () {
      const decoded = Buffer.from(sealCursor("user-sub-1234", ROUTE, ID), "base64url").toString("utf8");
      expect(decoded).not.to.contain("user-sub-1234");
    });

    it("refuses a cursor issued to another user", function () {
      expectValidation(() => openCursor("bob", ROUTE, sealCursor("alice", ROUTE, ID), asId), "invalid_cursor");
    });

    it("refuses a cursor issued by another route", function () {
      expectValidation(() => openCursor("alice", "clearCompleted", sealCursor("alice", ROUTE, ID), asId), "invalid_cursor");
    });

    it("refuses a genuine cursor whose position is not one the route writes", function () {
      expectValidation(() => openCursor("alice", ROUTE, sealCursor("alice", ROUTE, { id: ID }), asId), "invalid_cursor");
    });

    it("refuses a cursor whose position was edited", function () {
      const cursor = sealCursor("alice", ROUTE, ID);
      const edited = Buffer.from(Buffer.from(cursor, "base64url").toString("utf8").replace(ID, OTHER_ID)).toString("base64url");
      expect(edited).not.to.equal(cursor);
      expectValidation(() => openCursor("alice", ROUTE, edited, asId), "invalid_cursor");
    });

    it("refuses bytes appended to, or removed from, a genuine cursor", function () {
      const cursor = sealCursor("alice", ROUTE, ID);
      for (const bad of [`${cursor}A`, `${cursor}=`, `${cursor}==`, `${cursor}!`, ` ${cursor}`, cursor.slice(0, -1), cursor.slice(1)]) {
        expectValidation(() => openCursor("alice", ROUTE, bad, asId), "invalid_cursor");
      }
    });

    it("refuses cursors of the wrong shape without throwing anything else", function () {
      const b64 = (text: string) => Buffer.from(text).toString("base64url");
      for (const bad of [
        "",
        "%%%",
        b64("null"),
        b64("[]"),
        b64("{}"),
        b64('{"v":3,"k":5}'),
        b64('{"v":1,"k":"x","u":"y"}'),
        b64(`{"v":3,"k":"${ID}"}`),
        b64("\u0000"),
        b64('{"__proto__":{"k":"x"}}'),
      ]) {
        expectValidation(() => openCursor("alice", ROUTE, bad, asId), "invalid_cursor");
      }
    });
  });

  describe("idempotency claims", function () {
    it("hashes the key and the request, so neither is stored in clear", function () {
      const claim = idempotencyClaim("my-secret-key", { title: "x" });
      expect(claim.keyHash).not.to.contain("my-secret-key");
      expect(claim.keyHash).to.match(/^[A-Za-z0-9_-]{43}$/);
    });

    it("treats the same fields in another order as the same request, and other values as another", function () {
      const a = idempotencyClaim("k", { title: "x", completed: true });
      const b = idempotencyClaim("k", { completed: true, title: "x" });
      const c = idempotencyClaim("k", { title: "x", completed: false });
      expect(a).to.deep.equal(b);
      expect(a.requestHash).not.to.equal(c.requestHash);
      expect(idempotencyClaim("k2", { title: "x" }).keyHash).not.to.equal(idempotencyClaim("k", { title: "x" }).keyHash);
    });
  });
});
