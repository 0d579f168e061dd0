/**
 * The C crypto functions' own contract, under XS (crypto-c.test.ts runs this file there):
 * programming errors throw, views anywhere in a buffer work, hash states are independent
 * copies, big inputs agree with the portable provider. Not named *.test.ts: Node has no C side.
 */
import assert from "node:assert/strict";
import { createCProvider, cryptoHost } from "../../../runtime/baremetal/src/crypto-c.ts";
import { createNobleProvider } from "../../../stack/crypto/noble.ts";
import { seededRandom } from "./xs-crypto-providers.ts";

const host = cryptoHost();
if (!host) throw new Error("this XS runtime was linked without the C crypto functions");
const c = createCProvider(seededRandom(1), host);
const noble = createNobleProvider(seededRandom(2));

function bytes(n: number, seed: number): Uint8Array {
  return seededRandom(seed).fill(new Uint8Array(n));
}

describe("C crypto host functions (xs_crypto.c)", () => {
  it("refuse unknown algorithm numbers, foreign hash states and bad lengths with exceptions", () => {
    const data = new ArrayBuffer(3);
    assert.throws(() => host.cryptoHash(7, data), RangeError);
    assert.throws(() => host.cryptoHashUpdate(0, new ArrayBuffer(5), data), RangeError);
    // A SHA-384 state is not a SHA-256 one (their sizes differ).
    assert.throws(() => host.cryptoHashDigest(0, host.cryptoHashNew(1)), RangeError);
    const key = new ArrayBuffer(16);
    const nonce = new ArrayBuffer(12);
    assert.throws(() => host.cryptoAeadSeal(0, new ArrayBuffer(24), nonce, data, data), RangeError);
    assert.throws(() => host.cryptoAeadSeal(1, key, nonce, data, data), RangeError);
    assert.throws(() => host.cryptoAeadSeal(0, key, new ArrayBuffer(8), data, data), RangeError);
    assert.throws(() => host.cryptoAeadOpen(9, key, nonce, data, data), RangeError);
    assert.throws(() => host.cryptoEcdhPublic(3, new ArrayBuffer(32)), RangeError);
    assert.throws(() => host.cryptoEcdsaVerify(0, data, data, data), RangeError);
    assert.throws(() => host.cryptoHash(0, "not a buffer" as unknown as ArrayBuffer));
    // ECDSA signing with a scalar of zero is a programming error, not a signature.
    const digest = new ArrayBuffer(32);
    assert.throws(() => host.cryptoEcdsaSign(1, 0, digest, new ArrayBuffer(32), true), RangeError);
  });

  it("take views at any offset of a larger buffer, and never write through them", () => {
    const big = bytes(200, 3);
    const view = big.subarray(17, 150);
    const before = big.slice();
    assert.deepEqual(c.hash("sha256", view), noble.hash("sha256", view));
    const key = c.aead("aes-128-gcm", big.subarray(1, 17));
    const nonce = big.subarray(30, 42);
    const sealed = key.seal(nonce, big.subarray(0, 5), view);
    assert.deepEqual(
      sealed,
      noble.aead("aes-128-gcm", big.subarray(1, 17)).seal(nonce, big.subarray(0, 5), view),
    );
    assert.deepEqual(key.open(nonce, big.subarray(0, 5), sealed), view);
    assert.deepEqual(big, before);
  });

  it("keep hash states apart: a clone goes on alone, a digest does not end the state", () => {
    for (const alg of ["sha256", "sha384", "sha512"] as const) {
      const a = c.createHash(alg).update(bytes(100, 4));
      const b = a.clone();
      a.update(bytes(50, 5));
      const whole = new Uint8Array(150);
      whole.set(bytes(100, 4));
      whole.set(bytes(50, 5), 100);
      assert.deepEqual(a.digest(), noble.hash(alg, whole));
      assert.deepEqual(b.digest(), noble.hash(alg, bytes(100, 4)));
    }
  });

  it("agree with the portable provider on 64 KiB records and hashes", () => {
    const data = bytes(65536, 6);
    assert.deepEqual(c.hash("sha384", data), noble.hash("sha384", data));
    for (const alg of ["aes-256-gcm", "chacha20-poly1305"] as const) {
      const k = bytes(32, 7);
      const n = bytes(12, 8);
      const sealed = c.aead(alg, k).seal(n, bytes(13, 9), data);
      assert.deepEqual(sealed, noble.aead(alg, k).seal(n, bytes(13, 9), data), alg);
      assert.deepEqual(c.aead(alg, k).open(n, bytes(13, 9), sealed), data);
    }
  });
});
