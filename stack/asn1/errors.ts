/**
 * The closed set of DER decoding failures. Every parser in `stack/asn1/` and `stack/x509/`
 * returns one of these instead of throwing: input from the network never throws out of the
 * library.
 */
export type Asn1ErrorCode =
  /** The input ends inside a tag, a length or a value. */
  | "truncated"
  /** High tag number form with a non-minimal or too large number (X.690 §8.1.2.4). */
  | "bad-tag"
  /** Indefinite length: BER only (X.690 §10.1). */
  | "indefinite-length"
  /** Long form where the short form fits, or leading zero length octets (X.690 §10.1). */
  | "non-minimal-length"
  /** A length this decoder will not handle (over 2^31 - 1). */
  | "length-too-large"
  /** Bytes after the last element where none are allowed. */
  | "trailing-bytes"
  /** A tag other than the one the structure expects. */
  | "unexpected-tag"
  /** A primitive type in constructed form, or the reverse (X.690 §10.2: DER strings are primitive). */
  | "bad-form"
  /** INTEGER whose first nine bits are all zero or all one, or empty (X.690 §8.3.2). */
  | "non-minimal-integer"
  /** An INTEGER outside the range the structure allows. */
  | "integer-out-of-range"
  /** BOOLEAN not 0x00 or 0xFF, or not one octet (X.690 §11.1). */
  | "bad-boolean"
  /** NULL with contents (X.690 §8.8.2). */
  | "bad-null"
  /** BIT STRING with bad padding: unused count over 7, unused bits not zero (X.690 §11.2.1). */
  | "bad-bit-string"
  /** OBJECT IDENTIFIER with a non-minimal arc or a cut-off last arc (X.690 §8.19.2). */
  | "bad-oid"
  /** UTCTime or GeneralizedTime not in the RFC 5280 §4.1.2.5 form. */
  | "bad-time"
  /** A string with characters its type does not allow (X.680 §41), or bad UTF-8. */
  | "bad-string"
  /** SET OF elements not in ascending order of their encodings (X.690 §11.6). */
  | "unsorted-set"
  /** A component equal to its DEFAULT value is encoded (X.690 §11.5). */
  | "default-encoded"
  /** A SEQUENCE OF / SET OF with fewer elements than allowed (SIZE (1..MAX)). */
  | "too-few-elements"
  /** A value the structure does not allow (an unknown CHOICE alternative, a bad enum). */
  | "bad-value";

/** Every code, for callers that check a failure is one of the set (fuzz tests, alert maps). */
const EVERY_CODE: Record<Asn1ErrorCode, true> = {
  truncated: true,
  "bad-tag": true,
  "indefinite-length": true,
  "non-minimal-length": true,
  "length-too-large": true,
  "trailing-bytes": true,
  "unexpected-tag": true,
  "bad-form": true,
  "non-minimal-integer": true,
  "integer-out-of-range": true,
  "bad-boolean": true,
  "bad-null": true,
  "bad-bit-string": true,
  "bad-oid": true,
  "bad-time": true,
  "bad-string": true,
  "unsorted-set": true,
  "default-encoded": true,
  "too-few-elements": true,
  "bad-value": true,
};
export const ASN1_ERROR_CODES = Object.keys(EVERY_CODE) as readonly Asn1ErrorCode[];

export interface Asn1Error {
  readonly code: Asn1ErrorCode;
  readonly message: string;
  /** Byte offset in the input where the problem starts (0-based). */
  readonly offset: number;
}

export type Result<T, E = Asn1Error> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(
  code: Asn1ErrorCode,
  message: string,
  offset: number,
): { ok: false; error: Asn1Error } {
  return { ok: false, error: { code, message, offset } };
}
