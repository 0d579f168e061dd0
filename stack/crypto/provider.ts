/**
 * The crypto provider: every primitive TLS and X.509 need, behind one interface, so a target
 * picks the implementation (portable `@noble` code for bare metal and as the reference,
 * `node:crypto` on Node targets for speed) and protocol code never imports a primitive itself.
 *
 * All operations are synchronous and never throw on bad *input from the network*: verification
 * answers false, opening a forged AEAD record answers null, an invalid peer key share answers
 * null. They throw only on programming errors (a key of the wrong length for the algorithm the
 * caller chose, an unknown algorithm name).
 *
 * Key and point encodings are the wire encodings TLS and X.509 use:
 * - X25519 / Ed25519: the 32 raw bytes of RFC 7748 §5 / RFC 8032 §5.1.5.
 * - P-256 / P-384 public points: SEC 1 §2.3.3 uncompressed (0x04 || X || Y), as in the
 *   TLS 1.3 key_share (RFC 8446 §4.2.8.2) and X.509 SubjectPublicKeyInfo (RFC 5480 §2.2).
 * - P-256 / P-384 private scalars and ECDH shared secrets: fixed-length big-endian
 *   (the X coordinate for ECDH, RFC 8446 §7.4.2).
 * - RSA integers: unsigned big-endian, leading zeros allowed.
 */

export type HashAlgorithm = "sha256" | "sha384" | "sha512";

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/** An incremental hash: TLS keeps one running transcript hash and snapshots it (`clone`). */
export interface HashContext {
  update(data: Uint8Array): HashContext;
  /** The digest of everything so far. The context must not be used after. */
  digest(): Uint8Array;
  /** An independent copy of the current state. */
  clone(): HashContext;
}

export type AeadAlgorithm = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";

/** Key lengths in bytes; every AEAD here takes a 12-byte nonce and makes a 16-byte tag. */
export const AEAD_KEY_LENGTH: Readonly<Record<AeadAlgorithm, number>> = {
  "aes-128-gcm": 16,
  "aes-256-gcm": 32,
  "chacha20-poly1305": 32,
};
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;

/** One AEAD key, made once per traffic key (RFC 5116 interface). */
export interface AeadKey {
  readonly algorithm: AeadAlgorithm;
  /** ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or null if the tag does not verify (or the input is shorter than a tag). */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /**
   * `seal` where the bytes lie: `buf` is the plaintext followed by AEAD_TAG_LENGTH spare
   * bytes; the plaintext becomes the ciphertext and the spare bytes the tag. The record layer
   * builds each record in one buffer (header, content, tag) and seals it there, with no
   * copy of the content between; a provider without it is called through `seal`.
   */
  sealInPlace?(nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array): void;
}

/** `seal` for a provider whose primitive works in place: a copy with room for the tag. */
export function sealByCopy(
  sealInPlace: (nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array) => void,
): AeadKey["seal"] {
  return (nonce, aad, plaintext) => {
    const out = new Uint8Array(plaintext.length + AEAD_TAG_LENGTH);
    out.set(plaintext);
    sealInPlace(nonce, aad, out);
    return out;
  };
}

export type EcdhGroup = "x25519" | "p256" | "p384";

export interface EcdhKeyPair {
  readonly group: EcdhGroup;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export type Curve = "p256" | "p384";

/** A public key as a SubjectPublicKeyInfo carries it, in the simplest form. */
export type PublicKey =
  | { kind: "ec"; curve: Curve; point: Uint8Array }
  | { kind: "ed25519"; key: Uint8Array }
  | { kind: "rsa"; n: Uint8Array; e: Uint8Array };

/** A private key for signing. RSA keys carry the CRT parts (RFC 8017 §3.2, second form). */
export type PrivateKey =
  | { kind: "ec"; curve: Curve; d: Uint8Array }
  | { kind: "ed25519"; seed: Uint8Array }
  | {
      kind: "rsa";
      n: Uint8Array;
      e: Uint8Array;
      d: Uint8Array;
      p: Uint8Array;
      q: Uint8Array;
      dp: Uint8Array;
      dq: Uint8Array;
      qi: Uint8Array;
    };

/**
 * A signature algorithm. ECDSA signatures come DER-encoded (X.509, TLS: ECDSA-Sig-Value,
 * RFC 5480 §2.2 / RFC 8446 §4.2.3) or raw (r || s, fixed length). RSA-PSS uses MGF1 with the
 * same hash; its salt length defaults to the hash length (what TLS 1.3 requires, RFC 8446 §4.2.3).
 */
export type SignatureAlgorithm =
  | { kind: "ecdsa"; hash: HashAlgorithm; encoding: "der" | "raw" }
  | { kind: "ed25519" }
  | { kind: "rsa-pkcs1"; hash: HashAlgorithm }
  | { kind: "rsa-pss"; hash: HashAlgorithm; saltLength?: number };

export interface CryptoProvider {
  /** A name for traces and benchmarks: "noble" or "node". */
  readonly name: string;

  hash(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  createHash(algorithm: HashAlgorithm): HashContext;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2); an empty salt means HashLen zeros. */
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3); `length` at most 255 * HashLen. */
  hkdfExpand(
    algorithm: HashAlgorithm,
    prk: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Uint8Array;

  aead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey;
  /**
   * The AEADs this provider runs fastest, fastest first, when the difference is large: TLS's
   * default cipher suite order follows it. Pure-JavaScript AES-GCM (no AES instructions, a
   * GHASH table per key) is several times slower than ChaCha20-Poly1305, so the portable
   * provider puts ChaCha20-Poly1305 first; OpenSSL's AES-GCM is fastest where the CPU has
   * AES instructions. Absent: the TLS defaults stand.
   */
  readonly aeadPreference?: readonly AeadAlgorithm[];

  /** A fresh key pair from the provider's random source. */
  ecdhGenerate(group: EcdhGroup): EcdhKeyPair;
  /**
   * The public key for a private key (so keys can come from an injected generator), or null
   * if the private key is not valid for the group (a P-256 scalar of 0 or >= n).
   */
  ecdhPublicKey(group: EcdhGroup, privateKey: Uint8Array): Uint8Array | null;
  /**
   * The shared secret, or null if the peer's key is invalid: not on the curve, the wrong
   * length or form, or (X25519) a small-order point giving all zeros (RFC 7748 §6.1,
   * RFC 8446 §7.4.2).
   */
  ecdhSharedSecret(
    group: EcdhGroup,
    privateKey: Uint8Array,
    peerPublicKey: Uint8Array,
  ): Uint8Array | null;

  /** Whether `signature` is valid for `message` under `key`. Never throws on bad input. */
  verify(
    algorithm: SignatureAlgorithm,
    key: PublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean;
  /** Signs `message` (hashing it as the algorithm says). RSA signing may be slow on "noble". */
  sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Uint8Array;
  /** A new signing key pair (EC and Ed25519; RSA key generation is not offered). */
  generateSigningKey(kind: Curve | "ed25519"): { privateKey: PrivateKey; publicKey: PublicKey };

  /** Fills `buf` with cryptographically strong random bytes and returns it. */
  randomFill(buf: Uint8Array): Uint8Array;
}

/** `n` random bytes from a provider. */
export function randomBytes(provider: CryptoProvider, n: number): Uint8Array {
  return provider.randomFill(new Uint8Array(n));
}

/** Field element / scalar length in bytes of each curve. */
export const CURVE_BYTES: Readonly<Record<Curve, number>> = { p256: 32, p384: 48 };
