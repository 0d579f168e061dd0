/** The providers under test, each built the way a target builds it. */
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { ensureNativeAead } from "../../../runtime/unix/build/aead.ts";
import { createNodeCryptoProvider } from "../../../runtime/unix/src/crypto.ts";
import type { NativeAead } from "../../../runtime/unix/src/native_aead.ts";
import { createNobleProvider } from "../../../stack/crypto/noble.ts";
import type { CryptoProvider, PrivateKey, PublicKey } from "../../../stack/crypto/provider.ts";
import type { Random } from "../../../stack/devices/random.ts";
import { rng } from "../../helpers/rng.ts";

/** A seeded Random device, so a failing run reproduces. */
export function seededRandom(seed: number): Random {
  const next = rng(seed);
  return {
    fill(buf) {
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(next() * 256);
      return buf;
    },
  };
}

/**
 * The record AEAD addon Node targets build (runtime/unix/native/aead.c). Setup installs the C
 * compiler it needs, so failing to build it here fails the tests rather than skipping them.
 */
function nativeAead(): NativeAead {
  const built = ensureNativeAead();
  if (!("path" in built)) throw new Error(`the native AEAD addon: ${built.error} ${built.hint}`);
  return createRequire(import.meta.url)(built.path) as NativeAead;
}

/** node:crypto as Node targets build it: record protection through the native AEAD. */
export const nodeWithNativeAead: CryptoProvider = {
  ...createNodeCryptoProvider({ aead: nativeAead() }),
  name: "node, native AEAD",
};

export const providers: CryptoProvider[] = [
  createNobleProvider(seededRandom(0x5eed)),
  createNodeCryptoProvider(),
  nodeWithNativeAead,
];

function fromB64u(s: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(s ?? "", "base64url"));
}

/** An RSA key pair from the host, in the provider's shape. */
export function rsaKeyPair(bits: number): { privateKey: PrivateKey; publicKey: PublicKey } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const j = privateKey.export({ format: "jwk" });
  const n = fromB64u(j.n);
  const e = fromB64u(j.e);
  return {
    privateKey: {
      kind: "rsa",
      n,
      e,
      d: fromB64u(j.d),
      p: fromB64u(j.p),
      q: fromB64u(j.q),
      dp: fromB64u(j.dp),
      dq: fromB64u(j.dq),
      qi: fromB64u(j.qi),
    },
    publicKey: { kind: "rsa", n, e },
  };
}
