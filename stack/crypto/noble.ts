/**
 * The portable provider, on the audited @noble libraries (pure JavaScript, any ES2022 engine):
 * the reference implementation and the one bare-metal targets use. RSA is ours (./rsa.ts).
 */

import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { expand, extract } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { Random } from "../devices/random.ts";
import {
  AEAD_KEY_LENGTH,
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  type AeadAlgorithm,
  type AeadKey,
  type CryptoProvider,
  CURVE_BYTES,
  type Curve,
  type EcdhGroup,
  type EcdhKeyPair,
  HASH_LENGTH,
  type HashAlgorithm,
  type HashContext,
  type PrivateKey,
  type PublicKey,
  type SignatureAlgorithm,
} from "./provider.ts";
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from "./rsa.ts";

const HASHES = { sha256, sha384, sha512 } as const;
const CURVES = { p256, p384 } as const;

type NobleHash = ReturnType<typeof sha256.create> | ReturnType<typeof sha512.create>;

class NobleHashContext implements HashContext {
  constructor(private readonly h: NobleHash) {}
  update(data: Uint8Array): HashContext {
    this.h.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.h.digest();
  }
  clone(): HashContext {
    return new NobleHashContext(this.h.clone() as NobleHash);
  }
}

function checkHash(algorithm: HashAlgorithm) {
  const h = HASHES[algorithm];
  if (!h) throw new RangeError(`unknown hash ${String(algorithm)}`);
  return h;
}

function nobleAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  if (AEAD_KEY_LENGTH[algorithm] === undefined) throw new RangeError(`unknown AEAD ${algorithm}`);
  if (key.length !== AEAD_KEY_LENGTH[algorithm]) {
    throw new RangeError(`${algorithm} takes a ${AEAD_KEY_LENGTH[algorithm]}-byte key`);
  }
  const k = key.slice();
  const chacha = algorithm === "chacha20-poly1305";
  const make = chacha ? chacha20poly1305 : gcm;
  const sealed: AeadKey = {
    algorithm,
    seal(nonce, aad, plaintext) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AEAD nonce must be 12 bytes");
      return make(k, nonce, aad).encrypt(plaintext);
    },
    open(nonce, aad, ciphertext) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AEAD nonce must be 12 bytes");
      if (ciphertext.length < AEAD_TAG_LENGTH) return null;
      try {
        return make(k, nonce, aad).decrypt(ciphertext);
      } catch {
        return null;
      }
    },
  };
  // @noble's ChaCha20-Poly1305 writes into a given output, which may be the input's own bytes;
  // its AES-GCM makes a new array, so that one goes through `seal`.
  if (chacha) {
    sealed.sealInPlace = (nonce, aad, buf) => {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AEAD nonce must be 12 bytes");
      if (buf.length < AEAD_TAG_LENGTH) throw new RangeError("no room for the tag");
      chacha20poly1305(k, nonce, aad).encrypt(buf.subarray(0, buf.length - AEAD_TAG_LENGTH), buf);
    };
  }
  return sealed;
}

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (const x of b) acc |= x;
  return acc === 0;
}

/** A P-256/P-384 public key share must be uncompressed (RFC 8446 §4.2.8.2). */
function isUncompressed(curve: Curve, point: Uint8Array): boolean {
  return point.length === 1 + 2 * CURVE_BYTES[curve] && point[0] === 0x04;
}

