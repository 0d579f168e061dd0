/**
 * AlgorithmIdentifier (RFC 5280 §4.1.1.2) and the signature algorithms Morgana verifies and
 * makes: RSA PKCS#1 v1.5 and RSASSA-PSS (RFC 8017, RFC 4055), ECDSA (RFC 5758 §3.2), Ed25519
 * (RFC 8410 §3). SHA-1 and MD5 are refused.
 */
import {
  any as anyElement,
  decodeDer,
  explicit,
  fail,
  integer,
  OID,
  oid,
  ok,
  optional,
  type Result,
  sequence,
  smallInteger,
  withDefault,
} from "../asn1/index.ts";
import { equalBytes, fromHex } from "../bytes/index.ts";
import type { HashAlgorithm, SignatureAlgorithm } from "../crypto/provider.ts";

export interface AlgorithmIdentifier {
  readonly algorithm: string;
  /** The parameters' whole DER element, if present. */
  readonly parameters: Uint8Array | undefined;
}

export const AlgorithmIdentifierCodec = sequence("AlgorithmIdentifier", {
  algorithm: oid,
  parameters: optional(anyElement),
});

const NULL_DER = fromHex("0500");

const HASH_OIDS: Record<string, HashAlgorithm> = {
  [OID.sha256]: "sha256",
  [OID.sha384]: "sha384",
  [OID.sha512]: "sha512",
};
const HASH_OF: Record<HashAlgorithm, string> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

const PKCS1: Record<string, HashAlgorithm> = {
  [OID.sha256WithRSAEncryption]: "sha256",
  [OID.sha384WithRSAEncryption]: "sha384",
  [OID.sha512WithRSAEncryption]: "sha512",
};
const ECDSA: Record<string, HashAlgorithm> = {
  [OID.ecdsaWithSHA256]: "sha256",
  [OID.ecdsaWithSHA384]: "sha384",
  [OID.ecdsaWithSHA512]: "sha512",
};

/** RSASSA-PSS-params (RFC 4055 §3.1). The SHA-1 defaults are refused, so hash and MGF are required. */
const PssParams = sequence("RSASSA-PSS-params", {
  hashAlgorithm: optional(explicit(0, AlgorithmIdentifierCodec)),
  maskGenAlgorithm: optional(explicit(1, AlgorithmIdentifierCodec)),
  saltLength: withDefault(explicit(2, smallInteger(0, 1 << 16)), 20),
  trailerField: withDefault(explicit(3, integer), 1n),
});

function hashFromAlgId(a: AlgorithmIdentifier | undefined): HashAlgorithm | undefined {
  if (a === undefined) return undefined;
  const h = HASH_OIDS[a.algorithm];
  // RFC 4055 §2.1: the hash parameters are NULL or absent.
  if (h === undefined || (a.parameters !== undefined && !equalBytes(a.parameters, NULL_DER)))
    return undefined;
  return h;
}

/**
 * The signature algorithm an AlgorithmIdentifier names, or `undefined` if Morgana does not
 * support it (the certificate still parses; its signature will not verify). Parameters
 * that break the algorithm's rules are an error.
 */
export function signatureAlgorithmOf(
  a: AlgorithmIdentifier,
  offset = 0,
): Result<SignatureAlgorithm | undefined> {
  const pkcs1 = PKCS1[a.algorithm];
  if (pkcs1 !== undefined) {
    // RFC 4055 §5 / RFC 8017 A.2.4: parameters NULL (some encoders omit them; accepted).
    if (a.parameters !== undefined && !equalBytes(a.parameters, NULL_DER)) {
      return fail("bad-value", "RSA PKCS#1 v1.5 parameters must be NULL", offset);
    }
    return ok({ kind: "rsa-pkcs1", hash: pkcs1 });
  }
  const ecdsa = ECDSA[a.algorithm];
  if (ecdsa !== undefined) {
    // RFC 5758 §3.2: the parameters field MUST be absent.
    if (a.parameters !== undefined)
      return fail("bad-value", "ECDSA parameters must be absent", offset);
    return ok({ kind: "ecdsa", hash: ecdsa, encoding: "der" });
  }
  if (a.algorithm === OID.ed25519) {
    if (a.parameters !== undefined)
      return fail("bad-value", "Ed25519 parameters must be absent (RFC 8410 §3)", offset);
    return ok({ kind: "ed25519" });
  }
  if (a.algorithm === OID.rsassaPss) {
    if (a.parameters === undefined) return fail("bad-value", "RSASSA-PSS needs parameters", offset);
    const p = decodeDer(PssParams, a.parameters);
    if (!p.ok) return p;
    const hash = hashFromAlgId(p.value.hashAlgorithm);
    const mgf = p.value.maskGenAlgorithm;
    if (
      hash === undefined ||
      mgf === undefined ||
      mgf.algorithm !== OID.mgf1 ||
      mgf.parameters === undefined
    ) {
      return ok(undefined);
    }
    const mgfHash = decodeDer(AlgorithmIdentifierCodec, mgf.parameters);
    if (!mgfHash.ok) return mgfHash;
    // Only MGF1 with the same hash, and trailer field 1 (RFC 4055 §3.1).
    if (hashFromAlgId(mgfHash.value) !== hash || p.value.trailerField !== 1n) return ok(undefined);
    return ok({ kind: "rsa-pss", hash, saltLength: p.value.saltLength });
  }
  return ok(undefined);
}

/** The AlgorithmIdentifier to write for a signature algorithm. */
export function algorithmIdentifierFor(alg: SignatureAlgorithm): AlgorithmIdentifier {
  switch (alg.kind) {
    case "ed25519":
      return { algorithm: OID.ed25519, parameters: undefined };
    case "ecdsa":
      return {
        algorithm: {
          sha256: OID.ecdsaWithSHA256,
          sha384: OID.ecdsaWithSHA384,
          sha512: OID.ecdsaWithSHA512,
        }[alg.hash],
        parameters: undefined,
      };
    case "rsa-pkcs1":
      return {
        algorithm: {
          sha256: OID.sha256WithRSAEncryption,
          sha384: OID.sha384WithRSAEncryption,
          sha512: OID.sha512WithRSAEncryption,
        }[alg.hash],
        parameters: NULL_DER,
      };
    case "rsa-pss": {
      const hashId = { algorithm: HASH_OF[alg.hash], parameters: NULL_DER };
      const params = PssParams.encode({
        hashAlgorithm: hashId,
        maskGenAlgorithm: {
          algorithm: OID.mgf1,
          parameters: AlgorithmIdentifierCodec.encode(hashId),
        },
        saltLength: alg.saltLength ?? { sha256: 32, sha384: 48, sha512: 64 }[alg.hash],
        trailerField: 1n,
      });
      return { algorithm: OID.rsassaPss, parameters: params };
    }
  }
}

/** A short name for messages and display ("ecdsa-with-SHA256", "rsa-pss-sha256"). */
export function signatureAlgorithmName(
  alg: SignatureAlgorithm | undefined,
  oidText: string,
): string {
  if (alg === undefined) return `unsupported (${oidText})`;
  switch (alg.kind) {
    case "ed25519":
      return "ed25519";
    case "ecdsa":
      return `ecdsa-with-${alg.hash.toUpperCase()}`;
    case "rsa-pkcs1":
      return `${alg.hash}WithRSAEncryption`;
    case "rsa-pss":
      return `rsassa-pss-${alg.hash}`;
  }
}
