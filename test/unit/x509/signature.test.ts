import assert from "node:assert/strict";
import type { SignatureAlgorithm } from "../../../stack/crypto/index.ts";
import {
  type Certificate,
  certificateToPem,
  createCertificate,
  parseCertificatesPem,
  parsePrivateKeyPem,
  signatureAlgorithmName,
  validateChain,
} from "../../../stack/x509/index.ts";
import { type KeyKind, OpenSsl } from "./openssl.ts";
import { noble, PROVIDERS } from "./providers.ts";

/**
 * Every signature algorithm X.509 verification supports, on certificates OpenSSL signs:
 * RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256/384/512, ECDSA P-256/P-384 with each hash,
 * Ed25519. Each verifies through both providers, and fails with one bit flipped.
 */
describe("x509: signature algorithms on openssl-signed certificates", function () {
  this.timeout(120_000);
  let ssl: OpenSsl;
  before(() => {
    ssl = new OpenSsl();
  });
  after(() => ssl.close());

  const cases: [KeyKind, string[], string][] = [
    ["rsa2048", ["-sha256"], "sha256WithRSAEncryption"],
    ["rsa2048", ["-sha384"], "sha384WithRSAEncryption"],
    ["rsa2048", ["-sha512"], "sha512WithRSAEncryption"],
    [
      "rsa2048",
      ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"],
      "rsassa-pss-sha256",
    ],
    [
      "rsa2048",
      ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48"],
      "rsassa-pss-sha384",
    ],
    [
      "rsa2048",
      ["-sha512", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"],
      "rsassa-pss-sha512",
    ],
    ["p256", ["-sha256"], "ecdsa-with-SHA256"],
    ["p256", ["-sha384"], "ecdsa-with-SHA384"],
    ["p384", ["-sha384"], "ecdsa-with-SHA384"],
    ["p384", ["-sha512"], "ecdsa-with-SHA512"],
    ["ed25519", [], "ed25519"],
  ];
  cases.forEach(([kind, opts, name], n) => {
    it(`${name} by a ${kind} CA`, () => {
      const ca = `ca${n}`;
      ssl.selfSigned(ca, kind, `/CN=CA ${n}`, [
        "basicConstraints=critical,CA:TRUE",
        "keyUsage=critical,keyCertSign",
      ]);
      ssl.signed(
        `leaf${n}`,
        "p256",
        "/CN=leaf",
        ca,
        ["subjectAltName=DNS:leaf.test"],
        ["-days", "30", ...opts],
      );
      const read = (f: string) => {
        const r = parseCertificatesPem(ssl.read(f));
        assert.ok(r.ok, r.ok ? "" : r.error.message);
        return r.value[0] as Certificate;
      };
      const root = read(`${ca}.pem`);
      const leaf = read(`leaf${n}.pem`);
      assert.equal(
        signatureAlgorithmName(leaf.signatureAlgorithm, leaf.signatureAlgorithmId.algorithm),
        name,
      );
      const flipped = leaf.signature.slice();
      flipped[flipped.length >> 1] = (flipped[flipped.length >> 1] as number) ^ 0x10;
      for (const provider of PROVIDERS) {
        const good = validateChain(leaf, {
          roots: [root],
          now: Date.now(),
          host: "leaf.test",
          provider,
        });
        assert.ok(good.ok, good.ok ? "" : `${provider.name}: ${good.error.message}`);
        const bad = validateChain(
          { ...leaf, signature: flipped },
          { roots: [root], now: Date.now(), provider },
        );
        assert.equal(bad.ok ? "ok" : bad.error.code, "bad-signature", provider.name);
      }
    });
  });

  const made: [string, SignatureAlgorithm, string][] = [
    ["RSA PKCS#1 v1.5 SHA-384", { kind: "rsa-pkcs1", hash: "sha384" }, "sha384WithRSAEncryption"],
    ["RSASSA-PSS SHA-256", { kind: "rsa-pss", hash: "sha256" }, "rsassaPss"],
    ["RSASSA-PSS SHA-512", { kind: "rsa-pss", hash: "sha512" }, "rsassaPss"],
  ];
  for (const [what, alg, opensslName] of made) {
    it(`Morgana signs with ${what} and openssl verify accepts it`, () => {
      ssl.selfSigned("rsa-ca", "rsa2048", "/CN=RSA CA", [
        "basicConstraints=critical,CA:TRUE",
        "keyUsage=critical,keyCertSign",
      ]);
      const caKey = parsePrivateKeyPem(ssl.read("rsa-ca.key"));
      const ca = parseCertificatesPem(ssl.read("rsa-ca.pem"));
      assert.ok(caKey.ok && ca.ok);
      if (!caKey.ok || !ca.ok) return;
      const now = Date.now();
      const leaf = createCertificate(
        noble,
        {
          subject: [["CN", "pss"]],
          publicKey: noble.generateSigningKey("p256").publicKey,
          notBefore: now - 60_000,
          notAfter: now + 86_400_000,
          hosts: ["pss.test"],
        },
        { certificate: ca.value[0], privateKey: caKey.value, signatureAlgorithm: alg },
      );
      ssl.write("made.pem", certificateToPem(leaf));
      const o = ssl.tryRun([
        "verify",
        "-CAfile",
        "rsa-ca.pem",
        "-verify_hostname",
        "pss.test",
        "made.pem",
      ]);
      assert.equal(o.status, 0, o.out);
      assert.match(
        ssl.run(["x509", "-in", "made.pem", "-noout", "-text"]),
        new RegExp(`Signature Algorithm: ${opensslName}`),
      );
    });
  }
});
