import assert from "node:assert/strict";
import fc from "fast-check";
import {
  any,
  boolean,
  choice,
  decodeDer,
  explicit,
  ia5String,
  implicit,
  integer,
  octetString,
  oid,
  optional,
  sequence,
  sequenceOf,
  setOf,
  smallInteger,
  utf8String,
  withDefault,
} from "../../../stack/asn1/index.ts";
import { fromHex, toHex } from "../../../stack/bytes/index.ts";

const General = choice("GeneralName", {
  dns: implicit(2, ia5String),
  ip: implicit(7, octetString),
});

const Sample = sequence("Sample", {
  version: withDefault(explicit(0, smallInteger(0, 2)), 0),
  id: oid,
  critical: withDefault(boolean, false),
  note: optional(implicit(1, utf8String)),
  names: sequenceOf(General, { min: 1 }),
  tags: setOf(integer),
  extra: optional(any),
});

describe("asn1: codecs declared once, for both directions", () => {
  it("writes a known encoding and reads it back", () => {
    const value = {
      version: 2,
      id: "1.2.3",
      critical: true,
      note: "hi",
      names: [
        { type: "dns" as const, value: "a.example" },
        { type: "ip" as const, value: Uint8Array.of(127, 0, 0, 1) },
      ],
      tags: [3n, 1n, 2n],
      extra: undefined,
    };
    const enc = Sample.encode(value);
    // Tags sorted in the encoding (X.690 §11.6): 1, 2, 3.
    assert.equal(
      toHex(enc),
      "302e" +
        "a003020102" +
        "06022a03" +
        "0101ff" +
        "81026869" +
        "3011" +
        "8209612e6578616d706c65" +
        "87047f000001" +
        "3109020101020102020103",
    );
    const r = decodeDer(Sample, enc);
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    if (r.ok) {
      assert.equal(r.value.version, 2);
      assert.equal(r.value.critical, true);
      assert.equal(r.value.note, "hi");
      assert.deepEqual(r.value.tags, [1n, 2n, 3n]);
      assert.deepEqual(r.value.names[1], { type: "ip", value: Uint8Array.of(127, 0, 0, 1) });
      assert.equal(r.value.extra, undefined);
    }
  });

  it("omits DEFAULT values when writing and fills them when reading", () => {
    const enc = Sample.encode({
      version: 0,
      id: "1.2",
      critical: false,
      note: undefined,
      names: [{ type: "dns", value: "x" }],
      tags: [],
      extra: undefined,
    });
    assert.equal(toHex(enc), "300a06012a3003820178" + "3100");
    const r = decodeDer(Sample, enc);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.value.version, 0);
      assert.equal(r.value.critical, false);
    }
  });

  const bad: [string, string, string][] = [
    [
      "a DEFAULT value encoded (X.690 §11.5)",
      "300d06012a010100" + "3003820178" + "3100",
      "default-encoded",
    ],
    ["an unsorted SET OF", "301006012a3003820178" + "3106020102020101", "unsorted-set"],
    ["an empty SEQUENCE OF with SIZE (1..MAX)", "300706012a3000" + "3100", "too-few-elements"],
    ["a missing component", "300306012a", "truncated"],
    ["an unknown CHOICE alternative", "300a06012a3003810178" + "3100", "unexpected-tag"],
    [
      "an element after the last component",
      "300e06012a3003820178" + "3100" + "0400" + "0400",
      "trailing-bytes",
    ],
    [
      "EXPLICIT holding two elements",
      "3012a006020101020101" + "06012a3003820178" + "3100",
      "trailing-bytes",
    ],
  ];
  for (const [what, hex, code] of bad) {
    it(`rejects ${what} with ${code}`, () => {
      const r = decodeDer(Sample, fromHex(hex));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code, r.error.message);
    });
  }

  it("round trips arbitrary values (property)", () => {
    const arbName = fc.oneof(
      fc.record({
        type: fc.constant("dns" as const),
        value: fc.stringMatching(/^[a-z0-9.-]{0,20}$/),
      }),
      fc.record({
        type: fc.constant("ip" as const),
        value: fc.uint8Array({ minLength: 4, maxLength: 16 }),
      }),
    );
    const arb = fc.record({
      version: fc.integer({ min: 0, max: 2 }),
      id: fc
        .array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 6 })
        .map((a) => `1.3.${a.join(".")}`),
      critical: fc.boolean(),
      note: fc.option(fc.string(), { nil: undefined }),
      names: fc.array(arbName, { minLength: 1, maxLength: 4 }),
      tags: fc.array(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), { maxLength: 5 }),
      extra: fc.option(fc.constant(fromHex("0500")), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, (v) => {
        const enc = Sample.encode(v);
        const r = decodeDer(Sample, enc);
        assert.ok(r.ok, r.ok ? "" : r.error.message);
        if (!r.ok) return;
        // Writing what was read gives the same bytes: one DER encoding per value.
        assert.equal(toHex(Sample.encode(r.value)), toHex(enc));
        assert.deepEqual(
          r.value.names,
          v.names.map((n) => ({ ...n })),
        );
        assert.deepEqual(
          r.value.tags,
          [...v.tags].sort((a, b) => {
            const x = toHex(integer.encode(a));
            const y = toHex(integer.encode(b));
            return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
          }),
        );
      }),
      { numRuns: 300 },
    );
  });
});
