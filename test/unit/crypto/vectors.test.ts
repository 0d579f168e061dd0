/** Known-answer vectors from the RFCs and NIST, through every provider. */
import assert from "node:assert/strict";
import { fromHex, toHex, utf8Encode } from "../../../stack/bytes/index.ts";
import { providers } from "./providers.ts";

for (const p of providers) {
  describe(`crypto vectors (${p.name})`, () => {
    it("SHA-2 of 'abc' (FIPS 180-4 examples), one-shot and incremental", () => {
      const abc = utf8Encode("abc");
      const want = {
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        sha384:
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        sha512:
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      } as const;
      for (const alg of ["sha256", "sha384", "sha512"] as const) {
        assert.equal(toHex(p.hash(alg, abc)), want[alg]);
        const h = p.createHash(alg).update(abc.subarray(0, 1));
        const snapshot = h.clone();
        h.update(abc.subarray(1));
        assert.equal(toHex(h.digest()), want[alg]);
        // The clone kept "a" only and goes on independently.
        assert.equal(toHex(snapshot.update(abc.subarray(1)).digest()), want[alg]);
      }
    });

    it("HMAC (RFC 4231 test case 2)", () => {
      const key = utf8Encode("Jefe");
      const data = utf8Encode("what do ya want for nothing?");
      assert.equal(
        toHex(p.hmac("sha256", key, data)),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      );
      assert.equal(
        toHex(p.hmac("sha512", key, data)),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
      );
    });

    it("HKDF (RFC 5869 test cases 1 and 3)", () => {
      const prk1 = p.hkdfExtract(
        "sha256",
        fromHex("000102030405060708090a0b0c"),
        new Uint8Array(22).fill(0x0b),
      );
      assert.equal(toHex(prk1), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
      assert.equal(
        toHex(p.hkdfExpand("sha256", prk1, fromHex("f0f1f2f3f4f5f6f7f8f9"), 42)),
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
      );
      const prk3 = p.hkdfExtract("sha256", new Uint8Array(0), new Uint8Array(22).fill(0x0b));
      assert.equal(toHex(prk3), "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
      assert.equal(
        toHex(p.hkdfExpand("sha256", prk3, new Uint8Array(0), 42)),
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
      );
      assert.throws(() => p.hkdfExpand("sha256", prk3, new Uint8Array(0), 255 * 32 + 1));
    });

    it("AES-GCM (the GCM specification's test cases 2, 4 and 16)", () => {
      const zero = p.aead("aes-128-gcm", new Uint8Array(16));
      assert.equal(
        toHex(zero.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(16))),
        "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf",
      );
      const iv = fromHex("cafebabefacedbaddecaf888");
      const aad = fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
      const pt = fromHex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
      );
      const k128 = p.aead("aes-128-gcm", fromHex("feffe9928665731c6d6a8f9467308308"));
      const c4 = k128.seal(iv, aad, pt);
      assert.equal(
        toHex(c4),
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
          "5bc94fbc3221a5db94fae95ae7121a47",
      );
      assert.deepEqual(k128.open(iv, aad, c4), pt);
      const k256 = p.aead(
        "aes-256-gcm",
        fromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
      );
      assert.equal(
        toHex(k256.seal(iv, aad, pt)),
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
          "76fc6ece0f4e1768cddf8853bb2d551b",
      );
    });

    it("ChaCha20-Poly1305 (RFC 8439 §2.8.2)", () => {
      const key = p.aead(
        "chacha20-poly1305",
        fromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
      );
      const nonce = fromHex("070000004041424344454647");
      const aad = fromHex("50515253c0c1c2c3c4c5c6c7");
      const pt = utf8Encode(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
      );
      const sealed = key.seal(nonce, aad, pt);
      assert.equal(
        toHex(sealed),
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116" +
          "1ae10b594f09e26a7e902ecbd0600691",
      );
      assert.deepEqual(key.open(nonce, aad, sealed), pt);
    });

    it("AEAD open refuses a flipped bit anywhere, a wrong AAD, a short input", () => {
      for (const alg of ["aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"] as const) {
        const key = p.aead(alg, new Uint8Array(alg === "aes-128-gcm" ? 16 : 32).fill(7));
        const nonce = new Uint8Array(12).fill(1);
        const sealed = key.seal(nonce, Uint8Array.of(1, 2), utf8Encode("hello, record"));
        for (let i = 0; i < sealed.length; i++) {
          const bad = sealed.slice();
          bad[i] = (bad[i] as number) ^ 0x80;
          assert.equal(key.open(nonce, Uint8Array.of(1, 2), bad), null, `${alg} byte ${i}`);
        }
        assert.equal(key.open(nonce, Uint8Array.of(1, 3), sealed), null);
        assert.equal(key.open(nonce, Uint8Array.of(1, 2), sealed.subarray(0, 15)), null);
        assert.deepEqual(
          key.open(nonce, new Uint8Array(0), key.seal(nonce, new Uint8Array(0), new Uint8Array(0))),
          new Uint8Array(0),
        );
        assert.throws(() => p.aead(alg, new Uint8Array(5)));
      }
    });

    it("X25519 (RFC 7748 §6.1), and small-order peers give null", () => {
      const a = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
      const b = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
      const aPub = p.ecdhPublicKey("x25519", a);
      const bPub = p.ecdhPublicKey("x25519", b);
      assert.equal(
        toHex(aPub ?? new Uint8Array(0)),
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
      );
      assert.equal(
        toHex(bPub ?? new Uint8Array(0)),
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
      );
      const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
      assert.equal(
        toHex(p.ecdhSharedSecret("x25519", a, bPub as Uint8Array) ?? new Uint8Array(0)),
        shared,
      );
      assert.equal(
        toHex(p.ecdhSharedSecret("x25519", b, aPub as Uint8Array) ?? new Uint8Array(0)),
        shared,
      );
      // u = 0 and u = 1 are of small order: the result is all zeros (RFC 7748 §6.1).
      assert.equal(p.ecdhSharedSecret("x25519", a, new Uint8Array(32)), null);
      assert.equal(p.ecdhSharedSecret("x25519", a, Uint8Array.of(1, ...new Uint8Array(31))), null);
      assert.equal(p.ecdhSharedSecret("x25519", a, new Uint8Array(31)), null);
    });

    it("Ed25519 (RFC 8032 §7.1 tests 1 and 2)", () => {
      const cases = [
        [
          "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
          "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
          "",
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ],
        [
          "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
          "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
          "72",
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ],
      ] as const;
      for (const [seed, pub, msg, sig] of cases) {
        const s = p.sign(
          { kind: "ed25519" },
          { kind: "ed25519", seed: fromHex(seed) },
          fromHex(msg),
        );
        assert.equal(toHex(s), sig);
        const key = { kind: "ed25519", key: fromHex(pub) } as const;
        assert.equal(p.verify({ kind: "ed25519" }, key, fromHex(msg), s), true);
        assert.equal(p.verify({ kind: "ed25519" }, key, utf8Encode("other"), s), false);
        // S >= L is not canonical (RFC 8032 §5.1.7 step 1): add L to S.
        const big = s.slice();
        const L = fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        let carry = 0;
        for (let i = 0; i < 32; i++) {
          const v = (big[32 + i] as number) + (L[i] as number) + carry;
          big[32 + i] = v & 0xff;
          carry = v >> 8;
        }
        assert.equal(p.verify({ kind: "ed25519" }, key, fromHex(msg), big), false);
        assert.equal(p.verify({ kind: "ed25519" }, key, fromHex(msg), s.subarray(0, 63)), false);
      }
    });
  });
}
