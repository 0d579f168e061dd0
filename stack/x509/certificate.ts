/**
 * X.509 v3 certificates (RFC 5280 §4.1). One declaration of the structure serves parsing
 * and creation; `parseCertificate` then checks the rules the grammar cannot say.
 */
import {
  bitString,
  choice,
  decodeDer,
  explicit,
  generalizedTime,
  implicit,
  integer,
  octetAlignedBits,
  optional,
  sequence,
  smallInteger,
  utcTime,
  withDefault,
  withDer,
} from "../asn1/index.ts";
import { equalBytes } from "../bytes/index.ts";
import type { PublicKey, SignatureAlgorithm } from "../crypto/provider.ts";
import {
  type AlgorithmIdentifier,
  AlgorithmIdentifierCodec,
  signatureAlgorithmOf,
} from "./algorithm.ts";
import { type ParseResult, parseFail } from "./errors.ts";
import {
  decodeExtensions,
  type Extensions,
  ExtensionsCodec,
  type RawExtension,
} from "./extensions.ts";
import { publicKeyFromSpki, SubjectPublicKeyInfoCodec } from "./keys.ts";
import { type Name, NameCodec } from "./name.ts";
import { decodePemAll, encodePem } from "./pem.ts";

/** Time ::= CHOICE { utcTime, generalTime } (RFC 5280 §4.1.2.5). */
export const TimeCodec = choice("Time", { utcTime, generalTime: generalizedTime });

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function timeChoice(ms: number): { type: "utcTime" | "generalTime"; value: number } {
  const y = new Date(ms).getUTCFullYear();
  return { type: y >= 1950 && y < 2050 ? "utcTime" : "generalTime", value: ms };
}

export const TbsCertificateCodec = sequence("TBSCertificate", {
  version: withDefault(explicit(0, smallInteger(0, 2)), 0),
  serialNumber: integer,
  signature: AlgorithmIdentifierCodec,
  issuer: NameCodec,
  validity: sequence("Validity", { notBefore: TimeCodec, notAfter: TimeCodec }),
  subject: NameCodec,
  subjectPublicKeyInfo: withDer(SubjectPublicKeyInfoCodec),
  issuerUniqueID: optional(implicit(1, bitString)),
  subjectUniqueID: optional(implicit(2, bitString)),
  extensions: optional(explicit(3, ExtensionsCodec)),
});

export const CertificateCodec = sequence("Certificate", {
  tbsCertificate: withDer(TbsCertificateCodec),
  signatureAlgorithm: AlgorithmIdentifierCodec,
  signatureValue: octetAlignedBits,
});

export interface Certificate {
  /** The whole certificate. */
  readonly der: Uint8Array;
  /** The TBSCertificate bytes the signature covers. */
  readonly tbsDer: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  readonly serialNumber: bigint;
  readonly signatureAlgorithmId: AlgorithmIdentifier;
  /** The signature algorithm, or undefined if Morgana does not support it (SHA-1, DSA, ...). */
  readonly signatureAlgorithm: SignatureAlgorithm | undefined;
  readonly issuer: Name;
  readonly subject: Name;
  /** Milliseconds since the epoch, inclusive bounds (RFC 5280 §4.1.2.5). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** The SubjectPublicKeyInfo bytes (for key identifiers and pinning). */
  readonly spkiDer: Uint8Array;
  readonly publicKeyAlgorithm: string;
  /** The subject's key, or undefined for an algorithm Morgana does not support. */
  readonly publicKey: PublicKey | undefined;
  readonly signature: Uint8Array;
  readonly extensions: Extensions;
}

/** Parses one DER certificate. */
export function parseCertificate(der: Uint8Array): ParseResult<Certificate> {
  const r = decodeDer(CertificateCodec, der);
  if (!r.ok) return r;
  const tbs = r.value.tbsCertificate.value;
  const tbsDer = r.value.tbsCertificate.der;
  const version = tbs.version + 1;
  // §4.1.2.1: unique IDs need v2 or v3, extensions need v3.
  if (tbs.extensions !== undefined && version !== 3)
    return parseFail("bad-version", `extensions in a v${version} certificate`);
  if ((tbs.issuerUniqueID !== undefined || tbs.subjectUniqueID !== undefined) && version === 1) {
    return parseFail("bad-version", "unique identifiers in a v1 certificate");
  }
  // §4.1.1.2: signatureAlgorithm MUST equal the signature field of the TBSCertificate.
  const outer = r.value.signatureAlgorithm;
  const same =
    outer.algorithm === tbs.signature.algorithm &&
    (outer.parameters === undefined
      ? tbs.signature.parameters === undefined
      : tbs.signature.parameters !== undefined &&
        equalBytes(outer.parameters, tbs.signature.parameters));
  if (!same)
    return parseFail(
      "algorithm-mismatch",
      "signatureAlgorithm differs from TBSCertificate.signature (RFC 5280 §4.1.1.2)",
    );
  const alg = signatureAlgorithmOf(outer);
  if (!alg.ok) return parseFail("bad-algorithm-parameters", alg.error.message);
  const spki = tbs.subjectPublicKeyInfo;
  const key = publicKeyFromSpki(spki.value);
  let publicKey: PublicKey | undefined;
  if (key.ok) publicKey = key.value;
  else if (key.error.code !== "unsupported-key") return key;
  const exts =
    tbs.extensions === undefined
      ? decodeExtensions([])
      : decodeExtensions(tbs.extensions as RawExtension[]);
  if (!exts.ok) return exts;
  return {
    ok: true,
    value: {
      der,
      tbsDer,
      version,
      serialNumber: tbs.serialNumber,
      signatureAlgorithmId: outer,
      signatureAlgorithm: alg.value,
      issuer: tbs.issuer,
      subject: tbs.subject,
      notBefore: tbs.validity.notBefore.value,
      notAfter: tbs.validity.notAfter.value,
      spkiDer: spki.der,
      publicKeyAlgorithm: spki.value.algorithm.algorithm,
      publicKey,
      signature: r.value.signatureValue,
      extensions: exts.value,
    },
  };
}

/** Every "CERTIFICATE" block in PEM text, parsed, in order. */
export function parseCertificatesPem(text: string): ParseResult<Certificate[]> {
  const blocks = decodePemAll(text);
  if (!blocks.ok) return parseFail("bad-pem", blocks.error.message);
  const out: Certificate[] = [];
  for (const b of blocks.value) {
    if (b.label !== "CERTIFICATE") continue;
    const c = parseCertificate(b.der);
    if (!c.ok) return c;
    out.push(c.value);
  }
  if (out.length === 0) return parseFail("bad-pem", "no CERTIFICATE block");
  return { ok: true, value: out };
}

export function certificateToPem(cert: { der: Uint8Array }): string {
  return encodePem("CERTIFICATE", cert.der);
}

/** The serial number as OpenSSL prints it with `-serial`: upper-case hex, even length. */
export function serialHex(serial: bigint): string {
  let h = (serial < 0n ? -serial : serial).toString(16).toUpperCase();
  if (h.length % 2 === 1) h = `0${h}`;
  return serial < 0n ? `-${h}` : h;
}
