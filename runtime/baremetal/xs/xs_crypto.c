/*
 * The hot crypto primitives in C, from BearSSL (MIT, Debian's `bearssl` source package,
 * compiled by build/bearssl.ts): host functions on `__morganaBoard` named `crypto...`
 * (listed in xs_crypto.h, typed in ../src/crypto-c.ts, which wraps them behind the stack's
 * CryptoProvider interface).
 *
 * Contract, for every function: ArrayBuffers in (whole buffers; the JS side copies views),
 * a fresh ArrayBuffer, a boolean or null out. A wrong argument (length, algorithm number)
 * is a programming error and throws a RangeError or TypeError; input from the network that
 * fails a check answers null or false, as the provider interface says. Nothing here draws
 * randomness: keys come from JS, which draws them from the board's Random.
 *
 * XS may move ArrayBuffer data when it allocates, so each function allocates its result
 * first and takes pointers into its arguments only after the last allocation.
 */
#include "xsAll.h"
#include "xs.h"
#include "bearssl.h"
#include "xs_crypto.h"

/* Hash numbers, shared with crypto-c.ts. */
enum { H_SHA256 = 0, H_SHA384 = 1, H_SHA512 = 2 };
/* Groups and curves, shared with crypto-c.ts. */
enum { G_X25519 = 0, G_P256 = 1, G_P384 = 2 };
/* AEADs, shared with crypto-c.ts. */
enum { A_AES_GCM = 0, A_CHACHA20_POLY1305 = 1 };

#define MAX_HASH 64
#define TAG_LEN 16
#define NONCE_LEN 12

/* One union so a hash state of any algorithm fits, suitably aligned. */
typedef union {
  br_sha256_context sha256;
  br_sha512_context sha512; /* SHA-384 uses the same context type */
} hash_state;

static const br_hash_class *hash_class(txMachine *the, txInteger id) {
  switch (id) {
  case H_SHA256: return &br_sha256_vtable;
  case H_SHA384: return &br_sha384_vtable;
  case H_SHA512: return &br_sha512_vtable;
  default: xsRangeError("crypto: unknown hash %d", (int)id);
  }
  return NULL;
}

/* The size of the state a hash keeps in an ArrayBuffer. */
static size_t state_size(txInteger id) {
  return id == H_SHA256 ? sizeof(br_sha256_context) : sizeof(br_sha512_context);
}

