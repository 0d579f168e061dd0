/** The crypto providers the X.509 tests run through: the portable one and node:crypto. */
import { webcrypto } from "node:crypto";
import { createNodeCryptoProvider } from "../../../runtime/unix/src/crypto.ts";
import { type CryptoProvider, createNobleProvider } from "../../../stack/crypto/index.ts";

export const noble: CryptoProvider = createNobleProvider({
  fill: (b) => webcrypto.getRandomValues(b),
});
export const node: CryptoProvider = createNodeCryptoProvider();
export const PROVIDERS: readonly CryptoProvider[] = [noble, node];
