import type { CryptoProvider } from "@morgana/stack/crypto";
import { type BoardCrypto, createBoardProvider } from "./crypto-c.ts";
import { createRandom } from "./random.ts";

/**
 * The board's crypto provider: by default "c", the hot primitives in C (BearSSL, compiled
 * into the image; crypto-c.ts), or "noble", the portable one (@noble, plain ES2022), each
 * drawing every random byte from the board's Random device. That device refuses to serve
 * before the emulator's seed keyed it, so no key share or nonce is ever drawn from a
 * predictable source: the first handshake fails with the refusal instead.
 */
export function createCryptoProvider(kind: BoardCrypto = "c"): CryptoProvider {
  return createBoardProvider(kind, createRandom());
}
