/**
 * RSA key pairs for the crypto tests run under XS, which cannot make them: crypto-c.test.ts
 * generates them on Node and bundles a module with them in place of this empty one.
 */
import type { PrivateKey, PublicKey } from "../../../stack/crypto/provider.ts";

export const RSA_KEYS: Record<number, { privateKey: PrivateKey; publicKey: PublicKey }> = {};
