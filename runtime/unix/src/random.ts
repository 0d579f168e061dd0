import { webcrypto } from "node:crypto";
import type { Random } from "@morgana/stack/devices";

/** getRandomValues takes at most 65536 bytes per call. */
const MAX_CHUNK = 65536;

/** The unix random device: the host's CSPRNG through Web Crypto. */
export function createRandom(): Random {
  return {
    fill(buf) {
      for (let off = 0; off < buf.length; off += MAX_CHUNK) {
        webcrypto.getRandomValues(buf.subarray(off, Math.min(buf.length, off + MAX_CHUNK)));
      }
      return buf;
    },
  };
}
