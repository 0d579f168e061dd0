/**
 * The node:crypto provider: the same interface as the portable one (stack/crypto), on
 * OpenSSL through Node, for speed on Node targets. Keys cross into Node as JWK or as fixed
 * PKCS #8 / SPKI prefixes (RFC 8410 for X25519 and Ed25519).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  ECDH,
  type Hash,
  type JsonWebKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  randomFillSync,
} from "node:crypto";
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
  HASH_LENGTH,
  type HashAlgorithm,
  type HashContext,
  type PrivateKey,
  type PublicKey,
  type SignatureAlgorithm,
  sealByCopy,
} from "@morgana/stack/crypto";
import { type NativeAead, nativeAeadKey } from "./native_aead.ts";

const OPENSSL_CURVE: Record<Curve, string> = { p256: "prime256v1", p384: "secp384r1" };
const JWK_CURVE: Record<Curve, string> = { p256: "P-256", p384: "P-384" };
/** PKCS #8 headers for 32-byte X25519 / Ed25519 private keys (RFC 8410 §7). */
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const ED25519_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");

function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function b64u(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start)).toString("base64url");
}

function b64uFixed(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

class NodeHashContext implements HashContext {
  constructor(private readonly h: Hash) {}
  update(data: Uint8Array): HashContext {
    this.h.update(data);
    return this;
  }
  digest(): Uint8Array {
    return u8(this.h.digest());
  }
  clone(): HashContext {
    return new NodeHashContext(this.h.copy());
  }
}

function checkHash(algorithm: HashAlgorithm): HashAlgorithm {
  if (HASH_LENGTH[algorithm] === undefined) throw new RangeError(`unknown hash ${algorithm}`);
  return algorithm;
}

function nodeAead(algorithm: AeadAlgorithm, key: Uint8Array): AeadKey {
  if (AEAD_KEY_LENGTH[algorithm] === undefined) throw new RangeError(`unknown AEAD ${algorithm}`);
  if (key.length !== AEAD_KEY_LENGTH[algorithm]) {
    throw new RangeError(`${algorithm} takes a ${AEAD_KEY_LENGTH[algorithm]}-byte key`);
  }
  const k = Buffer.from(key);
  // No options object: OpenSSL's GCM and ChaCha20-Poly1305 tags are 16 bytes by default, and
  // plaintextLength is for CCM only; checking options costs more than the cipher on a small
  // record. A Cipher object per record is node:crypto's only interface (no reusable context).
  // biome-ignore lint/suspicious/noExplicitAny: Node's overloads split GCM and ChaCha types
  const cipher = (nonce: Uint8Array): any => createCipheriv(algorithm as any, k, nonce);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const decipher = (nonce: Uint8Array): any => createDecipheriv(algorithm as any, k, nonce);
  const checkNonce = (nonce: Uint8Array) => {
    if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AEAD nonce must be 12 bytes");
  };
  const sealInPlace = (nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array) => {
    checkNonce(nonce);
    const n = buf.length - AEAD_TAG_LENGTH;
    if (n < 0) throw new RangeError("no room for the tag");
    const c = cipher(nonce);
    c.setAAD(aad);
    const body: Buffer = c.update(buf.subarray(0, n));
    buf.set(body, 0);
    const fin: Buffer = c.final();
    if (fin.length > 0) buf.set(fin, body.length);
    buf.set(c.getAuthTag(), n);
  };
  return {
    algorithm,
    seal: sealByCopy(sealInPlace),
    sealInPlace,
    open(nonce, aad, ciphertext) {
      checkNonce(nonce);
      if (ciphertext.length < AEAD_TAG_LENGTH) return null;
      const n = ciphertext.length - AEAD_TAG_LENGTH;
      try {
        const d = decipher(nonce);
        d.setAAD(aad);
        d.setAuthTag(ciphertext.subarray(n));
        const body: Buffer = d.update(ciphertext.subarray(0, n));
        const fin: Buffer = d.final();
        if (fin.length === 0) return u8(body);
        return u8(Buffer.concat([body, fin]));
      } catch {
        return null;
      }
    },
  };
}

function ecPoint(curve: Curve, point: Uint8Array): Uint8Array {
  if (point[0] === 0x02 || point[0] === 0x03) {
    return u8(
      ECDH.convertKey(point, OPENSSL_CURVE[curve], undefined, undefined, "uncompressed") as Buffer,
    );
  }
  return point;
}

function publicKeyObject(key: PublicKey): KeyObject {
  switch (key.kind) {
    case "ec": {
      const n = CURVE_BYTES[key.curve];
      const p = ecPoint(key.curve, key.point);
      if (p.length !== 1 + 2 * n || p[0] !== 4) throw new RangeError("bad EC point");
      const jwk: JsonWebKey = {
        kty: "EC",
        crv: JWK_CURVE[key.curve],
        x: b64uFixed(p.subarray(1, 1 + n)),
        y: b64uFixed(p.subarray(1 + n)),
      };
      return createPublicKey({ key: jwk, format: "jwk" });
    }
    case "ed25519":
      return createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: b64uFixed(key.key) },
        format: "jwk",
      });
    case "rsa":
      return createPublicKey({
        key: { kty: "RSA", n: b64u(key.n), e: b64u(key.e) },
        format: "jwk",
      });
  }
}

