import type { Random } from "@morgana/stack/devices";
import { board } from "./host.ts";

/**
 * The board's random device: ChaCha20 keyed by the emulator's seed plus timer jitter
 * (platform/entropy.c). Without a seed it refuses: nothing that needs secrets (TLS) may
 * start on a predictable generator.
 */
export function createRandom(): Random {
  const host = board();
  return {
    fill(buf) {
      if (!host.randomFill(buf.buffer, buf.byteOffset, buf.byteLength)) {
        throw new Error(
          "random: the board was given no seed, so it has no randomness (boot it with the emulator, which places one)",
        );
      }
      return buf;
    },
  };
}
