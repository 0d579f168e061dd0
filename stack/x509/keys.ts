/**
 * Public and private keys as X.509 and OpenSSL store them:
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for RSA (RFC 8017 A.1.1), EC P-256/P-384 (RFC 5480)
 * and Ed25519 (RFC 8410); private keys as PKCS#8 / OneAsymmetricKey (RFC 5958), SEC1
 * ECPrivateKey (RFC 5915, PEM "EC PRIVATE KEY") and PKCS#1 RSAPrivateKey (RFC 8017 A.1.2,
 * PEM "RSA PRIVATE KEY"). Keys come out in the crypto provider's shapes.
 */

import {
  any as anyElement,
  decodeDer,
  explicit,
  implicit,
  OID,
  octetAlignedBits,
  octetString,
  oid,
  optional,
  sequence,
  setOf,
  smallInteger,
  unsignedBytes,
} from "../asn1/index.ts";
import { equalBytes, fromHex } from "../bytes/index.ts";
import { CURVE_BYTES, type Curve, type PrivateKey, type PublicKey } from "../crypto/provider.ts";
import { AlgorithmIdentifierCodec } from "./algorithm.ts";
import { type ParseResult, parseFail } from "./errors.ts";
import { decodePem, encodePem } from "./pem.ts";

export const SubjectPublicKeyInfoCodec = sequence("SubjectPublicKeyInfo", {
  algorithm: AlgorithmIdentifierCodec,
  subjectPublicKey: octetAlignedBits,
});

const RsaPublicKeyCodec = sequence("RSAPublicKey", { n: unsignedBytes, e: unsignedBytes });

const NULL_DER = fromHex("0500");
const CURVES: Record<string, Curve> = { [OID.prime256v1]: "p256", [OID.secp384r1]: "p384" };
const CURVE_OID: Record<Curve, string> = { p256: OID.prime256v1, p384: OID.secp384r1 };

function curveOf(params: Uint8Array | undefined): ParseResult<Curve> {
  if (params === undefined)
    return parseFail("bad-algorithm-parameters", "EC key without a named curve (RFC 5480 §2.1.1)");
  const r = decodeDer(oid, params);
  // specifiedCurve and implicitCurve are not allowed in PKIX (RFC 5480 §2.1.1).
  if (!r.ok) return parseFail("unsupported-key", "EC key with explicit curve parameters");
  const c = CURVES[r.value];
  return c === undefined
    ? parseFail("unsupported-key", `curve ${r.value}`)
    : { ok: true, value: c };
}

/**
 * RSA keys Morgana accepts: a modulus of 1024-8192 bits and an odd public exponent from 3 to
 * 2^32 - 1. The upper bounds are a work limit: a verification costs a modular exponentiation
 * by e, and a hostile peer could otherwise send a key whose every check takes seconds
 * (BoringSSL applies the same bounds).
 */
function checkRsa(n: Uint8Array, e: Uint8Array): ParseResult<null> {
  const bits = n.length * 8 - Math.clz32(n[0] as number) + 24;
  if (bits < 1024 || bits > 8192)
    return parseFail("bad-key", `RSA modulus of ${bits} bits (1024-8192 accepted)`);
  if (e.length > 4) return parseFail("bad-key", "RSA public exponent of more than 32 bits");
  if ((e[e.length - 1] as number) % 2 === 0 || (e.length === 1 && (e[0] as number) < 3)) {
    return parseFail("bad-key", "RSA public exponent must be odd and at least 3");
  }
  return { ok: true, value: null };
}