/** Key objects made once per key: importing a JWK costs more than a signature. */
const privateKeyObjects = new WeakMap<PrivateKey, KeyObject>();

function privateKeyObject(key: PrivateKey): KeyObject {
  let k = privateKeyObjects.get(key);
  if (!k) {
    k = makePrivateKeyObject(key);
    privateKeyObjects.set(key, k);
  }
  return k;
}

function makePrivateKeyObject(key: PrivateKey): KeyObject {
  switch (key.kind) {
    case "ec": {
      const ecdh = createECDH(OPENSSL_CURVE[key.curve]);
      ecdh.setPrivateKey(key.d);
      const p = ecdh.getPublicKey();
      const n = CURVE_BYTES[key.curve];
      return createPrivateKey({
        key: {
          kty: "EC",
          crv: JWK_CURVE[key.curve],
          d: b64uFixed(key.d),
          x: b64uFixed(p.subarray(1, 1 + n)),
          y: b64uFixed(p.subarray(1 + n)),
        },
        format: "jwk",
      });
    }
    case "ed25519":
      return createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8, key.seed]),
        format: "der",
        type: "pkcs8",
      });
    case "rsa":
      return createPrivateKey({
        key: {
          kty: "RSA",
          n: b64u(key.n),
          e: b64u(key.e),
          d: b64u(key.d),
          p: b64u(key.p),
          q: b64u(key.q),
          dp: b64u(key.dp),
          dq: b64u(key.dq),
          qi: b64u(key.qi),
        },
        format: "jwk",
      });
  }
}

/** Node's options for one signature algorithm. */
function signOptions(algorithm: SignatureAlgorithm) {
  switch (algorithm.kind) {
    case "ecdsa":
      return {
        hash: algorithm.hash,
        opts: { dsaEncoding: algorithm.encoding === "der" ? "der" : "ieee-p1363" } as const,
      };
    case "ed25519":
      return { hash: null, opts: {} };
    case "rsa-pkcs1":
      return { hash: algorithm.hash, opts: { padding: constants.RSA_PKCS1_PADDING } };
    case "rsa-pss":
      return {
        hash: algorithm.hash,
        opts: {
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: algorithm.saltLength ?? HASH_LENGTH[algorithm.hash],
        },
      };
  }
}

function kindMatches(algorithm: SignatureAlgorithm, key: PublicKey | PrivateKey): boolean {
  switch (algorithm.kind) {
    case "ecdsa":
      return key.kind === "ec";
    case "ed25519":
      return key.kind === "ed25519";
    default:
      return key.kind === "rsa";
  }
}

/** An ephemeral key is used twice (public key, then the shared secret): import it once. */
const x25519Keys = new WeakMap<Uint8Array, KeyObject>();

function x25519Private(privateKey: Uint8Array): KeyObject {
  let k = x25519Keys.get(privateKey);
  if (!k) {
    k = importX25519(privateKey);
    x25519Keys.set(privateKey, k);
  }
  return k;
}

/**
 * A raw X25519 scalar as a key object. As a JWK it goes to OpenSSL's raw-key constructor;
 * as PKCS #8 DER it goes through OpenSSL 3's decoder chain, which cost 5-6 times more (over a
 * millisecond, a third of a handshake's CPU in bench/tls.ts). Node requires the JWK's `x` to
 * be a string but derives the public key from `d`; should a Node check `x`, DER still works.
 */
function importX25519(d: Uint8Array): KeyObject {
  try {
    return createPrivateKey({
      key: { kty: "OKP", crv: "X25519", d: b64uFixed(d), x: "" },
      format: "jwk",
    });
  } catch {
    return createPrivateKey({
      key: Buffer.concat([X25519_PKCS8, d]),
      format: "der",
      type: "pkcs8",
    });
  }
}

/**
 * The node:crypto provider. With `aead` (runtime/unix/native/aead.c, loaded by
 * loadNativeAead), record protection goes through one OpenSSL context per key instead of a
 * Cipher object per record; everything else is node:crypto either way.
 */
