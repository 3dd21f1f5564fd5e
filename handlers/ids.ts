/**
 * To-do ids: ULIDs (https://github.com/ulid/spec), 48 bits of milliseconds then 80 random bits, in
 * Crockford's base32. They sort by creation time, which is what lists newest-first rely on.
 *
 * Written here rather than taken from the `ulid` package: that package ships four builds (about
 * 45 KB of JavaScript) into every Lambda archive, and its functions reach its module's `exports`,
 * so Pulumi's serializer cannot inline them (it would `require` the whole package). This is the
 * spec's monotonic generator and nothing else.
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_DIGITS = 10;
const RANDOM_DIGITS = 16;
/** 2^48 - 1: the largest time a ULID can hold (the year 10889). */
const TIME_MAX = 281474976710655;

/**
 * A ULID generator. Ids made in the same millisecond (or while the clock steps back) keep the
 * previous time and increment its random part, so every id is greater than the one before.
 */
export function ulidFactory(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let random: number[] = [];
  return () => {
    const time = now();
    if (!Number.isInteger(time) || time < 0 || time > TIME_MAX) throw new Error(`Cannot encode ${time} as a ULID time`);
    if (time > lastTime) {
      lastTime = time;
      // 256 is a multiple of 32, so each digit is uniform.
      random = [...randomBytes(RANDOM_DIGITS)].map((byte) => byte & 31);
    } else {
      let i = RANDOM_DIGITS - 1;
      while (i >= 0 && random[i] === 31) random[i--] = 0;
      // 2^80 ids in one millisecond: the spec says fail rather than wrap.
      if (i < 0) throw new Error("ULID random part overflowed within one millisecond");
      random[i]++;
    }
    let timePart = "";
    for (let t = lastTime, d = 0; d < TIME_DIGITS; d++, t = Math.floor(t / 32)) timePart = ALPHABET[t % 32] + timePart;
    return timePart + random.map((digit) => ALPHABET[digit]).join("");
  };
}
