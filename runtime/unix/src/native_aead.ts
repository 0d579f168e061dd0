/**
 * The node:crypto provider's record AEAD through runtime/unix/native/aead.c: one OpenSSL
 * context per record key, a new nonce per record, in place, instead of a Cipher object per
 * record (node:crypto's only AEAD interface, 3-5 us each under OpenSSL 3, several times the
 * cipher work on a small record). The same OpenSSL, so the same results (the provider tests
 * run through both).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  AEAD_KEY_LENGTH,
  AEAD_TAG_LENGTH,
  type AeadAlgorithm,
  type AeadKey,
  sealByCopy,
} from "@morgana/stack/crypto";

/** The addon's file name, beside the unikernel's bundle in dist/TARGET/. */
export const NATIVE_AEAD_FILE = "morgana-aead.node";

/** What aead.c exports (see there). Contexts are opaque and freed by the garbage collector. */
export interface NativeAead {
  key(algorithm: number, key: Uint8Array, encrypt: boolean): unknown;
  seal(ctx: unknown, nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array): boolean;
  open(
    ctx: unknown,
    nonce: Uint8Array,
    aad: Uint8Array,
    input: Uint8Array,
    output: Uint8Array,
  ): boolean;
}

const ALGORITHM: Record<AeadAlgorithm, number> = {
  "aes-128-gcm": 0,
  "aes-256-gcm": 1,
  "chacha20-poly1305": 2,
};

/**
 * The addon beside `bundleUrl` (the unikernel's import.meta.url), or undefined, saying so on
 * stderr once, when it is absent or this Node cannot load it: TLS then seals each record
 * through a new node:crypto Cipher, correct but slower.
 */
export function loadNativeAead(bundleUrl: string): NativeAead | undefined {
  const path = fileURLToPath(new URL(`./${NATIVE_AEAD_FILE}`, bundleUrl));
  try {
    return createRequire(bundleUrl)(path) as NativeAead;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" ? "missing" : String(e);
    process.stderr.write(
      `morgana: ${path}: ${why}; TLS records use a node:crypto Cipher each (slower). ` +
        "`morgana build` puts it there (it needs a C compiler).\n",
    );
    return undefined;
  }
}

/** One record key through the addon; the same contract as every provider's AeadKey. */
export function nativeAeadKey(
  addon: NativeAead,
  algorithm: AeadAlgorithm,
  key: Uint8Array,
): AeadKey {
  const id = ALGORITHM[algorithm];
  if (id === undefined) throw new RangeError(`unknown AEAD ${algorithm}`);
  if (key.length !== AEAD_KEY_LENGTH[algorithm]) {
    throw new RangeError(`${algorithm} takes a ${AEAD_KEY_LENGTH[algorithm]}-byte key`);
  }
  // A TLS record key protects one direction: each context is made on first use.
  const k = key.slice();
  let enc: unknown;
  let dec: unknown;
  const sealInPlace = (nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array) => {
    enc ??= addon.key(id, k, true);
    addon.seal(enc, nonce, aad, buf);
  };
  return {
    algorithm,
    seal: sealByCopy(sealInPlace),
    sealInPlace,
    open(nonce, aad, ciphertext) {
      if (ciphertext.length < AEAD_TAG_LENGTH) {
        if (nonce.length !== 12) throw new RangeError("AEAD nonce must be 12 bytes");
        return null;
      }
      dec ??= addon.key(id, k, false);
      const out = new Uint8Array(ciphertext.length - AEAD_TAG_LENGTH);
      return addon.open(dec, nonce, aad, ciphertext, out) ? out : null;
    },
  };
}
