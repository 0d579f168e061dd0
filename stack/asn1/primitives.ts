/**
 * Codecs for the universal types certificates use, each enforcing its DER rules (X.690 §8
 * and §11).
 */
import { latin1Decode, latin1Encode, utf8Decode, utf8Encode } from "../bytes/index.ts";
import { type TaggedCodec, tagged } from "./codec.ts";
import { fail, ok, type Result } from "./errors.ts";
import { decodeOid, encodeOid } from "./oid.ts";
import { decodeGeneralizedTime, decodeUtcTime, generalizedTimeText, utcTimeText } from "./time.ts";
import { contents, type Element, UNIVERSAL, universal } from "./tlv.ts";

/** BOOLEAN: one octet, 0x00 or 0xFF in DER (X.690 §11.1). */
export const boolean: TaggedCodec<boolean> = tagged(
  "BOOLEAN",
  universal(UNIVERSAL.BOOLEAN),
  (el) => {
    const c = contents(el);
    if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff))
      return fail(
        "bad-boolean",
        "BOOLEAN must be one octet 00 or FF (X.690 §11.1)",
        el.contentStart,
      );
    return ok(c[0] === 0xff);
  },
  (v) => Uint8Array.of(v ? 0xff : 0),
);

/** NULL: no contents (X.690 §8.8.2). */
export const nullValue: TaggedCodec<null> = tagged(
  "NULL",
  universal(UNIVERSAL.NULL),
  (el) =>
    el.end === el.contentStart ? ok(null) : fail("bad-null", "NULL with contents", el.contentStart),
  () => new Uint8Array(0),
);

/** Checks two's complement INTEGER contents for minimality (X.690 §8.3.2). */
function checkInteger(el: Element): Result<Uint8Array> {
  const c = contents(el);
  if (c.length === 0)
    return fail("non-minimal-integer", "INTEGER with no contents octets", el.contentStart);
  if (c.length > 1) {
    const a = c[0] as number;
    const b = (c[1] as number) & 0x80;
    if ((a === 0 && b === 0) || (a === 0xff && b !== 0)) {
      return fail(
        "non-minimal-integer",
        "INTEGER with a redundant leading octet (X.690 §8.3.2)",
        el.contentStart,
      );
    }
  }
  return ok(c);
}

export function bigintFromTwosComplement(c: Uint8Array): bigint {
  let n = 0n;
  for (const b of c) n = (n << 8n) | BigInt(b);
  if (c.length > 0 && ((c[0] as number) & 0x80) !== 0) n -= 1n << BigInt(8 * c.length);
  return n;
}

export function twosComplementFromBigint(v: bigint): Uint8Array {
  const out: number[] = [];
  let n = v;
  for (;;) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
    const top = (out[0] as number) & 0x80;
    if ((n === 0n && top === 0) || (n === -1n && top !== 0)) break;
  }
  return Uint8Array.from(out);
}

/** INTEGER of any size, as a BigInt. */
export const integer: TaggedCodec<bigint> = tagged(
  "INTEGER",
  universal(UNIVERSAL.INTEGER),
  (el) => {
    const c = checkInteger(el);
    return c.ok ? ok(bigintFromTwosComplement(c.value)) : c;
  },
  twosComplementFromBigint,
);

/**
 * A non-negative INTEGER kept as its unsigned big-endian magnitude (RSA moduli, serial
 * numbers): no leading zero octets, at least one octet.
 */
export const unsignedBytes: TaggedCodec<Uint8Array> = tagged(
  "INTEGER",
  universal(UNIVERSAL.INTEGER),
  (el) => {
    const c = checkInteger(el);
    if (!c.ok) return c;
    const v = c.value;
    if (((v[0] as number) & 0x80) !== 0)
      return fail(
        "integer-out-of-range",
        "negative INTEGER where a non-negative one is required",
        el.contentStart,
      );
    return ok(v.length > 1 && v[0] === 0 ? v.subarray(1) : v);
  },
  (v) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const m = v.subarray(i);
    if (m.length === 0) return Uint8Array.of(0);
    if (((m[0] as number) & 0x80) !== 0) {
      const out = new Uint8Array(m.length + 1);
      out.set(m, 1);
      return out;
    }
    return m;
  },
);

/** INTEGER in [min, max] as a number (versions, path lengths). */
export function smallInteger(min: number, max: number): TaggedCodec<number> {
  return tagged(
    "INTEGER",
    universal(UNIVERSAL.INTEGER),
    (el) => {
      const c = checkInteger(el);
      if (!c.ok) return c;
      if (c.value.length > 7)
        return fail("integer-out-of-range", `INTEGER outside ${min}..${max}`, el.contentStart);
      const n = Number(bigintFromTwosComplement(c.value));
      if (n < min || n > max)
        return fail("integer-out-of-range", `INTEGER ${n} outside ${min}..${max}`, el.contentStart);
      return ok(n);
    },
    (n) => twosComplementFromBigint(BigInt(n)),
  );
}