export function createNodeCryptoProvider(options: { aead?: NativeAead } = {}): CryptoProvider {
  const addon = options.aead;
  const provider: CryptoProvider = {
    name: "node",
    hash(algorithm, data) {
      return u8(createHash(checkHash(algorithm)).update(data).digest());
    },
    createHash(algorithm) {
      return new NodeHashContext(createHash(checkHash(algorithm)));
    },
    hmac(algorithm, key, data) {
      return u8(createHmac(checkHash(algorithm), key).update(data).digest());
    },
    hkdfExtract(algorithm, salt, ikm) {
      const s = salt.length === 0 ? new Uint8Array(HASH_LENGTH[algorithm]) : salt;
      return u8(createHmac(checkHash(algorithm), s).update(ikm).digest());
    },
    hkdfExpand(algorithm, prk, info, length) {
      const hLen = HASH_LENGTH[checkHash(algorithm)];
      if (length > 255 * hLen) throw new RangeError("HKDF-Expand length too large");
      // RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) | info | i).
      const out = new Uint8Array(Math.ceil(length / hLen) * hLen);
      let prev: Uint8Array = new Uint8Array(0);
      for (let i = 1, at = 0; at < length; i++, at += hLen) {
        const h = createHmac(algorithm, prk);
        h.update(prev);
        h.update(info);
        h.update(Uint8Array.of(i));
        prev = u8(h.digest());
        out.set(prev, at);
      }
      return out.slice(0, length);
    },
    aead: addon ? (algorithm, key) => nativeAeadKey(addon, algorithm, key) : nodeAead,

    ecdhGenerate(group) {
      for (;;) {
        const privateKey = randomFillSync(new Uint8Array(group === "p384" ? 48 : 32));
        const publicKey = provider.ecdhPublicKey(group, privateKey);
        if (publicKey) return { group, privateKey, publicKey };
      }
    },
    ecdhPublicKey(group: EcdhGroup, privateKey) {
      try {
        if (group === "x25519") {
          if (privateKey.length !== 32) return null;
          const jwk = x25519Private(privateKey).export({ format: "jwk" });
          const pub = u8(Buffer.from(jwk.x ?? "", "base64url"));
          return pub.length === 32 ? pub : null;
        }
        if (privateKey.length !== CURVE_BYTES[group]) return null;
        const ecdh = createECDH(OPENSSL_CURVE[group]);
        ecdh.setPrivateKey(privateKey);
        return u8(ecdh.getPublicKey());
      } catch {
        return null;
      }
    },
    ecdhSharedSecret(group, privateKey, peer) {
      try {
        if (group === "x25519") {
          if (peer.length !== 32 || privateKey.length !== 32) return null;
          const publicKey = createPublicKey({
            key: { kty: "OKP", crv: "X25519", x: b64uFixed(peer) },
            format: "jwk",
          });
          const s = u8(diffieHellman({ privateKey: x25519Private(privateKey), publicKey }));
          let acc = 0;
          for (const b of s) acc |= b;
          return acc === 0 ? null : s; // RFC 7748 §6.1
        }
        if (peer.length !== 1 + 2 * CURVE_BYTES[group] || peer[0] !== 4) return null;
        const ecdh = createECDH(OPENSSL_CURVE[group]);
        ecdh.setPrivateKey(privateKey);
        return u8(ecdh.computeSecret(peer));
      } catch {
        return null;
      }
    },

    verify(algorithm, key, message, signature) {
      if (!kindMatches(algorithm, key)) return false;
      try {
        if (key.kind === "rsa" && key.n.length > 0) {
          // Same floor as the portable provider: no RSA below 1024 bits.
          let start = 0;
          while (start < key.n.length && key.n[start] === 0) start++;
          const bits = (key.n.length - start - 1) * 8 + 32 - Math.clz32(key.n[start] ?? 0);
          if (bits < 1024) return false;
          if (signature.length !== key.n.length - start) return false;
        }
        const { hash, opts } = signOptions(algorithm);
        return nodeVerify(hash, message, { key: publicKeyObject(key), ...opts }, signature);
      } catch {
        return false;
      }
    },
    sign(algorithm, key, message) {
      if (!kindMatches(algorithm, key)) throw new TypeError("key does not fit the algorithm");
      const { hash, opts } = signOptions(algorithm);
      return u8(nodeSign(hash, message, { key: privateKeyObject(key), ...opts }));
    },
    generateSigningKey(kind) {
      if (kind === "ed25519") {
        const seed = randomFillSync(new Uint8Array(32));
        const pub = createPublicKey(privateKeyObject({ kind: "ed25519", seed })).export({
          format: "jwk",
        });
        return {
          privateKey: { kind: "ed25519", seed },
          publicKey: { kind: "ed25519", key: u8(Buffer.from(pub.x as string, "base64url")) },
        };
      }
      const ecdh = createECDH(OPENSSL_CURVE[kind]);
      ecdh.generateKeys();
      const d = new Uint8Array(CURVE_BYTES[kind]);
      const raw = ecdh.getPrivateKey();
      d.set(raw, d.length - raw.length);
      return {
        privateKey: { kind: "ec", curve: kind, d },
        publicKey: { kind: "ec", curve: kind, point: u8(ecdh.getPublicKey()) },
      };
    },
    randomFill(buf) {
      return randomFillSync(buf);
    },
  };
  return provider;
}
