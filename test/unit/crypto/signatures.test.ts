/** Signatures and ECDH: each provider against itself, against the other, and against edge cases. */
import assert from "node:assert/strict";
import { fromHex, utf8Encode } from "../../../stack/bytes/index.ts";
import type { PublicKey, SignatureAlgorithm } from "../../../stack/crypto/provider.ts";
import { providers, rsaKeyPair } from "./providers.ts";

const [noble, node] = providers as [(typeof providers)[0], (typeof providers)[0]];
const msg = utf8Encode("the message both sides sign");

/** DER ECDSA-Sig-Value from r and s (big-endian, minimal INTEGERs). */
function derSig(r: Uint8Array, s: Uint8Array): Uint8Array {
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const v = x.subarray(i);
    const body = (v[0] as number) & 0x80 ? Uint8Array.of(0, ...v) : v;
    return Uint8Array.of(0x02, body.length, ...body);
  };
  const seq = [...int(r), ...int(s)];
  return Uint8Array.of(0x30, seq.length, ...seq);
}

const ORDER = {
  p256: BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
  p384: BigInt(
    "0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
  ),
};

function bytesOf(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
function big(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

describe("signatures across providers", () => {
  for (const curve of ["p256", "p384"] as const) {
    for (const hash of ["sha256", "sha384"] as const) {
      it(`ECDSA ${curve} with ${hash}: each signs, both verify (DER and raw)`, () => {
        for (const signer of providers) {
          const { privateKey, publicKey } = signer.generateSigningKey(curve);
          for (const encoding of ["der", "raw"] as const) {
            const alg: SignatureAlgorithm = { kind: "ecdsa", hash, encoding };
            const sig = signer.sign(alg, privateKey, msg);
            for (const verifier of providers) {
              assert.equal(
                verifier.verify(alg, publicKey, msg, sig),
                true,
                `${signer.name}->${verifier.name}`,
              );
              assert.equal(verifier.verify(alg, publicKey, utf8Encode("other"), sig), false);
              const other: SignatureAlgorithm = {
                ...alg,
                hash: hash === "sha256" ? "sha384" : "sha256",
              };
              assert.equal(verifier.verify(other, publicKey, msg, sig), false);
            }
          }
        }
      });
    }

    it(`ECDSA ${curve}: high-S accepted, r or s of 0 or >= n refused, bad DER refused`, () => {
      const n = ORDER[curve];
      const len = curve === "p256" ? 32 : 48;
      const { privateKey, publicKey } = noble.generateSigningKey(curve);
      const raw = noble.sign({ kind: "ecdsa", hash: "sha256", encoding: "raw" }, privateKey, msg);
      const r = raw.subarray(0, len);
      const s = raw.subarray(len);
      const highS = bytesOf(n - big(s), len);
      const der = { kind: "ecdsa", hash: "sha256", encoding: "der" } as const;
      for (const p of providers) {
        assert.equal(p.verify(der, publicKey, msg, derSig(r, s)), true, p.name);
        // TLS peers (OpenSSL) do not normalise S: both halves must verify.
        assert.equal(p.verify(der, publicKey, msg, derSig(r, highS)), true, `${p.name} high-S`);
        assert.equal(p.verify(der, publicKey, msg, derSig(new Uint8Array(1), s)), false);
        assert.equal(p.verify(der, publicKey, msg, derSig(r, new Uint8Array(1))), false);
        assert.equal(p.verify(der, publicKey, msg, derSig(bytesOf(big(r) + n, len + 1), s)), false);
        const good = derSig(r, s);
        assert.equal(
          p.verify(der, publicKey, msg, Uint8Array.of(...good, 0)),
          false,
          "trailing byte",
        );
        const longLen = Uint8Array.of(0x30, 0x81, ...good.subarray(1));
        assert.equal(p.verify(der, publicKey, msg, longLen), false, "non-minimal length");
        assert.equal(p.verify(der, publicKey, msg, good.subarray(0, good.length - 1)), false);
        const wrongKey: PublicKey = { kind: "ed25519", key: new Uint8Array(32) };
        assert.equal(p.verify(der, wrongKey, msg, good), false);
        const offCurve = publicKey.kind === "ec" ? publicKey.point.slice() : new Uint8Array(0);
        offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] as number) ^ 1;
        assert.equal(p.verify(der, { kind: "ec", curve, point: offCurve }, msg, good), false);
      }
    });
  }

  it("Ed25519: each signs, both verify; signatures are deterministic and equal", () => {
    const { privateKey, publicKey } = noble.generateSigningKey("ed25519");
    const a = noble.sign({ kind: "ed25519" }, privateKey, msg);
    const b = node.sign({ kind: "ed25519" }, privateKey, msg);
    assert.deepEqual(a, b);
    for (const p of providers) assert.equal(p.verify({ kind: "ed25519" }, publicKey, msg, a), true);
  });

  describe("RSA (2048-bit key from the host)", function () {
    this.timeout(20000);
    const { privateKey, publicKey } = rsaKeyPair(2048);
    for (const kind of ["rsa-pkcs1", "rsa-pss"] as const) {
      for (const hash of ["sha256", "sha384", "sha512"] as const) {
        it(`${kind} ${hash}: each signs, both verify; tampering refused`, () => {
          const alg = { kind, hash } as SignatureAlgorithm;
          for (const signer of providers) {
            const sig = signer.sign(alg, privateKey, msg);
            assert.equal(sig.length, 256);
            for (const v of providers) {
              assert.equal(v.verify(alg, publicKey, msg, sig), true, `${signer.name}->${v.name}`);
              assert.equal(v.verify(alg, publicKey, utf8Encode("x"), sig), false);
              const flipped = sig.slice();
              flipped[100] = (flipped[100] as number) ^ 1;
              assert.equal(v.verify(alg, publicKey, msg, flipped), false);
              assert.equal(v.verify(alg, publicKey, msg, sig.subarray(1)), false, "short");
              assert.equal(v.verify(alg, publicKey, msg, Uint8Array.of(0, ...sig)), false, "long");
              // s >= n is out of range (RFC 8017 §5.2.2).
              assert.equal(v.verify(alg, publicKey, msg, new Uint8Array(256).fill(0xff)), false);
              const otherKind = {
                kind: kind === "rsa-pss" ? "rsa-pkcs1" : "rsa-pss",
                hash,
              } as SignatureAlgorithm;
              assert.equal(v.verify(otherKind, publicKey, msg, sig), false);
            }
          }
        });
      }
    }
    it("PKCS #1 v1.5 signatures are deterministic: both providers make the same bytes", () => {
      const alg = { kind: "rsa-pkcs1", hash: "sha256" } as const;
      assert.deepEqual(noble.sign(alg, privateKey, msg), node.sign(alg, privateKey, msg));
    });
    it("PSS with a salt length other than the hash length verifies only when told", () => {
      const alg = { kind: "rsa-pss", hash: "sha256", saltLength: 20 } as const;
      for (const signer of providers) {
        const sig = signer.sign(alg, privateKey, msg);
        for (const v of providers) {
          assert.equal(v.verify(alg, publicKey, msg, sig), true);
          assert.equal(v.verify({ kind: "rsa-pss", hash: "sha256" }, publicKey, msg, sig), false);
        }
      }
    });
    it("a 512-bit key is refused", () => {
      const weak = rsaKeyPair(512);
      const alg = { kind: "rsa-pkcs1", hash: "sha256" } as const;
      const sig = node.sign(alg, weak.privateKey, msg);
      for (const p of providers) assert.equal(p.verify(alg, weak.publicKey, msg, sig), false);
    });
  });
});