/** A BIT STRING: the bits, most significant first, and the count of unused bits in the last octet. */
export interface BitString {
  readonly bytes: Uint8Array;
  readonly unusedBits: number;
}

/** BIT STRING in primitive form, unused bits zero (X.690 §8.6.2, §11.2.1). */
export const bitString: TaggedCodec<BitString> = tagged(
  "BIT STRING",
  universal(UNIVERSAL.BIT_STRING),
  (el) => {
    const c = contents(el);
    if (c.length === 0)
      return fail("bad-bit-string", "BIT STRING without the unused-bits octet", el.contentStart);
    const unused = c[0] as number;
    if (unused > 7) return fail("bad-bit-string", `${unused} unused bits`, el.contentStart);
    if (c.length === 1 && unused !== 0)
      return fail("bad-bit-string", "empty BIT STRING with unused bits", el.contentStart);
    if (unused > 0 && ((c[c.length - 1] as number) & ((1 << unused) - 1)) !== 0) {
      return fail("bad-bit-string", "unused bits not zero (X.690 §11.2.1)", el.end - 1);
    }
    return ok({ bytes: c.subarray(1), unusedBits: unused });
  },
  (v) => {
    if (v.unusedBits < 0 || v.unusedBits > 7 || (v.bytes.length === 0 && v.unusedBits !== 0)) {
      throw new RangeError(`bad unused bit count ${v.unusedBits}`);
    }
    const out = new Uint8Array(v.bytes.length + 1);
    out[0] = v.unusedBits;
    out.set(v.bytes, 1);
    if (v.unusedBits > 0)
      out[out.length - 1] = (out[out.length - 1] as number) & (0xff << v.unusedBits) & 0xff;
    return out;
  },
);

/** A BIT STRING holding whole octets (keys, signatures). */
export const octetAlignedBits: TaggedCodec<Uint8Array> = tagged(
  "BIT STRING",
  universal(UNIVERSAL.BIT_STRING),
  (el) => {
    const r = bitString.decodeContents(el);
    if (!r.ok) return r;
    if (r.value.unusedBits !== 0)
      return fail("bad-bit-string", "BIT STRING must hold whole octets here", el.contentStart);
    return ok(r.value.bytes);
  },
  (bytes) => bitString.encodeContents({ bytes, unusedBits: 0 }),
);

