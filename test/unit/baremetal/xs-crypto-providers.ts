/**
 * The providers the stack's crypto tests (test/unit/crypto/) check when they run under XS
 * (crypto-c.test.ts bundles this module in place of their providers.ts): the portable one
 * and the C one (BearSSL, runtime/baremetal/xs/xs_crypto.c), in the roles the tests give
 * "noble" and "node".
 */
import { createCProvider, cryptoHost } from "../../../runtime/baremetal/src/crypto-c.ts";
import { createNobleProvider } from "../../../stack/crypto/noble.ts";
import type { CryptoProvider, PrivateKey, PublicKey } from "../../../stack/crypto/provider.ts";
import type { Random } from "../../../stack/devices/random.ts";
import { rng } from "../../helpers/rng.ts";
import { RSA_KEYS } from "./xs-crypto-fixtures.ts";

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

const host = cryptoHost();
if (!host) throw new Error("this XS runtime was linked without the C crypto functions");

export const providers: CryptoProvider[] = [
  createNobleProvider(seededRandom(0x5eed)),
  createCProvider(seededRandom(0xc0de), host),
];

/** An RSA key pair of `bits`, generated on Node before the bundle was made. */
export function rsaKeyPair(bits: number): { privateKey: PrivateKey; publicKey: PublicKey } {
  const pair = RSA_KEYS[bits];
  if (!pair) throw new Error(`no ${bits}-bit RSA key was generated for the XS run`);
  return pair;
}