describe("ECDH across providers", () => {
  for (const group of ["x25519", "p256", "p384"] as const) {
    it(`${group}: keys from one provider agree with the other, on random keys`, () => {
      for (let i = 0; i < 5; i++) {
        const a = noble.ecdhGenerate(group);
        const b = node.ecdhGenerate(group);
        assert.deepEqual(node.ecdhPublicKey(group, a.privateKey), a.publicKey);
        assert.deepEqual(noble.ecdhPublicKey(group, b.privateKey), b.publicKey);
        const s1 = noble.ecdhSharedSecret(group, a.privateKey, b.publicKey);
        const s2 = node.ecdhSharedSecret(group, b.privateKey, a.publicKey);
        assert.ok(s1);
        assert.deepEqual(s1, s2);
        assert.equal(s1.length, group === "p384" ? 48 : 32);
      }
    });
  }
  for (const group of ["p256", "p384"] as const) {
    it(`${group}: an off-curve, compressed, or infinity peer key gives null`, () => {
      const a = noble.ecdhGenerate(group);
      const b = noble.ecdhGenerate(group);
      const off = b.publicKey.slice();
      off[off.length - 1] = (off[off.length - 1] as number) ^ 1;
      const len = group === "p256" ? 32 : 48;
      const compressed = Uint8Array.of(
        2 | ((b.publicKey[2 * len] as number) & 1),
        ...b.publicKey.subarray(1, 1 + len),
      );
      for (const p of providers) {
        assert.equal(p.ecdhSharedSecret(group, a.privateKey, off), null, p.name);
        assert.equal(p.ecdhSharedSecret(group, a.privateKey, compressed), null, p.name);
        assert.equal(p.ecdhSharedSecret(group, a.privateKey, Uint8Array.of(0)), null, p.name);
        assert.equal(p.ecdhSharedSecret(group, a.privateKey, new Uint8Array(1 + 2 * len)), null);
        // A private scalar of zero, or of n, is not a key.
        assert.equal(p.ecdhPublicKey(group, new Uint8Array(len)), null);
      }
      assert.equal(noble.ecdhPublicKey("p256", fromHex(ORDER.p256.toString(16))), null);
      assert.equal(node.ecdhPublicKey("p256", fromHex(ORDER.p256.toString(16))), null);
    });
  }
});
