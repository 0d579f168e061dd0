/**
 * Why a certificate, key or CSR did not parse: the DER failures of `stack/asn1/` plus the
 * X.509 ones below. A closed set; every parser here returns it instead of throwing.
 */
import { ASN1_ERROR_CODES, type Asn1ErrorCode } from "../asn1/index.ts";

export type X509ParseCode =
  | Asn1ErrorCode
  /** PEM framing (RFC 7468). */
  | "bad-pem"
  /** A version other than v1, v2, v3; or extensions/unique IDs in a version without them (RFC 5280 §4.1.2.1). */
  | "bad-version"
  /** The signature algorithm inside and outside the TBSCertificate differ (RFC 5280 §4.1.1.2). */
  | "algorithm-mismatch"
  /** An AlgorithmIdentifier's parameters are not what its algorithm requires. */
  | "bad-algorithm-parameters"
  /** A key whose encoding is wrong for its algorithm (a point of the wrong length, a bad RSA key). */
  | "bad-key"
  /** A key algorithm or curve Morgana does not support (only RSA, P-256, P-384, Ed25519). */
  | "unsupported-key"
  /** The same extension twice (RFC 5280 §4.2). */
  | "duplicate-extension"
  /** An extension whose value does not parse as its type, or breaks its rules (RFC 5280 §4.2.1). */
  | "bad-extension";

/** Every code: the DER ones and X.509's own. */
const X509_OWN: Record<Exclude<X509ParseCode, Asn1ErrorCode>, true> = {
  "bad-pem": true,
  "bad-version": true,
  "algorithm-mismatch": true,
  "bad-algorithm-parameters": true,
  "bad-key": true,
  "unsupported-key": true,
  "duplicate-extension": true,
  "bad-extension": true,
};
export const X509_PARSE_CODES: readonly X509ParseCode[] = [
  ...ASN1_ERROR_CODES,
  ...(Object.keys(X509_OWN) as X509ParseCode[]),
];

export interface X509ParseError {
  readonly code: X509ParseCode;
  readonly message: string;
  /** Byte offset in the DER (for PEM input: in the decoded block). */
  readonly offset: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: X509ParseError };

export function parseFail(
  code: X509ParseCode,
  message: string,
  offset = 0,
): { ok: false; error: X509ParseError } {
  return { ok: false, error: { code, message, offset } };
}
