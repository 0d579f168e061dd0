import assert from "node:assert/strict";
import {
  bitString,
  boolean,
  type Codec,
  decodeDer,
  generalizedTime,
  ia5String,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  printableString,
  readElementPartial,
  readSingle,
  smallInteger,
  unsignedBytes,
  utcTime,
  utf8String,
} from "../../../stack/asn1/index.ts";
import { fromHex, toHex } from "../../../stack/bytes/index.ts";

function decodeHex<T>(codec: Codec<T>, hex: string) {
  return decodeDer(codec, fromHex(hex));
}

describe("asn1: DER framing (X.690 §8.1, §10.1)", () => {
  const bad: [string, string, string][] = [
    ["indefinite length", "3080 0500 0000", "indefinite-length"],
    ["long form for a short length", "04 81 01 aa", "non-minimal-length"],
    ["leading zero length octet", `04 82 0080${"00".repeat(128)}`, "non-minimal-length"],
    ["length in five octets", "04 85 0000000001 aa", "length-too-large"],
    ["reserved length 0xFF", "04 ff", "length-too-large"],
    ["length past the end", "04 05 aabb", "truncated"],
    ["trailing bytes", "0500 00", "trailing-bytes"],
    ["empty input", "", "truncated"],
    ["high tag form for a small number", "9f 05 00", "bad-tag"],
    ["high tag number with leading 0x80", "9f 80 21 00", "bad-tag"],
  ];
  for (const [what, hex, code] of bad) {
    it(`rejects ${what} with ${code}`, () => {
      const r = readSingle(fromHex(hex));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }

  it("reads a high tag number and the longest short form", () => {
    const r = readSingle(fromHex("9f 21 00"));
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.value.tag, { cls: "context", num: 33, constructed: false });
    const long = readSingle(fromHex(`04 81 80 ${"11".repeat(128)}`));
    assert.ok(long.ok);
    if (long.ok) assert.equal(long.value.end - long.value.contentStart, 128);
  });

  it("answers need-more with the bytes the element needs, at every split of an element", () => {
    const whole = fromHex(`30 82 01 00 ${"00".repeat(256)}`);
    for (let cut = 0; cut < whole.length; cut++) {
      const r = readElementPartial(whole.subarray(0, cut));
      assert.equal(r.kind, "need-more", `cut ${cut}`);
      if (r.kind === "need-more")
        assert.ok(r.atLeast > cut && r.atLeast <= whole.length, `cut ${cut}: ${r.atLeast}`);
    }
    assert.equal(readElementPartial(whole).kind, "ok");
  });
});

describe("asn1: primitive types", () => {
  const good: [string, Codec<unknown>, string, unknown][] = [
    ["BOOLEAN TRUE", boolean, "0101ff", true],
    ["BOOLEAN FALSE", boolean, "010100", false],
    ["NULL", nullValue, "0500", null],
    ["INTEGER 0", integer, "020100", 0n],
    ["INTEGER 127", integer, "02017f", 127n],
    ["INTEGER 128", integer, "02020080", 128n],
    ["INTEGER -128", integer, "020180", -128n],
    ["INTEGER -129", integer, "0202ff7f", -129n],
    ["INTEGER 2^64", integer, "0209010000000000000000", 2n ** 64n],
    ["OID sha256WithRSAEncryption", oid, "06092a864886f70d01010b", "1.2.840.113549.1.1.11"],
    ["OID 2.999.3", oid, "0603883703", "2.999.3"],
    ["OID with a 2^64 arc", oid, "060b2a 82808080808080808000", "1.2.18446744073709551616"],
    ["UTCTime 2049", utcTime, "170d3439313233313233353935395a", Date.UTC(2049, 11, 31, 23, 59, 59)],
    ["UTCTime 1950", utcTime, "170d3530303130313030303030305a", Date.UTC(1950, 0, 1, 0, 0, 0)],
    [
      "GeneralizedTime 2050",
      generalizedTime,
      "180f32303530303130313030303030305a",
      Date.UTC(2050, 0, 1),
    ],
    [
      "GeneralizedTime leap day",
      generalizedTime,
      "180f32303234303232393132303030305a",
      Date.UTC(2024, 1, 29, 12),
    ],
    ["UTF8String", utf8String, "0c03e282ac", "\u20ac"],
    ["PrintableString", printableString, "13024e4c", "NL"],
    ["IA5String", ia5String, "1603612e62", "a.b"],
  ];
  for (const [what, codec, hex, value] of good) {
    it(`decodes ${what} and encodes it back to the same bytes`, () => {
      const r = decodeHex(codec, hex);
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      if (r.ok) {
        assert.deepEqual(r.value, value);
        assert.equal(toHex(codec.encode(r.value)), hex.replace(/\s+/g, ""));
      }
    });
  }

  const bad: [string, Codec<unknown>, string, string][] = [
    ["BOOLEAN 0x01", boolean, "010101", "bad-boolean"],
    ["BOOLEAN of two octets", boolean, "0102ffff", "bad-boolean"],
    ["NULL with contents", nullValue, "050100", "bad-null"],
    ["INTEGER with a leading 00", integer, "0202007f", "non-minimal-integer"],
    ["INTEGER with a leading ff", integer, "0202ff80", "non-minimal-integer"],
    ["empty INTEGER", integer, "0200", "non-minimal-integer"],
    ["negative where unsigned", unsignedBytes, "020180", "integer-out-of-range"],
    ["small INTEGER out of range", smallInteger(0, 2), "020103", "integer-out-of-range"],
    ["BIT STRING with 8 unused bits", bitString, "030208ff", "bad-bit-string"],
    ["BIT STRING with unused bits set", bitString, "030203ff", "bad-bit-string"],
    ["empty BIT STRING with unused bits", bitString, "030101", "bad-bit-string"],
    ["BIT STRING with no contents", bitString, "0300", "bad-bit-string"],
    ["named bits with trailing zeros", namedBits, "03020080", "bad-bit-string"],
    ["constructed OCTET STRING (BER)", octetString, "2400", "bad-form"],
    ["constructed BIT STRING (BER)", bitString, "2300", "bad-form"],
    ["OID arc with a leading 0x80", oid, "06032a8001", "bad-oid"],
    ["OID cut off", oid, "06022a86", "bad-oid"],
    ["empty OID", oid, "0600", "bad-oid"],
    ["UTCTime without seconds", utcTime, "170b313230313031303030305a", "bad-time"],
    ["UTCTime with an offset", utcTime, "1711" + "3132303130313030303030302b30313030", "bad-time"],
    ["UTCTime with month 13", utcTime, "170d3132313330313030303030305a", "bad-time"],
    ["UTCTime Feb 30", utcTime, "170d3132303233303030303030305a", "bad-time"],
    [
      "GeneralizedTime with fraction",
      generalizedTime,
      "1811" + "32303530303130313030303030302e315a",
      "bad-time",
    ],
    [
      "GeneralizedTime Feb 29 2023",
      generalizedTime,
      "180f32303233303232393030303030305a",
      "bad-time",
    ],
    ["UTF8String with an overlong form", utf8String, "0c02c0af", "bad-string"],
    ["UTF8String with a lone surrogate", utf8String, "0c03eda080", "bad-string"],
    ["PrintableString with '@'", printableString, "130140", "bad-string"],
    ["IA5String with 0x80", ia5String, "160180", "bad-string"],
    ["INTEGER where BOOLEAN", boolean, "020100", "unexpected-tag"],
  ];
  for (const [what, codec, hex, code] of bad) {
    it(`rejects ${what} with ${code}`, () => {
      const r = decodeHex(codec, hex);
      assert.equal(r.ok, false, `${what} decoded`);
      if (!r.ok) assert.equal(r.error.code, code, r.error.message);
    });
  }

  it("key usage bits: digitalSignature and keyCertSign write 03 02 02 84 and read back", () => {
    const enc = namedBits.encode(new Set([0, 5]));
    assert.equal(toHex(enc), "03020284");
    const r = decodeDer(namedBits, enc);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual([...r.value].sort(), [0, 5]);
  });

  it("INTEGER round trips over a range of values around octet boundaries", () => {
    for (let e = 0; e < 80; e++) {
      for (const d of [-1n, 0n, 1n]) {
        for (const sign of [1n, -1n]) {
          const v = sign * (2n ** BigInt(e) + d);
          const r = decodeDer(integer, integer.encode(v));
          assert.ok(r.ok);
          if (r.ok) assert.equal(r.value, v);
        }
      }
    }
  });
});