/** The key a SubjectPublicKeyInfo carries. */
export function publicKeyFromSpki(spki: {
  algorithm: { algorithm: string; parameters: Uint8Array | undefined };
  subjectPublicKey: Uint8Array;
}): ParseResult<PublicKey> {
  const { algorithm, parameters } = spki.algorithm;
  const key = spki.subjectPublicKey;
  if (algorithm === OID.rsaEncryption) {
    if (parameters === undefined || !equalBytes(parameters, NULL_DER))
      return parseFail(
        "bad-algorithm-parameters",
        "rsaEncryption parameters must be NULL (RFC 8017 A.1)",
      );
    const r = decodeDer(RsaPublicKeyCodec, key);
    if (!r.ok) return parseFail(r.error.code, `RSAPublicKey: ${r.error.message}`);
    const ok = checkRsa(r.value.n, r.value.e);
    if (!ok.ok) return ok;
    return { ok: true, value: { kind: "rsa", n: r.value.n, e: r.value.e } };
  }
  if (algorithm === OID.ecPublicKey) {
    const curve = curveOf(parameters);
    if (!curve.ok) return curve;
    const size = CURVE_BYTES[curve.value];
    // RFC 5480 §2.2: uncompressed points MUST be supported; compressed MAY be.
    const good =
      (key[0] === 4 && key.length === 1 + 2 * size) ||
      ((key[0] === 2 || key[0] === 3) && key.length === 1 + size);
    if (!good) return parseFail("bad-key", `EC point of ${key.length} bytes for ${curve.value}`);
    return { ok: true, value: { kind: "ec", curve: curve.value, point: key } };
  }
  if (algorithm === OID.ed25519) {
    if (parameters !== undefined)
      return parseFail(
        "bad-algorithm-parameters",
        "Ed25519 parameters must be absent (RFC 8410 §3)",
      );
    if (key.length !== 32) return parseFail("bad-key", `Ed25519 key of ${key.length} bytes`);
    return { ok: true, value: { kind: "ed25519", key } };
  }
  return parseFail("unsupported-key", `key algorithm ${algorithm}`);
}

/** Reads a DER SubjectPublicKeyInfo. */
export function parseSpki(der: Uint8Array): ParseResult<PublicKey> {
  const r = decodeDer(SubjectPublicKeyInfoCodec, der);
  if (!r.ok) return r;
  return publicKeyFromSpki(r.value);
}

/** DER SubjectPublicKeyInfo for a key. */
export function encodeSpki(key: PublicKey): Uint8Array {
  switch (key.kind) {
    case "rsa":
      return SubjectPublicKeyInfoCodec.encode({
        algorithm: { algorithm: OID.rsaEncryption, parameters: NULL_DER },
        subjectPublicKey: RsaPublicKeyCodec.encode({ n: key.n, e: key.e }),
      });
    case "ec":
      return SubjectPublicKeyInfoCodec.encode({
        algorithm: { algorithm: OID.ecPublicKey, parameters: oid.encode(CURVE_OID[key.curve]) },
        subjectPublicKey: key.point,
      });
    case "ed25519":
      return SubjectPublicKeyInfoCodec.encode({
        algorithm: { algorithm: OID.ed25519, parameters: undefined },
        subjectPublicKey: key.key,
      });
  }
}

// ---- private keys ----

const OneAsymmetricKeyCodec = sequence("OneAsymmetricKey", {
  version: smallInteger(0, 1),
  privateKeyAlgorithm: AlgorithmIdentifierCodec,
  privateKey: octetString,
  attributes: optional(implicit(0, setOf(anyElement))),
  publicKey: optional(implicit(1, octetAlignedBits)),
});

const RsaPrivateKeyCodec = sequence("RSAPrivateKey", {
  version: smallInteger(0, 0),
  n: unsignedBytes,
  e: unsignedBytes,
  d: unsignedBytes,
  p: unsignedBytes,
  q: unsignedBytes,
  dp: unsignedBytes,
  dq: unsignedBytes,
  qi: unsignedBytes,
});

const EcPrivateKeyCodec = sequence("ECPrivateKey", {
  version: smallInteger(1, 1),
  privateKey: octetString,
  parameters: optional(explicit(0, anyElement)),
  publicKey: optional(explicit(1, octetAlignedBits)),
});

