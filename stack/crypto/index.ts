/** Crypto providers: one interface (provider.ts), a portable implementation on @noble (noble.ts). */
export { createNobleProvider } from "./noble.ts";
export {
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
  randomBytes,
  type SignatureAlgorithm,
  sealByCopy,
} from "./provider.ts";