function bitsToSet(bytes: Uint8Array): Set<number> {
  const set = new Set<number>();
  for (let i = 0; i < bytes.length * 8; i++)
    if (((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1) set.add(i);
  return set;
}

function setToBits(set: ReadonlySet<number>): Uint8Array | readonly Uint8Array[] {
  const top = set.size === 0 ? -1 : Math.max(...set);
  const bytes = new Uint8Array(Math.ceil((top + 1) / 8));
  for (const i of set) bytes[i >> 3] = (bytes[i >> 3] as number) | (0x80 >> (i & 7));
  const unusedBits = bytes.length * 8 - (top + 1);
  return bitString.encodeContents({ bytes, unusedBits });
}

/**
 * A named bit list (X.680 §22.7) as the set of bit numbers set (bit 0 is the first). DER
 * drops trailing zero bits (X.690 §11.2.2), so the last octet's last used bit is 1.
 */
export const namedBits: TaggedCodec<Set<number>> = tagged(
  "BIT STRING",
  universal(UNIVERSAL.BIT_STRING),
  (el) => {
    const r = bitString.decodeContents(el);
    if (!r.ok) return r;
    const { bytes, unusedBits } = r.value;
    if (bytes.length > 0 && (((bytes[bytes.length - 1] as number) >> unusedBits) & 1) === 0) {
      return fail(
        "bad-bit-string",
        "named bit list with trailing zero bits (X.690 §11.2.2)",
        el.end - 1,
      );
    }
    return ok(bitsToSet(bytes));
  },
  setToBits,
);

/**
 * `namedBits` that tolerates trailing zero bits (X.690 §11.2.2) when reading, and still
 * writes the minimal form. Trusted roots in Debian's ca-certificates (Trustwave Global ECC
 * P256/P384) encode keyUsage as 03 03 07 06 00; refusing them would refuse those CAs. The
 * padding rule (unused bits zero, §11.2.1) is still enforced.
 */
export const namedBitsLenient: TaggedCodec<Set<number>> = tagged(
  "BIT STRING",
  universal(UNIVERSAL.BIT_STRING),
  (el) => {
    const r = bitString.decodeContents(el);
    return r.ok ? ok(bitsToSet(r.value.bytes)) : r;
  },
  setToBits,
);

/** OCTET STRING in primitive form (X.690 §10.2). */
export const octetString: TaggedCodec<Uint8Array> = tagged(
  "OCTET STRING",
  universal(UNIVERSAL.OCTET_STRING),
  (el) => ok(contents(el)),
  (v) => v,
);

export const oid: TaggedCodec<string> = tagged(
  "OBJECT IDENTIFIER",
  universal(UNIVERSAL.OID),
  (el) => decodeOid(contents(el), el.contentStart),
  encodeOid,
);

// ---- character strings (X.680 §41) ----

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function stringCodec(
  name: string,
  num: number,
  decode: (c: Uint8Array) => string | undefined,
  encode: (s: string) => Uint8Array | undefined,
): TaggedCodec<string> {
  return tagged(
    name,
    universal(num),
    (el) => {
      const s = decode(contents(el));
      return s === undefined
        ? fail("bad-string", `${name} with characters it does not allow`, el.contentStart)
        : ok(s);
    },
    (s) => {
      const b = encode(s);
      if (b === undefined) throw new RangeError(`${name} cannot hold ${JSON.stringify(s)}`);
      return b;
    },
  );
}

function strictUtf8(c: Uint8Array): string | undefined {
  const s = utf8Decode(c);
  const back = utf8Encode(s);
  if (back.length !== c.length) return undefined;
  for (let i = 0; i < c.length; i++) if (back[i] !== c[i]) return undefined;
  return s;
}

function ascii(c: Uint8Array): string | undefined {
  for (const b of c) if (b > 0x7f) return undefined;
  return latin1Decode(c);
}

function asciiEncode(s: string): Uint8Array | undefined {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return undefined;
  return latin1Encode(s);
}

export const utf8String = stringCodec("UTF8String", UNIVERSAL.UTF8String, strictUtf8, (s) =>
  utf8Encode(s),
);
export const printableString = stringCodec(
  "PrintableString",
  UNIVERSAL.PrintableString,
  (c) => {
    const s = ascii(c);
    return s !== undefined && PRINTABLE.test(s) ? s : undefined;
  },
  (s) => (PRINTABLE.test(s) ? latin1Encode(s) : undefined),
);
/**
 * PrintableString as names in deployed certificates use it: '*' and '&' are read too (not in
 * X.680's set, but common in issued names, and accepted by Go's and OpenSSL's parsers).
 * Writing stays strict.
 */
const PRINTABLE_IN_NAMES = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/;
export const printableStringInNames = stringCodec(
  "PrintableString",
  UNIVERSAL.PrintableString,
  (c) => {
    const s = ascii(c);
    return s !== undefined && PRINTABLE_IN_NAMES.test(s) ? s : undefined;
  },
  (s) => (PRINTABLE.test(s) ? latin1Encode(s) : undefined),
);
export const ia5String = stringCodec("IA5String", UNIVERSAL.IA5String, ascii, asciiEncode);
/** T61String: read as latin1, as most decoders do (its real repertoire is T.61). */
export const t61String = stringCodec(
  "T61String",
  UNIVERSAL.T61String,
  (c) => latin1Decode(c),
  (s) => {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return undefined;
    return latin1Encode(s);
  },
);
/** BMPString: UCS-2, big-endian. */
export const bmpString = stringCodec(
  "BMPString",
  UNIVERSAL.BMPString,
  (c) => {
    if (c.length % 2 !== 0) return undefined;
    let s = "";
    for (let i = 0; i < c.length; i += 2)
      s += String.fromCharCode(((c[i] as number) << 8) | (c[i + 1] as number));
    return s;
  },
  (s) => {
    const out = new Uint8Array(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      out[2 * i] = s.charCodeAt(i) >> 8;
      out[2 * i + 1] = s.charCodeAt(i) & 0xff;
    }
    return out;
  },
);

// ---- times ----

export const utcTime: TaggedCodec<number> = tagged(
  "UTCTime",
  universal(UNIVERSAL.UTCTime),
  (el) => decodeUtcTime(contents(el), el.contentStart),
  (ms) => latin1Encode(utcTimeText(ms)),
);

export const generalizedTime: TaggedCodec<number> = tagged(
  "GeneralizedTime",
  universal(UNIVERSAL.GeneralizedTime),
  (el) => decodeGeneralizedTime(contents(el), el.contentStart),
  (ms) => latin1Encode(generalizedTimeText(ms)),
);