static size_t hash_len(const br_hash_class *h) {
  return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static txInteger arg_int(txMachine *the, int i) {
  return xsToInteger(xsArg(i));
}

static txInteger buf_len(txMachine *the, int i) {
  return xsGetArrayBufferLength(xsArg(i));
}

static uint8_t *buf(txMachine *the, int i) {
  return xsToArrayBuffer(xsArg(i));
}

/*
 * hashNew(hash): a fresh state, as an ArrayBuffer the JS side owns (cloning a running
 * transcript hash is then ArrayBuffer.slice). The state's vtable pointer is never called:
 * updates go through the per-algorithm functions chosen by `hash`.
 */
void crypto_hash_new(txMachine *the) {
  txInteger id = arg_int(the, 0);
  const br_hash_class *h = hash_class(the, id);
  hash_state st;
  h->init(&st.sha256.vtable);
  xsResult = xsArrayBuffer(&st, (txInteger)state_size(id));
}

/* Copies a state out of its buffer (any alignment), after checking its size. */
static void load_state(txMachine *the, txInteger id, hash_state *st) {
  hash_class(the, id);
  if ((size_t)buf_len(the, 1) != state_size(id)) xsRangeError("crypto: not a hash state");
  c_memcpy(st, buf(the, 1), state_size(id));
  /* The vtable comes from `id`, never from the buffer's bytes. */
  st->sha256.vtable = hash_class(the, id);
}

/* hashUpdate(hash, state, data): feeds `data` into the state, in place. */
void crypto_hash_update(txMachine *the) {
  txInteger id = arg_int(the, 0);
  hash_state st;
  load_state(the, id, &st);
  st.sha256.vtable->update(&st.sha256.vtable, buf(the, 2), (size_t)buf_len(the, 2));
  c_memcpy(buf(the, 1), &st, state_size(id));
}

/* hashDigest(hash, state): the digest of everything fed so far (the state is unchanged). */
void crypto_hash_digest(txMachine *the) {
  txInteger id = arg_int(the, 0);
  hash_state st;
  uint8_t out[MAX_HASH];
  load_state(the, id, &st);
  st.sha256.vtable->out(&st.sha256.vtable, out);
  xsResult = xsArrayBuffer(out, (txInteger)hash_len(st.sha256.vtable));
}

/* hash(hash, data): one-shot. */
void crypto_hash(txMachine *the) {
  const br_hash_class *h = hash_class(the, arg_int(the, 0));
  hash_state st;
  uint8_t out[MAX_HASH];
  h->init(&st.sha256.vtable);
  h->update(&st.sha256.vtable, buf(the, 1), (size_t)buf_len(the, 1));
  h->out(&st.sha256.vtable, out);
  xsResult = xsArrayBuffer(out, (txInteger)hash_len(h));
}

/* hmac(hash, key, data): RFC 2104; HKDF (RFC 5869) is built on it in JS. */
void crypto_hmac(txMachine *the) {
  const br_hash_class *h = hash_class(the, arg_int(the, 0));
  br_hmac_key_context kc;
  br_hmac_context hc;
  uint8_t out[MAX_HASH];
  br_hmac_key_init(&kc, h, buf(the, 1), (size_t)buf_len(the, 1));
  br_hmac_init(&hc, &kc, 0);
  br_hmac_update(&hc, buf(the, 2), (size_t)buf_len(the, 2));
  size_t n = br_hmac_out(&hc, out);
  xsResult = xsArrayBuffer(out, (txInteger)n);
}

/*
 * The AEAD run shared by seal and open: `data` (in place) of `len` bytes, the tag into
 * `tag`. The AES key schedule is made per call: it costs microseconds in C and keeps no C
 * state alive between calls.
 */
static void aead_run(txInteger kind, const uint8_t *key, size_t key_len,
                     const uint8_t *nonce, const uint8_t *aad, size_t aad_len, uint8_t *data,
                     size_t len, uint8_t *tag, int encrypt) {
  if (kind == A_CHACHA20_POLY1305) {
    br_poly1305_ctmul_run(key, nonce, data, len, aad, aad_len, tag, br_chacha20_ct_run,
                          encrypt);
    return;
  }
  br_aes_ct_ctr_keys aes;
  br_gcm_context gcm;
  br_aes_ct_ctr_init(&aes, key, key_len);
  br_gcm_init(&gcm, &aes.vtable, br_ghash_ctmul);
  br_gcm_reset(&gcm, nonce, NONCE_LEN);
  br_gcm_aad_inject(&gcm, aad, aad_len);
  br_gcm_flip(&gcm);
  br_gcm_run(&gcm, encrypt, data, len);
  br_gcm_get_tag(&gcm, tag);
}

static void check_aead(txMachine *the, txInteger kind) {
  txInteger key_len = buf_len(the, 1);
  if (kind == A_CHACHA20_POLY1305) {
    if (key_len != 32) xsRangeError("crypto: ChaCha20-Poly1305 takes a 32-byte key");
  } else if (kind == A_AES_GCM) {
    if (key_len != 16 && key_len != 32) xsRangeError("crypto: AES-GCM takes a 16- or 32-byte key");
  } else {
    xsRangeError("crypto: unknown AEAD %d", (int)kind);
  }
  if (buf_len(the, 2) != NONCE_LEN) xsRangeError("crypto: the AEAD nonce takes 12 bytes");
}

/* aeadSeal(kind, key, nonce, aad, plaintext): ciphertext || tag. */
void crypto_aead_seal(txMachine *the) {
  txInteger kind = arg_int(the, 0);
  check_aead(the, kind);
  txInteger len = buf_len(the, 4);
  if (len > 0x7fffffff - TAG_LEN) xsRangeError("crypto: plaintext too long");
  xsResult = xsArrayBuffer(NULL, len + TAG_LEN);
  uint8_t *out = xsToArrayBuffer(xsResult);
  c_memcpy(out, buf(the, 4), (size_t)len);
  aead_run(kind, buf(the, 1), (size_t)buf_len(the, 1), buf(the, 2), buf(the, 3),
           (size_t)buf_len(the, 3), out, (size_t)len, out + len, 1);
}

/* aeadOpen(kind, key, nonce, aad, ciphertextAndTag): the plaintext, or null (bad tag). */
void crypto_aead_open(txMachine *the) {
  txInteger kind = arg_int(the, 0);
  check_aead(the, kind);
  txInteger total = buf_len(the, 4);
  if (total < TAG_LEN) {
    xsResult = xsNull;
    return;
  }
  txInteger len = total - TAG_LEN;
  xsResult = xsArrayBuffer(NULL, len);
  uint8_t *out = xsToArrayBuffer(xsResult);
  const uint8_t *in = buf(the, 4);
  uint8_t tag[TAG_LEN];
  c_memcpy(out, in, (size_t)len);
  aead_run(kind, buf(the, 1), (size_t)buf_len(the, 1), buf(the, 2), buf(the, 3),
           (size_t)buf_len(the, 3), out, (size_t)len, tag, 0);
  /* Constant-time tag comparison: the forger learns nothing from timing. */
  uint8_t diff = 0;
  for (int i = 0; i < TAG_LEN; i++) diff |= (uint8_t)(tag[i] ^ in[len + i]);
  if (diff != 0) {
    c_memset(out, 0, (size_t)len); /* no unauthenticated plaintext leaves */
    xsResult = xsNull;
  }
}

/* The BearSSL curve id and scalar length of a group; BearSSL's m31 code for each. */
static int curve_of(txMachine *the, txInteger group, size_t *scalar_len) {
  switch (group) {
  case G_X25519: *scalar_len = 32; return BR_EC_curve25519;
  case G_P256: *scalar_len = 32; return BR_EC_secp256r1;
  case G_P384: *scalar_len = 48; return BR_EC_secp384r1;
  default: xsRangeError("crypto: unknown group %d", (int)group);
  }
  return 0;
}

#define EC (&br_ec_all_m31)
#define MAX_POINT 97 /* 0x04 || X || Y on P-384 */

/*
 * Whether `x` is a valid P-256/P-384 private scalar: its curve's length, 0 < x < n.
 * BearSSL leaves out-of-range scalars undefined, so they never reach it. Constant time in
 * the scalar's value (a borrow chain, no early exit): x is a secret.
 */
static int scalar_ok(int curve, const uint8_t *x, size_t len, size_t want) {
  if (len != want) return 0;
  size_t olen;
  const uint8_t *order = EC->order(curve, &olen);
  if (olen != len) return 0;
  uint32_t nonzero = 0, borrow = 0;
  for (size_t i = len; i-- > 0;) {
    uint32_t d = (uint32_t)x[i] - (uint32_t)order[i] - borrow;
    borrow = d >> 31; /* x - n borrows out of the top byte exactly when x < n */
    nonzero |= x[i];
  }
  return (nonzero != 0) & (int)borrow;
}

/* ecdhPublic(group, privateKey): the public key, or null for an invalid private key. */
void crypto_ecdh_public(txMachine *the) {
  size_t slen;
  int curve = curve_of(the, arg_int(the, 0), &slen);
  const uint8_t *x = buf(the, 1);
  size_t xlen = (size_t)buf_len(the, 1);
  uint8_t out[MAX_POINT];
  if (curve == BR_EC_curve25519 ? xlen != 32 : !scalar_ok(curve, x, xlen, slen)) {
    xsResult = xsNull;
    return;
  }
  size_t n = EC->mulgen(out, x, xlen, curve);
  xsResult = n == 0 ? xsNull : xsArrayBuffer(out, (txInteger)n);
}

/*
 * ecdhShared(group, privateKey, peerPublicKey): the shared secret (the X coordinate on the
 * NIST curves, RFC 8446 §7.4.2), or null when the peer's key is invalid: wrong length or
 * form, not on the curve, or (X25519) all-zero output from a small-order point (RFC 7748 §6.1).
 */
void crypto_ecdh_shared(txMachine *the) {
  size_t slen;
  int curve = curve_of(the, arg_int(the, 0), &slen);
  const uint8_t *x = buf(the, 1);
  size_t xlen = (size_t)buf_len(the, 1);
  size_t plen = (size_t)buf_len(the, 2);
  uint8_t point[MAX_POINT];
  xsResult = xsNull;
  if (curve == BR_EC_curve25519) {
    if (xlen != 32 || plen != 32) return;
  } else {
    if (!scalar_ok(curve, x, xlen, slen)) return;
    if (plen != 1 + 2 * slen || buf(the, 2)[0] != 0x04) return; /* uncompressed only */
  }
  c_memcpy(point, buf(the, 2), plen);
  if (!EC->mul(point, plen, x, xlen, curve)) return;
  size_t olen;
  size_t off = EC->xoff(curve, &olen);
  if (curve == BR_EC_curve25519) {
    uint8_t acc = 0;
    for (size_t i = 0; i < 32; i++) acc |= point[i];
    if (acc == 0) return;
  }
  xsResult = xsArrayBuffer(point + off, (txInteger)olen);
}

/*
 * ecdsaSign(group, hash, digest, d, der): a deterministic signature (RFC 6979, BearSSL's
 * HMAC_DRBG keyed by d and the digest), DER (ECDSA-Sig-Value) or raw r || s.
 */
void crypto_ecdsa_sign(txMachine *the) {
  size_t slen;
  txInteger group = arg_int(the, 0);
  if (group == G_X25519) xsRangeError("crypto: ECDSA on X25519");
  int curve = curve_of(the, group, &slen);
  const br_hash_class *h = hash_class(the, arg_int(the, 1));
  int der = xsToBoolean(xsArg(4));
  if ((size_t)buf_len(the, 2) != hash_len(h)) xsRangeError("crypto: digest length");
  if (!scalar_ok(curve, buf(the, 3), (size_t)buf_len(the, 3), slen))
    xsRangeError("crypto: invalid ECDSA private key");
  uint8_t sig[2 * 48 + 9];
  br_ec_private_key sk = {curve, buf(the, 3), (size_t)buf_len(the, 3)};
  size_t n = der ? br_ecdsa_i31_sign_asn1(EC, h, buf(the, 2), &sk, sig)
                 : br_ecdsa_i31_sign_raw(EC, h, buf(the, 2), &sk, sig);
  if (n == 0) xsUnknownError("crypto: ECDSA signing failed");
  xsResult = xsArrayBuffer(sig, (txInteger)n);
}

/*
 * ecdsaVerify(group, digest, point, signature): whether the raw r || s signature is valid.
 * DER comes here already parsed (strictly) by crypto-c.ts: BearSSL's DER reader is lenient.
 */
void crypto_ecdsa_verify(txMachine *the) {
  size_t slen;
  txInteger group = arg_int(the, 0);
  if (group == G_X25519) xsRangeError("crypto: ECDSA on X25519");
  int curve = curve_of(the, group, &slen);
  size_t plen = (size_t)buf_len(the, 2);
  xsResult = xsFalse;
  if (plen != 1 + 2 * slen || buf(the, 2)[0] != 0x04) return;
  if ((size_t)buf_len(the, 3) != 2 * slen) return;
  uint8_t q[MAX_POINT];
  c_memcpy(q, buf(the, 2), plen);
  br_ec_public_key pk = {curve, q, plen};
  uint32_t ok = br_ecdsa_i31_vrfy_raw(EC, buf(the, 1), (size_t)buf_len(the, 1), &pk, buf(the, 3),
                                      2 * slen);
  xsResult = xsBoolean(ok == 1);
}

/* The largest modulus BearSSL's i31 code takes: BR_MAX_RSA_SIZE (4096 bits, src/inner.h). */
#define MAX_RSA_BYTES (4096 / 8)

/* The modulus without leading zeros; 0 when it is empty or larger than BearSSL takes. */
static size_t rsa_key(txMachine *the, br_rsa_public_key *pk) {
  const uint8_t *n = buf(the, 1);
  size_t nlen = (size_t)buf_len(the, 1);
  while (nlen > 0 && *n == 0) n++, nlen--;
  pk->n = (unsigned char *)n;
  pk->nlen = nlen;
  pk->e = buf(the, 2);
  pk->elen = (size_t)buf_len(the, 2);
  return nlen <= MAX_RSA_BYTES ? nlen : 0;
}

/*
 * rsaPkcs1Verify(hash, n, e, signature, digest): RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2).
 * The signature must be exactly as long as the modulus.
 */
void crypto_rsa_pkcs1_verify(txMachine *the) {
  txInteger id = arg_int(the, 0);
  const br_hash_class *h = hash_class(the, id);
  /* The DigestInfo OID BearSSL's verifier compares against (RFC 8017 §9.2 note 1). */
  const unsigned char *oid = id == H_SHA256   ? BR_HASH_OID_SHA256
                             : id == H_SHA384 ? BR_HASH_OID_SHA384
                                              : BR_HASH_OID_SHA512;
  br_rsa_public_key pk;
  size_t k = rsa_key(the, &pk);
  size_t dlen = hash_len(h);
  uint8_t got[MAX_HASH];
  xsResult = xsFalse;
  if (k == 0 || (size_t)buf_len(the, 3) != k || (size_t)buf_len(the, 4) != dlen) return;
  if (!br_rsa_i31_pkcs1_vrfy(buf(the, 3), k, oid, dlen, &pk, got)) return;
  uint8_t diff = 0;
  for (size_t i = 0; i < dlen; i++) diff |= (uint8_t)(got[i] ^ buf(the, 4)[i]);
  xsResult = xsBoolean(diff == 0);
}

/* MGF1 (RFC 8017 §B.2.1) XORed into `out`. */
static void mgf1_xor(const br_hash_class *h, const uint8_t *seed, size_t seed_len, uint8_t *out,
                     size_t len) {
  size_t hl = hash_len(h);
  hash_state st;
  uint8_t t[MAX_HASH];
  for (uint32_t c = 0, at = 0; at < len; c++) {
    uint8_t cb[4] = {(uint8_t)(c >> 24), (uint8_t)(c >> 16), (uint8_t)(c >> 8), (uint8_t)c};
    h->init(&st.sha256.vtable);
    h->update(&st.sha256.vtable, seed, seed_len);
    h->update(&st.sha256.vtable, cb, 4);
    h->out(&st.sha256.vtable, t);
    for (size_t i = 0; i < hl && at < len; i++, at++) out[at] ^= t[i];
  }
}

/*
 * rsaPssVerify(hash, n, e, signature, digest, saltLength): RSASSA-PSS with MGF1 of the same
 * hash (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2). BearSSL 0.6 has no PSS: the public-key
 * operation is BearSSL's, the encoding check is here.
 */
void crypto_rsa_pss_verify(txMachine *the) {
  const br_hash_class *h = hash_class(the, arg_int(the, 0));
  br_rsa_public_key pk;
  size_t k = rsa_key(the, &pk);
  size_t hl = hash_len(h);
  txInteger salt = arg_int(the, 5);
  uint8_t em[MAX_RSA_BYTES];
  xsResult = xsFalse;
  if (k == 0 || (size_t)buf_len(the, 3) != k || (size_t)buf_len(the, 4) != hl || salt < 0) return;
  c_memcpy(em, buf(the, 3), k);
  if (!br_rsa_i31_public(em, k, &pk)) return; /* also refuses a signature >= n */
  /* modBits - 1 bits of EM (§9.1.2 step 3): the top bits of the first byte must be zero. */
  size_t bits = 8 * k;
  for (uint8_t top = pk.n[0]; !(top & 0x80); top <<= 1) bits--;
  size_t em_bits = bits - 1;
  size_t em_len = (em_bits + 7) / 8;
  const uint8_t *e = em + (k - em_len);
  if (k > em_len && em[0] != 0) return;
  if (em_len < hl + (size_t)salt + 2 || e[em_len - 1] != 0xbc) return;
  size_t db_len = em_len - hl - 1;
  uint8_t *db = (uint8_t *)e; /* unmasked in place */
  const uint8_t *hh = e + db_len;
  uint8_t mask = (uint8_t)(0xff >> (8 * em_len - em_bits));
  if (db[0] & ~mask) return;
  mgf1_xor(h, hh, hl, db, db_len);
  db[0] &= mask;
  size_t ps = em_len - hl - (size_t)salt - 2;
  for (size_t i = 0; i < ps; i++)
    if (db[i] != 0) return;
  if (db[ps] != 0x01) return;
  /* H' = Hash(0x00 * 8 || mHash || salt) (§9.1.2 steps 12-13). */
  static const uint8_t zeros[8] = {0};
  hash_state st;
  uint8_t h2[MAX_HASH];
  h->init(&st.sha256.vtable);
  h->update(&st.sha256.vtable, zeros, 8);
  h->update(&st.sha256.vtable, buf(the, 4), hl);
  h->update(&st.sha256.vtable, db + db_len - (size_t)salt, (size_t)salt);
  h->out(&st.sha256.vtable, h2);
  uint8_t diff = 0;
  for (size_t i = 0; i < hl; i++) diff |= (uint8_t)(h2[i] ^ hh[i]);
  xsResult = xsBoolean(diff == 0);
}
