/**
 * DER tag-length-value framing (X.690 §8.1 and §10). Strict: only the definite length form,
 * lengths in the fewest octets, tag numbers in the fewest octets. A parsed element is a view
 * over the input (no copies); `contents` and `der` are subarrays of it.
 */
import { type Asn1Error, fail, ok, type Result } from "./errors.ts";

/** Tag classes (X.690 §8.1.2.2, bits 8 and 7 of the identifier octet). */
export type TagClass = "universal" | "application" | "context" | "private";
const CLASSES: readonly TagClass[] = ["universal", "application", "context", "private"];

export interface Tag {
  readonly cls: TagClass;
  readonly num: number;
  readonly constructed: boolean;
}

/** One parsed TLV. */
export interface Element {
  readonly tag: Tag;
  /** The input the element was read from. */
  readonly input: Uint8Array;
  /** Offset of the identifier octet in `input`. */
  readonly start: number;
  /** Offset of the first contents octet. */
  readonly contentStart: number;
  /** Offset just past the last contents octet. */
  readonly end: number;
}

/** Universal tag numbers used here (X.680 §8.4, table 1). */
export const UNIVERSAL = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  PrintableString: 19,
  T61String: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  UniversalString: 28,
  BMPString: 30,
} as const;

/** The largest length accepted: 2^31 - 1 (four length octets). */
const MAX_LENGTH = 0x7fffffff;

export function contents(el: Element): Uint8Array {
  return el.input.subarray(el.contentStart, el.end);
}

/** The whole encoding of the element, identifier to last contents octet. */
export function der(el: Element): Uint8Array {
  return el.input.subarray(el.start, el.end);
}

export function sameTag(a: Tag, b: Tag): boolean {
  return a.cls === b.cls && a.num === b.num && a.constructed === b.constructed;
}

export function tagName(t: Tag): string {
  const n =
    t.cls === "universal"
      ? `UNIVERSAL ${t.num}`
      : `[${t.cls === "context" ? "" : `${t.cls.toUpperCase()} `}${t.num}]`;
  return `${n}${t.constructed ? " constructed" : ""}`;
}

/**
 * The result of reading a header from a buffer that may hold only part of an element:
 * `need-more` says how many bytes the whole element needs, when known.
 */
export type ReadResult =
  | { kind: "ok"; element: Element }
  | { kind: "need-more"; atLeast: number }
  | { kind: "error"; error: Asn1Error };

/**
 * Reads one element starting at `offset`, not past `limit`. `need-more` when the element runs
 * past `limit` (for streams); the nested readers turn that into `truncated`.
 */
export function readElementPartial(
  input: Uint8Array,
  offset = 0,
  limit = input.length,
): ReadResult {
  let p = offset;
  if (p >= limit) return { kind: "need-more", atLeast: p + 2 - offset };
  const id = input[p++] as number;
  const cls = CLASSES[id >> 6] as TagClass;
  const constructed = (id & 0x20) !== 0;
  let num = id & 0x1f;
  if (num === 0x1f) {
    // High tag number form (X.690 §8.1.2.4): base 128, no leading 0x80, only for numbers >= 31.
    num = 0;
    let first = true;
    for (;;) {
      if (p >= limit) return { kind: "need-more", atLeast: p + 2 - offset };
      const b = input[p++] as number;
      if (first && b === 0x80) return err("bad-tag", "tag number with a leading zero octet", p - 1);
      first = false;
      if (num > 0xffffff) return err("bad-tag", "tag number too large", p - 1);
      num = num * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (num < 0x1f) return err("bad-tag", "high tag number form for a number under 31", offset);
  }
  if (p >= limit) return { kind: "need-more", atLeast: p + 1 - offset };
  const lenStart = p;
  const l0 = input[p++] as number;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    return err("indefinite-length", "indefinite length is BER, not DER (X.690 §10.1)", lenStart);
  } else if (l0 === 0xff) {
    return err("length-too-large", "reserved length octet 0xFF (X.690 §8.1.3.5)", lenStart);
  } else {
    const n = l0 & 0x7f;
    if (n > 4) return err("length-too-large", `length in ${n} octets`, lenStart);
    if (p + n > limit) return { kind: "need-more", atLeast: p + n - offset };
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (input[p++] as number);
    if (input[lenStart + 1] === 0)
      return err("non-minimal-length", "length with a leading zero octet", lenStart);
    if (length < 0x80)
      return err("non-minimal-length", "long form for a length under 128", lenStart);
    if (length > MAX_LENGTH) return err("length-too-large", `length ${length}`, lenStart);
  }
  const end = p + length;
  if (end > limit) return { kind: "need-more", atLeast: end - offset };
  return {
    kind: "ok",
    element: { tag: { cls, num, constructed }, input, start: offset, contentStart: p, end },
  };
}

function err(code: Asn1Error["code"], message: string, offset: number): ReadResult {
  return { kind: "error", error: { code, message, offset } };
}

/** Reads one element at `offset` that must end by `limit`. */
export function readElement(input: Uint8Array, offset = 0, limit = input.length): Result<Element> {
  const r = readElementPartial(input, offset, limit);
  if (r.kind === "ok") return ok(r.element);
  if (r.kind === "error") return { ok: false, error: r.error };
  return fail("truncated", `element needs ${r.atLeast} bytes, ${limit - offset} left`, offset);
}

/** Reads exactly one element filling `input`: trailing bytes are an error. */
export function readSingle(input: Uint8Array): Result<Element> {
  const r = readElement(input, 0, input.length);
  if (!r.ok) return r;
  if (r.value.end !== input.length)
    return fail(
      "trailing-bytes",
      `${input.length - r.value.end} bytes after the element`,
      r.value.end,
    );
  return r;
}

/** The child elements of a constructed element, in order. */
export function children(el: Element): Result<Element[]> {
  if (!el.tag.constructed)
    return fail("bad-form", `${tagName(el.tag)} is primitive, expected constructed`, el.start);
  const out: Element[] = [];
  let p = el.contentStart;
  while (p < el.end) {
    const r = readElement(el.input, p, el.end);
    if (!r.ok) return r;
    out.push(r.value);
    p = r.value.end;
  }
  return ok(out);
}

// ---- writing ----

function identifier(tag: Tag): number[] {
  const first = (CLASSES.indexOf(tag.cls) << 6) | (tag.constructed ? 0x20 : 0);
  if (tag.num < 0x1f) return [first | tag.num];
  const digits: number[] = [];
  let n = tag.num;
  do {
    digits.unshift(n & 0x7f);
    n = Math.floor(n / 128);
  } while (n > 0);
  for (let i = 0; i < digits.length - 1; i++) digits[i] = (digits[i] as number) | 0x80;
  return [first | 0x1f, ...digits];
}

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  let n = length;
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** Encodes one element: identifier, minimal definite length, contents (X.690 §10.1). */
export function writeElement(tag: Tag, body: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const parts = body instanceof Uint8Array ? [body] : body;
  let length = 0;
  for (const part of parts) length += part.length;
  const head = [...identifier(tag), ...lengthOctets(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let p = head.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export function universal(num: number, constructed = false): Tag {
  return { cls: "universal", num, constructed };
}

export function context(num: number, constructed: boolean): Tag {
  return { cls: "context", num, constructed };
}
