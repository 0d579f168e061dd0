/** The TLS 1.3 cipher suites (RFC 8446 §B.4), groups and signature schemes Morgana speaks. */
import type {
  AeadAlgorithm,
  EcdhGroup,
  HashAlgorithm,
  PublicKey,
  SignatureAlgorithm,
} from "../crypto/provider.ts";
import { NamedGroup, SignatureScheme } from "./wire.ts";

export interface CipherSuite {
  readonly id: number;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  readonly keyLength: number;
  readonly hash: HashAlgorithm;
  readonly hashLength: number;
}

export const TLS_AES_128_GCM_SHA256: CipherSuite = {
  id: 0x1301,
  name: "TLS_AES_128_GCM_SHA256",
  aead: "aes-128-gcm",
  keyLength: 16,
  hash: "sha256",
  hashLength: 32,
};
export const TLS_AES_256_GCM_SHA384: CipherSuite = {
  id: 0x1302,
  name: "TLS_AES_256_GCM_SHA384",
  aead: "aes-256-gcm",
  keyLength: 32,
  hash: "sha384",
  hashLength: 48,
};
export const TLS_CHACHA20_POLY1305_SHA256: CipherSuite = {
  id: 0x1303,
  name: "TLS_CHACHA20_POLY1305_SHA256",
  aead: "chacha20-poly1305",
  keyLength: 32,
  hash: "sha256",
  hashLength: 32,
};

export const TLS13_SUITES: readonly CipherSuite[] = [
  TLS_AES_128_GCM_SHA256,
  TLS_CHACHA20_POLY1305_SHA256,
  TLS_AES_256_GCM_SHA384,
];

/**
 * `suites` with the provider's fastest AEADs first (`CryptoProvider.aeadPreference`), in
 * their order otherwise: the default order of a client's offer and a server's choice. The
 * server picks by its own preference (RFC 8446 §4.1.1 leaves the choice to it); every suite
 * here is one we would accept anyway, so only speed decides.
 */
export function fastestFirst<T extends { readonly aead: AeadAlgorithm }>(
  suites: readonly T[],
  preference: readonly AeadAlgorithm[] | undefined,
): T[] {
  if (!preference || preference.length === 0) return [...suites];
  const rank = (s: T) => {
    const i = preference.indexOf(s.aead);
    return i < 0 ? preference.length : i;
  };
  return [...suites].sort((a, b) => rank(a) - rank(b));
}

export function suiteById(id: number): CipherSuite | undefined {
  return TLS13_SUITES.find((s) => s.id === id);
}

/** Named groups with an implementation, by wire code. */
export const GROUPS: ReadonlyMap<number, EcdhGroup> = new Map<number, EcdhGroup>([
  [NamedGroup.x25519, "x25519"],
  [NamedGroup.secp256r1, "p256"],
  [NamedGroup.secp384r1, "p384"],
]);

export const GROUP_NAMES: Record<number, string> = {
  [NamedGroup.x25519]: "x25519",
  [NamedGroup.secp256r1]: "secp256r1",
  [NamedGroup.secp384r1]: "secp384r1",
};

/** The signature schemes TLS 1.3 accepts in CertificateVerify (§4.2.3: no PKCS#1 v1.5). */
export const TLS13_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsaSecp256r1Sha256,
  SignatureScheme.ecdsaSecp384r1Sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsaPssRsaeSha256,
  SignatureScheme.rsaPssRsaeSha384,
  SignatureScheme.rsaPssRsaeSha512,
];

/**
 * The provider algorithm for a scheme and whether `key` may use it: in TLS 1.3 the ECDSA
 * scheme names the curve (§4.2.3), and rsa_pss_rsae_* takes an rsaEncryption key.
 */
export function schemeAlgorithm(scheme: number, key?: PublicKey): SignatureAlgorithm | null {
  const ok = (kind: PublicKey["kind"], curve?: string) =>
    key === undefined ||
    (key.kind === kind && (curve === undefined || (key.kind === "ec" && key.curve === curve)));
  switch (scheme) {
    case SignatureScheme.ecdsaSecp256r1Sha256:
      return ok("ec", "p256") ? { kind: "ecdsa", hash: "sha256", encoding: "der" } : null;
    case SignatureScheme.ecdsaSecp384r1Sha384:
      return ok("ec", "p384") ? { kind: "ecdsa", hash: "sha384", encoding: "der" } : null;
    case SignatureScheme.ed25519:
      return ok("ed25519") ? { kind: "ed25519" } : null;
    case SignatureScheme.rsaPssRsaeSha256:
      return ok("rsa") ? { kind: "rsa-pss", hash: "sha256" } : null;
    case SignatureScheme.rsaPssRsaeSha384:
      return ok("rsa") ? { kind: "rsa-pss", hash: "sha384" } : null;
    case SignatureScheme.rsaPssRsaeSha512:
      return ok("rsa") ? { kind: "rsa-pss", hash: "sha512" } : null;
    default:
      return null;
  }
}