function leftPad(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b;
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

function rsaPrivate(der: Uint8Array): ParseResult<PrivateKey> {
  const r = decodeDer(RsaPrivateKeyCodec, der);
  if (!r.ok) return r;
  const { version: _v, ...k } = r.value;
  const ok = checkRsa(k.n, k.e);
  if (!ok.ok) return ok;
  return { ok: true, value: { kind: "rsa", ...k } };
}

function ecPrivate(der: Uint8Array, curveFromAlg: Uint8Array | undefined): ParseResult<PrivateKey> {
  const r = decodeDer(EcPrivateKeyCodec, der);
  if (!r.ok) return r;
  // RFC 5915 §3: the curve comes from the PKCS#8 algorithm or the parameters field.
  const params = curveFromAlg ?? r.value.parameters;
  if (
    curveFromAlg !== undefined &&
    r.value.parameters !== undefined &&
    !equalBytes(curveFromAlg, r.value.parameters)
  ) {
    return parseFail("bad-key", "ECPrivateKey curve differs from the algorithm's");
  }
  const curve = curveOf(params);
  if (!curve.ok) return curve;
  const size = CURVE_BYTES[curve.value];
  if (r.value.privateKey.length > size || r.value.privateKey.length === 0)
    return parseFail("bad-key", `EC private key of ${r.value.privateKey.length} bytes`);
  return {
    ok: true,
    value: { kind: "ec", curve: curve.value, d: leftPad(r.value.privateKey, size) },
  };
}

/** Reads a DER PKCS#8 PrivateKeyInfo / OneAsymmetricKey (unencrypted). */
export function parsePkcs8(der: Uint8Array): ParseResult<PrivateKey> {
  const r = decodeDer(OneAsymmetricKeyCodec, der);
  if (!r.ok) return r;
  const { algorithm, parameters } = r.value.privateKeyAlgorithm;
  const inner = r.value.privateKey;
  if (algorithm === OID.rsaEncryption) return rsaPrivate(inner);
  if (algorithm === OID.ecPublicKey) return ecPrivate(inner, parameters);
  if (algorithm === OID.ed25519) {
    // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
    const seed = decodeDer(octetString, inner);
    if (!seed.ok) return seed;
    if (seed.value.length !== 32)
      return parseFail("bad-key", `Ed25519 private key of ${seed.value.length} bytes`);
    return { ok: true, value: { kind: "ed25519", seed: seed.value } };
  }
  return parseFail("unsupported-key", `private key algorithm ${algorithm}`);
}

/** DER PKCS#8 (version 0, no attributes) for a private key. */
export function encodePkcs8(key: PrivateKey): Uint8Array {
  switch (key.kind) {
    case "ed25519":
      return OneAsymmetricKeyCodec.encode({
        version: 0,
        privateKeyAlgorithm: { algorithm: OID.ed25519, parameters: undefined },
        privateKey: octetString.encode(key.seed),
        attributes: undefined,
        publicKey: undefined,
      });
    case "ec":
      return OneAsymmetricKeyCodec.encode({
        version: 0,
        privateKeyAlgorithm: {
          algorithm: OID.ecPublicKey,
          parameters: oid.encode(CURVE_OID[key.curve]),
        },
        privateKey: EcPrivateKeyCodec.encode({
          version: 1,
          privateKey: key.d,
          parameters: undefined,
          publicKey: undefined,
        }),
        attributes: undefined,
        publicKey: undefined,
      });
    case "rsa": {
      const { kind: _k, ...parts } = key;
      return OneAsymmetricKeyCodec.encode({
        version: 0,
        privateKeyAlgorithm: { algorithm: OID.rsaEncryption, parameters: NULL_DER },
        privateKey: RsaPrivateKeyCodec.encode({ version: 0, ...parts }),
        attributes: undefined,
        publicKey: undefined,
      });
    }
  }
}

/**
 * A private key from PEM as OpenSSL writes it: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY"
 * (SEC1) or "RSA PRIVATE KEY" (PKCS#1). Encrypted keys are refused.
 */
export function parsePrivateKeyPem(text: string): ParseResult<PrivateKey> {
  const block = decodePem(text, ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]);
  if (!block.ok) return parseFail("bad-pem", block.error.message);
  const { label, der } = block.value;
  if (label === "PRIVATE KEY") return parsePkcs8(der);
  if (label === "EC PRIVATE KEY") return ecPrivate(der, undefined);
  return rsaPrivate(der);
}

/** PEM "PRIVATE KEY" (PKCS#8). */
export function encodePrivateKeyPem(key: PrivateKey): string {
  return encodePem("PRIVATE KEY", encodePkcs8(key));
}

/** A public key from PEM "PUBLIC KEY" (SubjectPublicKeyInfo). */
export function parsePublicKeyPem(text: string): ParseResult<PublicKey> {
  const block = decodePem(text, ["PUBLIC KEY"]);
  if (!block.ok) return parseFail("bad-pem", block.error.message);
  return parseSpki(block.value.der);
}

export function encodePublicKeyPem(key: PublicKey): string {
  return encodePem("PUBLIC KEY", encodeSpki(key));
}
