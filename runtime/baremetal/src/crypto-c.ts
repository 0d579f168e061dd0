/**
 * The board's C crypto provider: the hot primitives (SHA-2, HMAC, AES-GCM, ChaCha20-Poly1305,
 * X25519, P-256/P-384 ECDH and ECDSA, RSA PKCS#1 v1.5 and PSS verification) run as C compiled
 * into the image from BearSSL (xs/xs_crypto.c), behind the same interface as the portable
 * provider. What BearSSL lacks (Ed25519, RSA signing, RSA keys over 4096 bits) falls back to
 * the portable provider. Randomness is the caller's Random (the board's seeded generator):
 * the C side never draws any.
 */
import {
  AEAD_KEY_LENGTH,
  AEAD_NONCE_LENGTH,
  type AeadAlgorithm,
  type AeadKey,
  type CryptoProvider,
  CURVE_BYTES,
  createNobleProvider,
  type EcdhGroup,
  HASH_LENGTH,
  type HashAlgorithm,
  type HashContext,
  type PublicKey,
  type SignatureAlgorithm,
} from "@morgana/stack/crypto";
import type { Random } from "@morgana/stack/devices";

/** The C functions (xs_crypto.h), installed on `__morganaBoard` beside the devices' own. */
export interface CryptoHost {
  cryptoHashNew(hash: number): ArrayBuffer;
  cryptoHashUpdate(hash: number, state: ArrayBuffer, data: ArrayBuffer): void;
  cryptoHashDigest(hash: number, state: ArrayBuffer): ArrayBuffer;
  cryptoHash(hash: number, data: ArrayBuffer): ArrayBuffer;
  cryptoHmac(hash: number, key: ArrayBuffer, data: ArrayBuffer): ArrayBuffer;
  cryptoAeadSeal(
    aead: number,
    key: ArrayBuffer,
    nonce: ArrayBuffer,
    aad: ArrayBuffer,
    plaintext: ArrayBuffer,
  ): ArrayBuffer;
  cryptoAeadOpen(
    aead: number,
    key: ArrayBuffer,
    nonce: ArrayBuffer,
    aad: ArrayBuffer,
    sealed: ArrayBuffer,
  ): ArrayBuffer | null;
  cryptoEcdhPublic(group: number, privateKey: ArrayBuffer): ArrayBuffer | null;
  cryptoEcdhShared(group: number, privateKey: ArrayBuffer, peer: ArrayBuffer): ArrayBuffer | null;
  cryptoEcdsaSign(
    group: number,
    hash: number,
    digest: ArrayBuffer,
    d: ArrayBuffer,
    der: boolean,
  ): ArrayBuffer;
  /** `signature` is raw r || s. */
  cryptoEcdsaVerify(
    group: number,
    digest: ArrayBuffer,
    point: ArrayBuffer,
    signature: ArrayBuffer,
  ): boolean;
  cryptoRsaPkcs1Verify(
    hash: number,
    n: ArrayBuffer,
    e: ArrayBuffer,
    signature: ArrayBuffer,
    digest: ArrayBuffer,
  ): boolean;
  cryptoRsaPssVerify(
    hash: number,
    n: ArrayBuffer,
    e: ArrayBuffer,
    signature: ArrayBuffer,
    digest: ArrayBuffer,
    saltLength: number,
  ): boolean;
}

/** The numbers xs_crypto.c uses for hashes, groups and AEADs. */
const HASH_ID: Readonly<Record<HashAlgorithm, number>> = { sha256: 0, sha384: 1, sha512: 2 };
const GROUP_ID: Readonly<Record<EcdhGroup, number>> = { x25519: 0, p256: 1, p384: 2 };
const AEAD_ID: Readonly<Record<AeadAlgorithm, number>> = {
  "aes-128-gcm": 0,
  "aes-256-gcm": 0,
  "chacha20-poly1305": 1,
};

/** The C functions, or null when this image was built without them. */
export function cryptoHost(): CryptoHost | null {
  const host = globalThis.__morganaBoard as Partial<CryptoHost> | undefined;
  return typeof host?.cryptoHash === "function" ? (host as CryptoHost) : null;
}

/** The whole ArrayBuffer of a view: the view's own when it covers it all, else a copy. */
function ab(u: Uint8Array): ArrayBuffer {
  const b = u.buffer as ArrayBuffer;
  return u.byteOffset === 0 && u.byteLength === b.byteLength
    ? b
    : (u.slice().buffer as ArrayBuffer);
}

const bytes = (b: ArrayBuffer) => new Uint8Array(b);
const orNull = (b: ArrayBuffer | null) => (b === null ? null : new Uint8Array(b));

function hashId(algorithm: HashAlgorithm): number {
  const id = HASH_ID[algorithm];
  if (id === undefined) throw new RangeError(`unknown hash ${String(algorithm)}`);
  return id;
}

function groupId(group: EcdhGroup): number {
  const id = GROUP_ID[group];
  if (id === undefined) throw new RangeError(`unknown group ${String(group)}`);
  return id;
}

