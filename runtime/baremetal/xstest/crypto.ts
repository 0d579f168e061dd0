/** `node:crypto`'s createHash("sha256"), for tests run under XS (runtime/mem's kv uses it). */
import { createNobleProvider } from "@morgana/stack/crypto";

/** The stack's portable provider, for its hash alone (hashing draws no randomness). */
const noble = createNobleProvider({
  fill() {
    throw new Error("createHash under XS draws no randomness");
  },
});

export function createHash(algorithm: string) {
  if (algorithm !== "sha256") throw new Error(`createHash: only sha256 under XS, not ${algorithm}`);
  const chunks: Uint8Array[] = [];
  const hash = {
    update(data: string | Uint8Array) {
      chunks.push(typeof data === "string" ? new TextEncoderLite().encode(data) : data);
      return hash;
    },
    digest(encoding?: "hex") {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      const out = noble.hash("sha256", all);
      if (encoding !== "hex") return out;
      return [...out].map((b) => b.toString(16).padStart(2, "0")).join("");
    },
  };
  return hash;
}

/** UTF-8 encoding (XS has no TextEncoder). */
export class TextEncoderLite {
  encode(s: string): Uint8Array {
    const bytes: number[] = [];
    for (const ch of s) {
      const c = ch.codePointAt(0) as number;
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else
        bytes.push(
          0xf0 | (c >> 18),
          0x80 | ((c >> 12) & 63),
          0x80 | ((c >> 6) & 63),
          0x80 | (c & 63),
        );
    }
    return new Uint8Array(bytes);
  }
}
