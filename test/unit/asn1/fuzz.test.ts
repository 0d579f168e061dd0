import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ASN1_ERROR_CODES,
  type Asn1ErrorCode,
  any,
  boolean,
  choice,
  decodeDer,
  explicit,
  generalizedTime,
  ia5String,
  implicit,
  integer,
  namedBits,
  octetString,
  oid,
  optional,
  sequence,
  sequenceOf,
  setOf,
  utcTime,
  utf8String,
  withDefault,
} from "../../../stack/asn1/index.ts";

const CODES = new Set<Asn1ErrorCode>(ASN1_ERROR_CODES);

const Shape = sequence("Shape", {
  v: withDefault(explicit(0, integer), 0n),
  id: oid,
  flag: withDefault(boolean, false),
  when: choice("Time", { utc: utcTime, gen: generalizedTime }),
  bits: namedBits,
  names: sequenceOf(choice("Name", { dns: implicit(2, ia5String), raw: implicit(0, octetString) })),
  set: setOf(utf8String),
  rest: optional(any),
});

const SEED = Shape.encode({
  v: 2n,
  id: "1.2.840.113549.1.1.11",
  flag: true,
  when: { type: "utc", value: Date.UTC(2030, 5, 1, 12, 0, 0) },
  bits: new Set([0, 2, 5]),
  names: [
    { type: "dns", value: "example.com" },
    { type: "raw", value: Uint8Array.of(1, 2, 3) },
  ],
  set: ["a", "b", "\u00e9"],
  rest: Uint8Array.of(0x04, 0x01, 0x00),
});

/** Mutated DER never throws out of the decoder, and every failure has a known code and an offset inside the input. */
describe("asn1: mutated encodings never throw", () => {
  it("decodes the seed", () => {
    assert.ok(decodeDer(Shape, SEED).ok);
  });

  it("byte flips, insertions, deletions and cuts (fast-check, 3000 runs)", () => {
    const edit = fc.oneof(
      fc.record({
        op: fc.constant("set" as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        op: fc.constant("insert" as const),
        at: fc.nat(),
        byte: fc.constantFrom(0x00, 0x80, 0x81, 0xff, 0x30, 0x1f, 0x7f),
      }),
      fc.record({ op: fc.constant("delete" as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ op: fc.constant("cut" as const), at: fc.nat(), byte: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let bytes = Array.from(SEED);
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          if (e.op === "set" && at < bytes.length) bytes[at] = e.byte;
          else if (e.op === "insert") bytes.splice(at, 0, e.byte);
          else if (e.op === "delete") bytes.splice(at, 1);
          else if (e.op === "cut") bytes = bytes.slice(0, at);
        }
        const input = Uint8Array.from(bytes);
        const r = decodeDer(Shape, input);
        if (!r.ok) {
          assert.ok(CODES.has(r.error.code), r.error.code);
          assert.ok(
            r.error.offset >= 0 && r.error.offset <= input.length,
            `offset ${r.error.offset}`,
          );
        } else {
          // Anything accepted is canonical: it encodes back to exactly the input.
          assert.deepEqual(Shape.encode(r.value), input);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("random bytes (fast-check, 2000 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const r = decodeDer(Shape, input);
        if (!r.ok) assert.ok(CODES.has(r.error.code));
      }),
      { numRuns: 2000 },
    );
  });
});
