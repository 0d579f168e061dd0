import type { CryptoProvider } from "@morgana/stack/crypto";
import { createNobleProvider } from "@morgana/stack/crypto";
import { createRandom } from "./random.ts";

/**
 * The board's crypto provider: the portable one (@noble, plain ES2022, runs under XS) drawing
 * every random byte from the board's Random device. That device refuses to serve before the
 * emulator's seed keyed it, so no key share or nonce is ever drawn from a predictable source:
 * the first handshake fails with the refusal instead.
 */
export function createCryptoProvider(): CryptoProvider {
  return createNobleProvider(createRandom());
}