/** A portable provider drawing randomness from `random` (the target's seeded generator). */
export function createNobleProvider(random: Random): CryptoProvider {
  const fill = (buf: Uint8Array) => random.fill(buf);
  const hashFn = (algorithm: HashAlgorithm, data: Uint8Array) => checkHash(algorithm)(data);

  const provider: CryptoProvider = {
    name: "noble",
    // Pure-JavaScript AES-GCM builds its key schedule and GHASH table on every record; ChaCha20
    // needs neither and costs 1.5-4.4 times less per record here (docs/performance.md).
    aeadPreference: ["chacha20-poly1305"],
    hash: hashFn,
    createHash(algorithm) {
      return new NobleHashContext(checkHash(algorithm).create() as NobleHash);
    },
    hmac(algorithm, key, data) {
      return hmac(checkHash(algorithm), key, data);
    },
    hkdfExtract(algorithm, salt, ikm) {
      const h = checkHash(algorithm);
      return extract(h, ikm, salt.length === 0 ? new Uint8Array(HASH_LENGTH[algorithm]) : salt);
    },
    hkdfExpand(algorithm, prk, info, length) {
      if (length > 255 * HASH_LENGTH[algorithm])
        throw new RangeError("HKDF-Expand length too large");
      return expand(checkHash(algorithm), prk, info, length);
    },
    aead: nobleAead,

    ecdhGenerate(group): EcdhKeyPair {
      for (;;) {
        const privateKey = fill(new Uint8Array(group === "p384" ? 48 : 32));
        const publicKey = provider.ecdhPublicKey(group, privateKey);
        if (publicKey) return { group, privateKey, publicKey };
      }
    },
    ecdhPublicKey(group: EcdhGroup, privateKey) {
      try {
        if (group === "x25519") {
          return privateKey.length === 32 ? x25519.getPublicKey(privateKey) : null;
        }
        const c = CURVES[group];
        if (privateKey.length !== CURVE_BYTES[group] || !c.utils.isValidSecretKey(privateKey)) {
          return null;
        }
        return c.getPublicKey(privateKey, false);
      } catch {
        return null;
      }
    },
    ecdhSharedSecret(group, privateKey, peer) {
      try {
        if (group === "x25519") {
          if (peer.length !== 32 || privateKey.length !== 32) return null;
          const s = x25519.getSharedSecret(privateKey, peer);
          return isAllZero(s) ? null : s; // RFC 7748 §6.1, RFC 8446 §7.4.2
        }
        if (!isUncompressed(group, peer)) return null;
        const point = CURVES[group].getSharedSecret(privateKey, peer, true);
        return point.slice(1); // the X coordinate (RFC 8446 §7.4.2)
      } catch {
        return null;
      }
    },

    verify(algorithm: SignatureAlgorithm, key: PublicKey, message, signature) {
      try {
        switch (algorithm.kind) {
          case "ecdsa": {
            if (key.kind !== "ec") return false;
            const digest = hashFn(algorithm.hash, message);
            return CURVES[key.curve].verify(signature, digest, key.point, {
              prehash: false,
              lowS: false,
              format: algorithm.encoding === "der" ? "der" : "compact",
            });
          }
          case "ed25519":
            if (key.kind !== "ed25519" || key.key.length !== 32 || signature.length !== 64) {
              return false;
            }
            return ed25519.verify(signature, message, key.key, { zip215: false });
          case "rsa-pkcs1":
            if (key.kind !== "rsa") return false;
            return rsaPkcs1Verify(hashFn, algorithm.hash, key, message, signature);
          case "rsa-pss":
            if (key.kind !== "rsa") return false;
            return rsaPssVerify(
              hashFn,
              algorithm.hash,
              algorithm.saltLength ?? HASH_LENGTH[algorithm.hash],
              key,
              message,
              signature,
            );
        }
      } catch {
        return false;
      }
      return false;
    },
    sign(algorithm: SignatureAlgorithm, key: PrivateKey, message) {
      switch (algorithm.kind) {
        case "ecdsa": {
          if (key.kind !== "ec") throw new TypeError("ECDSA needs an EC key");
          const digest = hashFn(algorithm.hash, message);
          return CURVES[key.curve].sign(digest, key.d, {
            prehash: false,
            format: algorithm.encoding === "der" ? "der" : "compact",
          });
        }
        case "ed25519":
          if (key.kind !== "ed25519") throw new TypeError("Ed25519 needs an Ed25519 key");
          return ed25519.sign(message, key.seed);
        case "rsa-pkcs1":
          if (key.kind !== "rsa") throw new TypeError("RSA signing needs an RSA key");
          return rsaPkcs1Sign(hashFn, algorithm.hash, key, message);
        case "rsa-pss": {
          if (key.kind !== "rsa") throw new TypeError("RSA signing needs an RSA key");
          const salt = fill(new Uint8Array(algorithm.saltLength ?? HASH_LENGTH[algorithm.hash]));
          return rsaPssSign(hashFn, algorithm.hash, salt, key, message);
        }
      }
      throw new TypeError("unknown signature algorithm");
    },
    generateSigningKey(kind) {
      if (kind === "ed25519") {
        const seed = fill(new Uint8Array(32));
        return {
          privateKey: { kind: "ed25519", seed },
          publicKey: { kind: "ed25519", key: ed25519.getPublicKey(seed) },
        };
      }
      for (;;) {
        const d = fill(new Uint8Array(CURVE_BYTES[kind]));
        if (!CURVES[kind].utils.isValidSecretKey(d)) continue;
        return {
          privateKey: { kind: "ec", curve: kind, d },
          publicKey: { kind: "ec", curve: kind, point: CURVES[kind].getPublicKey(d, false) },
        };
      }
    },
    randomFill: fill,
  };
  return provider;
}
