import assert from "node:assert/strict";
import {
  latin1Encode,
  utf8Decode,
  utf8Encode,
  utf8Length,
  writeLatin1,
} from "../../../stack/bytes/index.ts";
import { rng } from "../../helpers/rng.ts";

/** A random string of `n` code units: ASCII, Latin-1, BMP, astral pairs and lone surrogates. */
function randomText(next: () => number, n: number): string {
  let s = "";
  while (s.length < n) {
    const kind = next();
    if (kind < 0.5) s += String.fromCharCode(0x20 + Math.floor(next() * 0x5f));
    else if (kind < 0.65) s += String.fromCharCode(0xa0 + Math.floor(next() * 0x60));
    else if (kind < 0.8) s += String.fromCharCode(0x800 + Math.floor(next() * 0x7000));
    else if (kind < 0.92) s += String.fromCodePoint(0x10000 + Math.floor(next() * 0xfffff));
    else s += String.fromCharCode(0xd800 + Math.floor(next() * 0x800)); // maybe lone
  }
  return s;
}

describe("bytes: long strings take the iterator path and give the same bytes", () => {
  it("UTF-8 of long strings equals the short path's, piece by piece, and Node's TextEncoder's", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomText(rng(seed), 1500 + seed * 37);
      const long = utf8Encode(text);
      assert.equal(long.length, utf8Length(text));
      // The indexed path on pieces short enough for it, cut between whole characters.
      const pieces: Uint8Array[] = [];
      let at = 0;
      while (at < text.length) {
        let end = Math.min(text.length, at + 1000);
        const c = text.charCodeAt(end - 1);
        if (end < text.length && c >= 0xd800 && c <= 0xdbff) end--;
        pieces.push(utf8Encode(text.slice(at, end)));
        at = end;
      }
      const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of pieces) {
        joined.set(p, o);
        o += p.length;
      }
      assert.deepEqual(long, joined, `seed ${seed}`);
      assert.deepEqual(long, new TextEncoder().encode(text), `seed ${seed}: TextEncoder`);
      assert.equal(utf8Decode(long), new TextDecoder().decode(long));
    }
  });

  it("latin1 of long strings keeps one byte per code unit, ? above 0xFF", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = randomText(rng(seed), 2048);
      const out = latin1Encode(text);
      assert.equal(out.length, text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        assert.equal(out[i], c <= 0xff ? c : 0x3f, `seed ${seed} at ${i}`);
      }
      const into = new Uint8Array(text.length + 3);
      assert.equal(writeLatin1(into, 3, text), text.length + 3);
      assert.deepEqual(into.subarray(3), out);
    }
  });
});
