/** The two providers agree on random inputs (fast-check, seeded). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { providers } from "./providers.ts";

const [noble, node] = providers as [(typeof providers)[0], (typeof providers)[0]];
/** Every provider but the reference (noble): node:crypto, with and without the native AEAD. */
const others = providers.slice(1);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const hashAlg = fc.constantFrom("sha256", "sha384", "sha512" as const);
const params = { numRuns: 60, seed: 7 };

describe("noble and node:crypto agree on random inputs", () => {
  it("hash, incremental hash split anywhere, HMAC", () => {
    fc.assert(
      fc.property(hashAlg, bytes(300), bytes(200), fc.nat(300), (alg, data, key, cut) => {
        const at = Math.min(cut, data.length);
        assert.deepEqual(noble.hash(alg, data), node.hash(alg, data));
        const inc = node.createHash(alg).update(data.subarray(0, at)).update(data.subarray(at));
        assert.deepEqual(inc.digest(), noble.hash(alg, data));
        assert.deepEqual(noble.hmac(alg, key, data), node.hmac(alg, key, data));
      }),
      params,
    );
  });
  it("HKDF extract and expand", () => {
    fc.assert(
      fc.property(
        hashAlg,
        bytes(80),
        bytes(80),
        bytes(40),
        fc.integer({ min: 1, max: 300 }),
        (alg, salt, ikm, info, len) => {
          const prk = noble.hkdfExtract(alg, salt, ikm);
          assert.deepEqual(prk, node.hkdfExtract(alg, salt, ikm));
          assert.deepEqual(
            noble.hkdfExpand(alg, prk, info, len),
            node.hkdfExpand(alg, prk, info, len),
          );
        },
      ),
      params,
    );
  });
  it("AEAD seal by one opens by the other", () => {
    const alg = fc.constantFrom("aes-128-gcm", "aes-256-gcm", "chacha20-poly1305" as const);
    fc.assert(
      fc.property(
        alg,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        bytes(40),
        bytes(1000),
        (a, key32, nonce, aad, pt) => {
          const key = a === "aes-128-gcm" ? key32.subarray(0, 16) : key32;
          const sealed = noble.aead(a, key).seal(nonce, aad, pt);
          for (const p of others) {
            assert.deepEqual(p.aead(a, key).seal(nonce, aad, pt), sealed, p.name);
            assert.deepEqual(p.aead(a, key).open(nonce, aad, sealed), pt, p.name);
          }
          // sealInPlace, where a provider has it: the same bytes, made in the caller's buffer.
          for (const p of providers) {
            const k = p.aead(a, key);
            if (!k.sealInPlace) continue;
            const buf = new Uint8Array(pt.length + 16);
            buf.set(pt);
            k.sealInPlace(nonce, aad, buf);
            assert.deepEqual(buf, sealed, `${p.name} sealInPlace`);
          }
        },
      ),
      params,
    );
  });
  it("one AEAD key over many records (as a TLS connection uses it) matches a fresh key each", () => {
    // The native AEAD keeps one OpenSSL context per key across records: no state may leak
    // from one record (its nonce, AAD, length, or a failed open) into the next.
    const alg = fc.constantFrom("aes-128-gcm", "aes-256-gcm", "chacha20-poly1305" as const);
    const record = fc.record({
      nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
      aad: bytes(13),
      pt: bytes(600),
      forge: fc.boolean(),
    });
    fc.assert(
      fc.property(
        alg,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(record, { minLength: 1, maxLength: 8 }),
        (a, key32, records) => {
          const key = a === "aes-128-gcm" ? key32.subarray(0, 16) : key32;
          for (const p of others) {
            const sealer = p.aead(a, key);
            const opener = p.aead(a, key);
            for (const r of records) {
              const expect = noble.aead(a, key).seal(r.nonce, r.aad, r.pt);
              const sealed = sealer.seal(r.nonce, r.aad, r.pt);
              assert.deepEqual(sealed, expect, p.name);
              if (r.forge) {
                const bad = sealed.slice();
                bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
                assert.equal(opener.open(r.nonce, r.aad, bad), null, p.name);
              }
              assert.deepEqual(opener.open(r.nonce, r.aad, sealed), r.pt, p.name);
            }
          }
        },
      ),
      params,
    );
  });
});
