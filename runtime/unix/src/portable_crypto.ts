import { type CryptoProvider, createNobleProvider } from "@morgana/stack/crypto";
import { createRandom } from "./random.ts";

/**
 * The portable provider (@noble, the same code every target can run) on the host's CSPRNG: a
 * tls device with `crypto: portable` gets this on unix and direct, to reproduce on a fast
 * development loop what the board's portable build does.
 */
export function createPortableCryptoProvider(): CryptoProvider {
  return createNobleProvider(createRandom());
}