/** A running hash whose state is an ArrayBuffer of C's hash context: clone is a copy. */
class CHashContext implements HashContext {
  constructor(
    private readonly host: CryptoHost,
    private readonly id: number,
    private readonly state: ArrayBuffer,
  ) {}
  update(data: Uint8Array): HashContext {
    this.host.cryptoHashUpdate(this.id, this.state, ab(data));
    return this;
  }
  digest(): Uint8Array {
    return bytes(this.host.cryptoHashDigest(this.id, this.state));
  }
  clone(): HashContext {
    return new CHashContext(this.host, this.id, this.state.slice(0));
  }
}

/**
 * A DER ECDSA-Sig-Value (RFC 5480 §2.2: SEQUENCE { r INTEGER, s INTEGER }) as raw r || s of
 * `len` bytes each, or null unless it is strict DER: minimal lengths, minimal positive
 * integers, nothing after. (BearSSL's own reader accepts more; the portable provider does not.)
 */
export function derToRaw(sig: Uint8Array, len: number): Uint8Array | null {
  let at = 0;
  const byte = () => (at < sig.length ? (sig[at++] as number) : -1);
  const length = (): number => {
    const first = byte();
    if (first < 0x80) return first; // short form (or -1 at the end)
    if (first !== 0x81) return -1; // an ECDSA signature is under 256 bytes
    const n = byte();
    return n >= 0x80 ? n : -1; // long form only when short form cannot say it
  };
  const integer = (out: Uint8Array, offset: number): boolean => {
    if (byte() !== 0x02) return false;
    const n = length();
    if (n < 1 || at + n > sig.length) return false;
    let v = sig.subarray(at, at + n);
    at += n;
    if (((v[0] as number) & 0x80) !== 0) return false; // negative
    if (v[0] === 0 && n > 1 && ((v[1] as number) & 0x80) === 0) return false; // not minimal
    if (v[0] === 0 && n > 1) v = v.subarray(1);
    if (v.length > len) return false;
    out.set(v, offset + len - v.length);
    return true;
  };
  if (byte() !== 0x30) return null;
  const body = length();
  if (body < 0 || at + body !== sig.length) return null;
  const raw = new Uint8Array(2 * len);
  if (!integer(raw, 0) || !integer(raw, len) || at !== sig.length) return null;
  return raw;
}

/** Smallest RSA modulus accepted (stack/crypto/rsa.ts's RSA_MIN_BITS), and BearSSL's largest. */
const RSA_MIN_BITS = 1024;
const RSA_MAX_BITS = 4096;

function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i] as number));
}

/** The checks both providers make on an RSA public key before using it. */
function rsaKeyUsable(key: { n: Uint8Array; e: Uint8Array }): boolean {
  const bits = bitLength(key.n);
  const e = key.e;
  const eBits = bitLength(e);
  const odd = e.length > 0 && ((e[e.length - 1] as number) & 1) === 1;
  return bits >= RSA_MIN_BITS && odd && (eBits > 2 || (eBits === 2 && e[e.length - 1] === 3));
}

/**
 * A provider on the image's C functions (`host`, from cryptoHost()), drawing randomness from
 * `random`; what C lacks goes to the portable provider on the same `random`.
 */
