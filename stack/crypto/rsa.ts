/**
 * RSA signatures per RFC 8017 on BigInt, for the portable provider: RSASSA-PKCS1-v1_5
 * (§8.2) and RSASSA-PSS with MGF1 (§8.1, §9.1, appendix B.2.1), verification and signing.
 *
 * BigInt arithmetic is not constant-time: signing here suits development and boards without a
 * native provider; Node targets sign with `node:crypto`.
 */
import { concatBytes, equalBytes } from "../bytes/index.ts";
import type { HashAlgorithm } from "./provider.ts";
import { HASH_LENGTH } from "./provider.ts";

export type HashFn = (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array;

/** OS2IP (RFC 8017 §4.2). */
export function os2ip(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/** I2OSP (RFC 8017 §4.1); null if `x` does not fit in `len` bytes ("integer too large"). */
export function i2osp(x: bigint, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let v = x;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return v === 0n ? out : null;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    e >>= 1n;
    if (e > 0n) b = (b * b) % mod;
  }
  return result;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** DigestInfo DER prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<HashAlgorithm, string> = {
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2); null if the modulus is too short. */
function emsaPkcs1v15(hash: HashFn, alg: HashAlgorithm, message: Uint8Array, emLen: number) {
  const t = concatBytes([hexBytes(DIGEST_INFO_PREFIX[alg]), hash(alg, message)]);
  if (emLen < t.length + 11) return null;
  const em = new Uint8Array(emLen);
  em[1] = 0x01;
  em.fill(0xff, 2, emLen - t.length - 1);
  em.set(t, emLen - t.length);
  return em;
}

/** MGF1 (RFC 8017 appendix B.2.1). */
function mgf1(hash: HashFn, alg: HashAlgorithm, seed: Uint8Array, maskLen: number): Uint8Array {
  const hLen = HASH_LENGTH[alg];
  const out = new Uint8Array(Math.ceil(maskLen / hLen) * hLen);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  for (let counter = 0, at = 0; at < maskLen; counter++, at += hLen) {
    block[seed.length] = counter >>> 24;
    block[seed.length + 1] = (counter >>> 16) & 0xff;
    block[seed.length + 2] = (counter >>> 8) & 0xff;
    block[seed.length + 3] = counter & 0xff;
    out.set(hash(alg, block), at);
  }
  return out.subarray(0, maskLen);
}

/** RSAVP1 (RFC 8017 §5.2.2): s^e mod n, or null if s is out of range. */
function rsavp1(n: bigint, e: bigint, signature: Uint8Array, k: number): bigint | null {
  // §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets long.
  if (signature.length !== k) return null;
  const s = os2ip(signature);
  if (s >= n) return null;
  return modPow(s, e, n);
}

export interface RsaPublic {
  n: Uint8Array;
  e: Uint8Array;
}

export interface RsaPrivate extends RsaPublic {
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qi: Uint8Array;
}

function modulus(key: RsaPublic) {
  const n = os2ip(key.n);
  const e = os2ip(key.e);
  const modBits = bitLength(n);
  return { n, e, modBits, k: Math.ceil(modBits / 8) };
}

/** Smallest modulus accepted, in bits: below it a key is too weak to trust. */
export const RSA_MIN_BITS = 1024;

/** RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2). */
export function rsaPkcs1Verify(
  hash: HashFn,
  alg: HashAlgorithm,
  key: RsaPublic,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const { n, e, modBits, k } = modulus(key);
  if (modBits < RSA_MIN_BITS || e < 3n || (e & 1n) === 0n) return false;
  const m = rsavp1(n, e, signature, k);
  if (m === null) return false;
  const em = i2osp(m, k);
  const expected = emsaPkcs1v15(hash, alg, message, k);
  return em !== null && expected !== null && equalBytes(em, expected);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2), MGF1 with `alg`. */
export function rsaPssVerify(
  hash: HashFn,
  alg: HashAlgorithm,
  saltLength: number,
  key: RsaPublic,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const { n, e, modBits, k } = modulus(key);
  if (modBits < RSA_MIN_BITS || e < 3n || (e & 1n) === 0n) return false;
  const m = rsavp1(n, e, signature, k);
  if (m === null) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = i2osp(m, emLen);
  if (em === null) return false;
  const hLen = HASH_LENGTH[alg];
  const mHash = hash(alg, message);
  if (emLen < hLen + saltLength + 2) return false; // §9.1.2 step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const maskedDB = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  const topMask = (0xff << (8 - topBits)) & 0xff;
  if (((maskedDB[0] as number) & topMask) !== 0) return false; // step 6
  const dbMask = mgf1(hash, alg, h, emLen - hLen - 1);
  const db = new Uint8Array(maskedDB.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDB[i] as number) ^ (dbMask[i] as number);
  db[0] = (db[0] as number) & ~topMask & 0xff; // step 9
  const psLen = emLen - hLen - saltLength - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false; // step 10
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const mPrime = concatBytes([new Uint8Array(8), mHash, salt]);
  return equalBytes(hash(alg, mPrime), h);
}

/** RSASP1 with the CRT (RFC 8017 §5.2.1, case 2.b), checked by re-verifying. */
function rsasp1(key: RsaPrivate, em: Uint8Array, k: number): Uint8Array {
  const m = os2ip(em);
  const p = os2ip(key.p);
  const q = os2ip(key.q);
  const m1 = modPow(m, os2ip(key.dp), p);
  const m2 = modPow(m, os2ip(key.dq), q);
  const h = (((m1 - m2) % p) + p) % p;
  const s = m2 + q * ((os2ip(key.qi) * h) % p);
  const { n, e } = modulus(key);
  // A fault in the CRT computation would leak a factor of n: verify before releasing.
  if (modPow(s, e, n) !== m % n) throw new Error("RSA signing fault");
  const out = i2osp(s, k);
  if (out === null) throw new Error("RSA signature does not fit the modulus");
  return out;
}

/** RSASSA-PKCS1-v1_5-SIGN (RFC 8017 §8.2.1). */
export function rsaPkcs1Sign(
  hash: HashFn,
  alg: HashAlgorithm,
  key: RsaPrivate,
  message: Uint8Array,
): Uint8Array {
  const { k } = modulus(key);
  const em = emsaPkcs1v15(hash, alg, message, k);
  if (em === null) throw new RangeError("RSA modulus too short for this hash");
  return rsasp1(key, em, k);
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1) with EMSA-PSS-ENCODE (§9.1.1). */
export function rsaPssSign(
  hash: HashFn,
  alg: HashAlgorithm,
  salt: Uint8Array,
  key: RsaPrivate,
  message: Uint8Array,
): Uint8Array {
  const { modBits, k } = modulus(key);
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = HASH_LENGTH[alg];
  if (emLen < hLen + salt.length + 2) throw new RangeError("RSA modulus too short for PSS");
  const mHash = hash(alg, message);
  const h = hash(alg, concatBytes([new Uint8Array(8), mHash, salt]));
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 0x01;
  db.set(salt, db.length - salt.length);
  const dbMask = mgf1(hash, alg, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (dbMask[i] as number);
  const topBits = 8 * emLen - emBits;
  db[0] = (db[0] as number) & (0xff >> topBits);
  const em = concatBytes([db, h, Uint8Array.of(0xbc)]);
  // EM is emLen octets; RSASP1 works on k octets (emLen is k or k-1).
  return rsasp1(key, em, k);
}
