/*
 * The C crypto host functions (xs_crypto.c, on BearSSL). xs_host.c puts CRYPTO_FUNCTIONS in
 * its table of host functions, so they are installed on `__morganaBoard` and listed for heap
 * snapshots like every other host function. This header needs only XS's headers.
 */
#ifndef MORGANA_XS_CRYPTO_H
#define MORGANA_XS_CRYPTO_H

void crypto_hash_new(txMachine *the);
void crypto_hash_update(txMachine *the);
void crypto_hash_digest(txMachine *the);
void crypto_hash(txMachine *the);
void crypto_hmac(txMachine *the);
void crypto_aead_seal(txMachine *the);
void crypto_aead_open(txMachine *the);
void crypto_ecdh_public(txMachine *the);
void crypto_ecdh_shared(txMachine *the);
void crypto_ecdsa_sign(txMachine *the);
void crypto_ecdsa_verify(txMachine *the);
void crypto_rsa_pkcs1_verify(txMachine *the);
void crypto_rsa_pss_verify(txMachine *the);

/* Entries for a { name, function, argument count } table; names as ../src/crypto-c.ts uses. */
#define CRYPTO_FUNCTIONS                                                                    \
  {"cryptoHashNew", crypto_hash_new, 1}, {"cryptoHashUpdate", crypto_hash_update, 3},       \
      {"cryptoHashDigest", crypto_hash_digest, 2}, {"cryptoHash", crypto_hash, 2},          \
      {"cryptoHmac", crypto_hmac, 3}, {"cryptoAeadSeal", crypto_aead_seal, 5},              \
      {"cryptoAeadOpen", crypto_aead_open, 5}, {"cryptoEcdhPublic", crypto_ecdh_public, 2}, \
      {"cryptoEcdhShared", crypto_ecdh_shared, 3},                                          \
      {"cryptoEcdsaSign", crypto_ecdsa_sign, 5},                                            \
      {"cryptoEcdsaVerify", crypto_ecdsa_verify, 4},                                        \
      {"cryptoRsaPkcs1Verify", crypto_rsa_pkcs1_verify, 5},                                 \
      {"cryptoRsaPssVerify", crypto_rsa_pss_verify, 6}

#endif