export function createCProvider(random: Random, host: CryptoHost): CryptoProvider {
  const portable = createNobleProvider(random);
  const fill = (buf: Uint8Array) => random.fill(buf);
  const hash = (algorithm: HashAlgorithm, data: Uint8Array) =>
    bytes(host.cryptoHash(hashId(algorithm), ab(data)));
  const hmac = (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array) =>
    bytes(host.cryptoHmac(hashId(algorithm), ab(key), ab(data)));

  const aead = (algorithm: AeadAlgorithm, key: Uint8Array): AeadKey => {
    const id = AEAD_ID[algorithm];
    if (id === undefined) throw new RangeError(`unknown AEAD ${algorithm}`);
    if (key.length !== AEAD_KEY_LENGTH[algorithm]) {
      throw new RangeError(`${algorithm} takes a ${AEAD_KEY_LENGTH[algorithm]}-byte key`);
    }
    const k = key.slice().buffer as ArrayBuffer;
    const checkNonce = (nonce: Uint8Array) => {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AEAD nonce must be 12 bytes");
    };
    return {
      algorithm,
      seal(nonce, aad, plaintext) {
        checkNonce(nonce);
        return bytes(host.cryptoAeadSeal(id, k, ab(nonce), ab(aad), ab(plaintext)));
      },
      open(nonce, aad, sealed) {
        checkNonce(nonce);
        return orNull(host.cryptoAeadOpen(id, k, ab(nonce), ab(aad), ab(sealed)));
      },
    };
  };

  const verify = (
    algorithm: SignatureAlgorithm,
    key: PublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean => {
    try {
      switch (algorithm.kind) {
        case "ecdsa": {
          if (key.kind !== "ec") return false;
          const len = CURVE_BYTES[key.curve];
          const raw = algorithm.encoding === "der" ? derToRaw(signature, len) : signature;
          if (raw === null || raw.length !== 2 * len) return false;
          const digest = hash(algorithm.hash, message);
          return host.cryptoEcdsaVerify(groupId(key.curve), ab(digest), ab(key.point), ab(raw));
        }
        case "rsa-pkcs1":
        case "rsa-pss": {
          if (key.kind !== "rsa" || !rsaKeyUsable(key)) return false;
          if (bitLength(key.n) > RSA_MAX_BITS) {
            return portable.verify(algorithm, key, message, signature);
          }
          const id = hashId(algorithm.hash);
          const digest = ab(hash(algorithm.hash, message));
          if (algorithm.kind === "rsa-pkcs1") {
            return host.cryptoRsaPkcs1Verify(id, ab(key.n), ab(key.e), ab(signature), digest);
          }
          const salt = algorithm.saltLength ?? HASH_LENGTH[algorithm.hash];
          return host.cryptoRsaPssVerify(id, ab(key.n), ab(key.e), ab(signature), digest, salt);
        }
        default:
          return portable.verify(algorithm, key, message, signature);
      }
    } catch {
      return false;
    }
  };

  const provider: CryptoProvider = {
    name: "bearssl",
    // BearSSL's constant-time AES has no AES instructions to use on the Cortex-A8: its
    // AES-128-GCM ran at 3.6 MB/s against ChaCha20-Poly1305's 16.4 MB/s (ARM code, QEMU, 16 KiB
    // records; docs/board.md).
    aeadPreference: ["chacha20-poly1305"],
    hash,
    createHash(algorithm) {
      const id = hashId(algorithm);
      return new CHashContext(host, id, host.cryptoHashNew(id));
    },
    hmac,
    hkdfExtract(algorithm, salt, ikm) {
      // RFC 5869 §2.2: an absent salt is HashLen zeros.
      const s = salt.length === 0 ? new Uint8Array(HASH_LENGTH[algorithm]) : salt;
      return hmac(algorithm, s, ikm);
    },
    hkdfExpand(algorithm, prk, info, length) {
      const hLen = HASH_LENGTH[algorithm];
      if (hLen === undefined) throw new RangeError(`unknown hash ${String(algorithm)}`);
      if (length > 255 * hLen) throw new RangeError("HKDF-Expand length too large");
      // RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) || info || i).
      const out = new Uint8Array(length);
      let t = new Uint8Array(0);
      for (let i = 1, at = 0; at < length; i++) {
        const input = new Uint8Array(t.length + info.length + 1);
        input.set(t, 0);
        input.set(info, t.length);
        input[input.length - 1] = i;
        t = hmac(algorithm, prk, input);
        out.set(t.subarray(0, Math.min(hLen, length - at)), at);
        at += hLen;
      }
      return out;
    },
    aead,
    ecdhGenerate(group) {
      for (;;) {
        const privateKey = fill(new Uint8Array(group === "p384" ? 48 : 32));
        const publicKey = provider.ecdhPublicKey(group, privateKey);
        if (publicKey) return { group, privateKey, publicKey };
      }
    },
    ecdhPublicKey(group, privateKey) {
      return orNull(host.cryptoEcdhPublic(groupId(group), ab(privateKey)));
    },
    ecdhSharedSecret(group, privateKey, peer) {
      return orNull(host.cryptoEcdhShared(groupId(group), ab(privateKey), ab(peer)));
    },
    verify,
    sign(algorithm, key, message) {
      if (algorithm.kind !== "ecdsa") return portable.sign(algorithm, key, message);
      if (key.kind !== "ec") throw new TypeError("ECDSA needs an EC key");
      const digest = hash(algorithm.hash, message);
      const der = algorithm.encoding === "der";
      return bytes(
        host.cryptoEcdsaSign(
          groupId(key.curve),
          hashId(algorithm.hash),
          ab(digest),
          ab(key.d),
          der,
        ),
      );
    },
    generateSigningKey(kind) {
      if (kind === "ed25519") return portable.generateSigningKey(kind);
      const { privateKey, publicKey } = provider.ecdhGenerate(kind);
      return {
        privateKey: { kind: "ec", curve: kind, d: privateKey },
        publicKey: { kind: "ec", curve: kind, point: publicKey },
      };
    },
    randomFill: fill,
  };
  return provider;
}

/**
 * The board's providers by name: "c" (the default: the C primitives above, the portable
 * provider for the rest) or "noble" (portable only, as before the C provider existed).
 */
export type BoardCrypto = "c" | "noble";

/** The provider `kind` on `random` (the board's seeded generator). */
export function createBoardProvider(kind: BoardCrypto, random: Random): CryptoProvider {
  if (kind === "noble") return createNobleProvider(random);
  if (kind !== "c") throw new RangeError(`unknown board crypto provider "${String(kind)}"`);
  const host = cryptoHost();
  if (!host) {
    throw new Error(
      'crypto: this image has no C crypto functions (xs_crypto.c); relink it, or ask for "noble"',
    );
  }
  return createCProvider(random, host);
}
