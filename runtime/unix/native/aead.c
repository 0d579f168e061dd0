/*
 * morgana-aead: TLS record protection for the node:crypto provider, on the OpenSSL inside
 * the running Node (its libcrypto symbols; no library of our own is linked).
 *
 * Why: node:crypto creates a new Cipher object for every record (createCipheriv is its only
 * AEAD interface), and under OpenSSL 3 each one fetches the cipher again: 3-5 us per record,
 * several times the AES-GCM work on a 600-byte record. Here one EVP_CIPHER_CTX lives as long
 * as the record key and each record only sets a new nonce. Same algorithms, same library as
 * node:crypto; the TypeScript side (runtime/unix/src/native_aead.ts) falls back to
 * createCipheriv when this addon is absent.
 *
 * Interface (N-API, so one build serves every Node version with the same OpenSSL ABI):
 *   key(algorithm: 0 aes-128-gcm | 1 aes-256-gcm | 2 chacha20-poly1305, key, encrypt) -> ctx
 *   seal(ctx, nonce, aad, buf): buf is plaintext then 16 spare bytes; sealed in place, the
 *     tag written into the spare bytes. Returns true.
 *   open(ctx, nonce, aad, input, output) -> bool: input is ciphertext then tag; the plaintext
 *     goes to output (input.length - 16 bytes; it may be input itself). false on a bad tag.
 * Misuse (wrong types or lengths) throws a JavaScript TypeError/RangeError; nothing here
 * reads or writes outside the arrays it was given.
 */
#include <node_api.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAG 16
#define NONCE 12

static void free_ctx(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_CIPHER_CTX_free((EVP_CIPHER_CTX *)data);
}

/* Arguments arrive already counted; these return false with a pending exception on misuse. */
static bool bytes(napi_env env, napi_value v, uint8_t **data, size_t *len, const char *what) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    napi_throw_type_error(env, NULL, what);
    return false;
  }
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, what);
    return false;
  }
  /* A zero-length view may have no backing store; callers only use len bytes. */
  static uint8_t empty[1];
  *data = p ? (uint8_t *)p : empty;
  return true;
}

static bool context(napi_env env, napi_value v, EVP_CIPHER_CTX **ctx) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, v, (void **)ctx) != napi_ok || *ctx == NULL) {
    napi_throw_type_error(env, NULL, "not an AEAD key");
    return false;
  }
  return true;
}

static napi_value boolean(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

static napi_value key(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, "key(algorithm, key, encrypt)");
    return NULL;
  }
  int32_t alg = -1;
  bool enc = false;
  uint8_t *k;
  size_t klen;
  if (napi_get_value_int32(env, argv[0], &alg) != napi_ok ||
      napi_get_value_bool(env, argv[2], &enc) != napi_ok) {
    napi_throw_type_error(env, NULL, "key(algorithm, key, encrypt)");
    return NULL;
  }
  if (!bytes(env, argv[1], &k, &klen, "key must be a Uint8Array")) return NULL;
  const EVP_CIPHER *cipher = alg == 0   ? EVP_aes_128_gcm()
                             : alg == 1 ? EVP_aes_256_gcm()
                             : alg == 2 ? EVP_chacha20_poly1305()
                                        : NULL;
  if (cipher == NULL) {
    napi_throw_range_error(env, NULL, "unknown AEAD algorithm");
    return NULL;
  }
  if (klen != (size_t)EVP_CIPHER_get_key_length(cipher)) {
    napi_throw_range_error(env, NULL, "wrong AEAD key length");
    return NULL;
  }
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL || EVP_CipherInit_ex(ctx, cipher, NULL, k, NULL, enc ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    napi_throw_error(env, NULL, "OpenSSL could not set up the AEAD key");
    return NULL;
  }
  napi_value r;
  if (napi_create_external(env, ctx, free_ctx, NULL, &r) != napi_ok) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return r;
}

/* One record: the nonce, the additional data, then the body in place (in == out). */
static bool begin(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, size_t aadlen) {
  int outl;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, -1) != 1) return false;
  return aadlen == 0 || EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen) == 1;
}

static napi_value seal(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  EVP_CIPHER_CTX *ctx;
  uint8_t *nonce, *aad, *buf;
  size_t nlen, alen, blen;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) {
    napi_throw_type_error(env, NULL, "seal(key, nonce, aad, buf)");
    return NULL;
  }
  if (!context(env, argv[0], &ctx) || !bytes(env, argv[1], &nonce, &nlen, "nonce") ||
      !bytes(env, argv[2], &aad, &alen, "aad") || !bytes(env, argv[3], &buf, &blen, "buf"))
    return NULL;
  if (nlen != NONCE || blen < TAG || blen - TAG > INT32_MAX || alen > INT32_MAX) {
    napi_throw_range_error(env, NULL, "seal: a 12-byte nonce and room for the tag");
    return NULL;
  }
  int n = (int)(blen - TAG), outl = 0, finl = 0;
  if (!begin(ctx, nonce, aad, alen) || (n > 0 && EVP_CipherUpdate(ctx, buf, &outl, buf, n) != 1) ||
      EVP_CipherFinal_ex(ctx, buf + outl, &finl) != 1 || outl + finl != n ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, buf + n) != 1) {
    napi_throw_error(env, NULL, "OpenSSL could not seal the record");
    return NULL;
  }
  return boolean(env, true);
}

static napi_value open_(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  EVP_CIPHER_CTX *ctx;
  uint8_t *nonce, *aad, *in, *out;
  size_t nlen, alen, ilen, olen;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_type_error(env, NULL, "open(key, nonce, aad, input, output)");
    return NULL;
  }
  if (!context(env, argv[0], &ctx) || !bytes(env, argv[1], &nonce, &nlen, "nonce") ||
      !bytes(env, argv[2], &aad, &alen, "aad") || !bytes(env, argv[3], &in, &ilen, "input") ||
      !bytes(env, argv[4], &out, &olen, "output"))
    return NULL;
  if (nlen != NONCE || ilen < TAG || olen != ilen - TAG || olen > INT32_MAX ||
      alen > INT32_MAX) {
    napi_throw_range_error(env, NULL, "open: a 12-byte nonce and output = input - 16 bytes");
    return NULL;
  }
  int n = (int)olen, outl = 0, finl = 0;
  /* The tag is copied out first: output may be input, and the body overwrites itself only. */
  uint8_t tag[TAG];
  for (int i = 0; i < TAG; i++) tag[i] = in[n + i];
  if (!begin(ctx, nonce, aad, alen) || (n > 0 && EVP_CipherUpdate(ctx, out, &outl, in, n) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, tag) != 1)
    return boolean(env, false);
  bool ok = EVP_CipherFinal_ex(ctx, out + outl, &finl) == 1 && outl + finl == n;
  /* A forged record's plaintext never reaches the caller. */
  if (!ok)
    for (int i = 0; i < n; i++) out[i] = 0;
  return boolean(env, ok);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"key", NULL, key, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
