import assert from "node:assert/strict";
import type { CryptoProvider, PrivateKey } from "../../../stack/crypto/index.ts";
import {
  type Certificate,
  certificateToPem,
  createCertificate,
  createCsr,
  csrToPem,
  encodePrivateKeyPem,
  nameToString,
  parseCertificatesPem,
  parseCsrPem,
  parsePrivateKeyPem,
  publicKeyOf,
  serialHex,
  validateChain,
  verifyCsr,
} from "../../../stack/x509/index.ts";
import { OpenSsl } from "./openssl.ts";
import { noble, node } from "./providers.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);

/** A provider whose random bytes are a fixed counter: serials and keys repeat run to run. */
function seeded(base: CryptoProvider, seed: number): CryptoProvider {
  let x = seed;
  return {
    ...base,
    randomFill(buf: Uint8Array) {
      for (let i = 0; i < buf.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        buf[i] = x >>> 24;
      }
      return buf;
    },
  };
}

describe("x509: creating certificates and CSRs, checked by openssl", function () {
  this.timeout(120_000);
  let ssl: OpenSsl;
  let ca: Certificate;
  let caKey: PrivateKey;
  before(() => {
    ssl = new OpenSsl();
    const keys = noble.generateSigningKey("p256");
    caKey = keys.privateKey;
    ca = createCertificate(
      noble,
      {
        subject: [
          ["O", "Morgana Dev"],
          ["CN", "Morgana Dev CA"],
        ],
        publicKey: keys.publicKey,
        notBefore: NOW - DAY,
        notAfter: NOW + 3650 * DAY,
        ca: { pathLen: 0 },
      },
      { privateKey: caKey },
    );
    ssl.write("ca.pem", certificateToPem(ca));
    ssl.write("ca-key.pem", encodePrivateKeyPem(caKey));
  });
  after(() => ssl.close());

  it("a local CA that openssl reads as a CA and verifies as self-signed", () => {
    const text = ssl.run(["x509", "-in", "ca.pem", "-noout", "-text"]);
    assert.match(text, /CA:TRUE, pathlen:0/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.equal(
      ssl.run(["x509", "-in", "ca.pem", "-noout", "-subject", "-nameopt", "RFC2253"]).trim(),
      "subject=CN=Morgana Dev CA,O=Morgana Dev",
    );
    assert.match(
      ssl.run(["verify", "-CAfile", "ca.pem", "-attime", String(NOW / 1000), "ca.pem"]),
      /ca.pem: OK/,
    );
    // OpenSSL reads the PKCS#8 key and finds it matches the certificate.
    const fromKey = ssl.run(["pkey", "-in", "ca-key.pem", "-pubout"]);
    const fromCert = ssl.run(["x509", "-in", "ca.pem", "-noout", "-pubkey"]);
    assert.equal(fromKey, fromCert);
  });

  for (const kind of ["p256", "p384", "ed25519", "rsa"] as const) {
    it(`a ${kind} server certificate for localhost, 127.0.0.1 and ::1 that openssl verify accepts`, () => {
      let key: PrivateKey;
      if (kind === "rsa") {
        ssl.key("rsa", "rsa2048");
        const k = parsePrivateKeyPem(ssl.read("rsa.key"));
        assert.ok(k.ok);
        key = k.value;
      } else {
        key = noble.generateSigningKey(kind).privateKey;
      }
      const leaf = createCertificate(
        node,
        {
          subject: [["CN", "localhost"]],
          publicKey: publicKeyOf(noble, key),
          notBefore: NOW - DAY,
          notAfter: NOW + 90 * DAY,
          hosts: ["localhost", "127.0.0.1", "::1"],
        },
        { certificate: ca, privateKey: caKey },
      );
      ssl.write(`leaf-${kind}.pem`, certificateToPem(leaf));
      ssl.write(`leaf-${kind}-key.pem`, encodePrivateKeyPem(key));
      for (const [flag, host] of [
        ["-verify_hostname", "localhost"],
        ["-verify_ip", "127.0.0.1"],
        ["-verify_ip", "::1"],
      ]) {
        const out = ssl.run([
          "verify",
          "-CAfile",
          "ca.pem",
          "-attime",
          String(NOW / 1000),
          "-purpose",
          "sslserver",
          flag as string,
          host as string,
          `leaf-${kind}.pem`,
        ]);
        assert.match(out, /OK/);
      }
      const text = ssl.run(["x509", "-in", `leaf-${kind}.pem`, "-noout", "-text"]);
      assert.match(text, /DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1/);
      assert.match(text, /CA:FALSE/);
      assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
      // Signed by the P-256 CA.
      assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
      assert.match(text, /Not Before: Nov 26 09:00:00 2026 GMT/);
      assert.equal(
        ssl.run(["x509", "-in", `leaf-${kind}.pem`, "-noout", "-serial"]).trim(),
        `serial=${serialHex(leaf.serialNumber)}`,
      );
      // OpenSSL's view of the key and the certificate agree.
      assert.equal(
        ssl.run(["pkey", "-in", `leaf-${kind}-key.pem`, "-pubout"]),
        ssl.run(["x509", "-in", `leaf-${kind}.pem`, "-noout", "-pubkey"]),
      );
      // And Morgana's own validation agrees.
      const r = validateChain(leaf, { roots: [ca], now: NOW, host: "::1", provider: noble });
      assert.ok(r.ok, r.ok ? "" : r.error.message);
    });
  }

  it("a self-signed Ed25519 certificate", () => {
    const k = noble.generateSigningKey("ed25519");
    const c = createCertificate(
      noble,
      {
        subject: [["CN", "self"]],
        publicKey: k.publicKey,
        notBefore: NOW,
        notAfter: NOW + DAY,
        hosts: ["self.test"],
      },
      { privateKey: k.privateKey },
    );
    ssl.write("self.pem", certificateToPem(c));
    assert.match(
      ssl.run(["x509", "-in", "self.pem", "-noout", "-text"]),
      /Signature Algorithm: ED25519/,
    );
    // A non-CA self-signed certificate verifies as its own trust anchor when asked to.
    assert.match(
      ssl.run([
        "verify",
        "-CAfile",
        "self.pem",
        "-attime",
        String(NOW / 1000),
        "-partial_chain",
        "self.pem",
      ]),
      /OK/,
    );
  });

  it("dates past 2049 are written as GeneralizedTime (RFC 5280 §4.1.2.5)", () => {
    const k = noble.generateSigningKey("p256");
    const end = Date.UTC(2051, 0, 2, 3, 4, 5);
    const c = createCertificate(
      noble,
      { subject: [["CN", "long"]], publicKey: k.publicKey, notBefore: NOW, notAfter: end },
      { privateKey: k.privateKey },
    );
    assert.equal(c.notAfter, end);
    ssl.write("long.pem", certificateToPem(c));
    assert.match(
      ssl.run(["x509", "-in", "long.pem", "-noout", "-enddate"]),
      /notAfter=Jan {2}2 03:04:05 2051 GMT/,
    );
    const asn1 = ssl.run(["asn1parse", "-in", "long.pem"]);
    assert.match(asn1, /GENERALIZEDTIME\s*:20510102030405Z/);
    assert.match(asn1, /UTCTIME\s*:261127090000Z/);
  });

  it("serials and keys come from the injected random source", () => {
    const k = noble.generateSigningKey("p256");
    const make = () =>
      createCertificate(
        seeded(noble, 7),
        { subject: [["CN", "x"]], publicKey: k.publicKey, notBefore: NOW, notAfter: NOW + DAY },
        { privateKey: k.privateKey },
      );
    const a = make();
    const b = make();
    assert.equal(a.serialNumber, b.serialNumber);
    assert.ok(a.serialNumber > 0n && a.serialNumber < 2n ** 128n);
    const c = createCertificate(
      seeded(noble, 8),
      { subject: [["CN", "x"]], publicKey: k.publicKey, notBefore: NOW, notAfter: NOW + DAY },
      { privateKey: k.privateKey },
    );
    assert.notEqual(a.serialNumber, c.serialNumber);
  });

  for (const kind of ["p256", "ed25519", "rsa"] as const) {
    it(`a ${kind} CSR that openssl req -verify accepts`, () => {
      let key: PrivateKey;
      if (kind === "rsa") {
        ssl.key("csr-rsa", "rsa2048");
        const k = parsePrivateKeyPem(ssl.read("csr-rsa.key"));
        assert.ok(k.ok);
        key = k.value;
      } else key = noble.generateSigningKey(kind).privateKey;
      const csr = createCsr(noble, {
        subject: [
          ["C", "NL"],
          ["CN", "csr.example"],
        ],
        privateKey: key,
        hosts: ["csr.example", "10.0.0.1"],
      });
      assert.ok(verifyCsr(noble, csr));
      ssl.write(`csr-${kind}.pem`, csrToPem(csr));
      const out = ssl.tryRun(["req", "-in", `csr-${kind}.pem`, "-verify", "-noout", "-text"]);
      assert.equal(out.status, 0, out.out);
      assert.match(out.out, /verify OK|Certificate request self-signature verify OK/);
      assert.match(out.out, /DNS:csr.example, IP Address:10.0.0.1/);
      assert.match(out.out, /Subject: C = NL, CN = csr.example/);
    });
  }

  it("reads an openssl CSR, checks its signature, and issues a certificate openssl verifies", () => {
    ssl.key("req", "p384");
    ssl.run([
      "req",
      "-new",
      "-key",
      "req.key",
      "-subj",
      "/CN=from-openssl",
      "-addext",
      "subjectAltName=DNS:from-openssl.test",
      "-out",
      "req.csr",
    ]);
    const csr = parseCsrPem(ssl.read("req.csr"));
    assert.ok(csr.ok, csr.ok ? "" : csr.error.message);
    if (!csr.ok) return;
    assert.ok(verifyCsr(noble, csr.value));
    assert.equal(nameToString(csr.value.subject), "CN=from-openssl");
    assert.deepEqual(csr.value.extensions?.subjectAltName, [
      { type: "dNSName", value: "from-openssl.test" },
    ]);
    const sans = (csr.value.extensions?.subjectAltName ?? []).map((n) => n.value as string);
    const c = createCertificate(
      noble,
      {
        subject: csr.value.subject,
        publicKey: csr.value.publicKey,
        notBefore: NOW,
        notAfter: NOW + DAY,
        hosts: sans,
      },
      { certificate: ca, privateKey: caKey },
    );
    ssl.write("from-csr.pem", certificateToPem(c));
    assert.match(
      ssl.run([
        "verify",
        "-CAfile",
        "ca.pem",
        "-attime",
        String(NOW / 1000 + 60),
        "-verify_hostname",
        "from-openssl.test",
        "from-csr.pem",
      ]),
      /OK/,
    );
    // A CSR with a tampered signature fails.
    const bad = csr.value.der.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    const parsedBad = parseCsrPem(csrToPem({ ...csr.value, der: bad }));
    assert.ok(parsedBad.ok);
    if (parsedBad.ok) assert.equal(verifyCsr(noble, parsedBad.value), false);
  });

  it("a CA limited by name constraints: openssl refuses a leaf outside them", () => {
    const k = noble.generateSigningKey("p256");
    const nca = createCertificate(
      noble,
      {
        subject: [["CN", "Limited CA"]],
        publicKey: k.publicKey,
        notBefore: NOW - DAY,
        notAfter: NOW + DAY,
        ca: { permittedHosts: ["example.test", "127.0.0.1"] },
      },
      { privateKey: k.privateKey },
    );
    const make = (host: string) =>
      createCertificate(
        noble,
        {
          subject: [["CN", host]],
          publicKey: noble.generateSigningKey("p256").publicKey,
          notBefore: NOW - DAY,
          notAfter: NOW + DAY,
          hosts: [host],
        },
        { certificate: nca, privateKey: k.privateKey },
      );
    ssl.write("nca.pem", certificateToPem(nca));
    ssl.write("in.pem", certificateToPem(make("a.example.test")));
    ssl.write("out.pem", certificateToPem(make("a.other.test")));
    assert.equal(
      ssl.tryRun(["verify", "-CAfile", "nca.pem", "-attime", String(NOW / 1000), "in.pem"]).status,
      0,
    );
    assert.notEqual(
      ssl.tryRun(["verify", "-CAfile", "nca.pem", "-attime", String(NOW / 1000), "out.pem"]).status,
      0,
    );
    const parsed = parseCertificatesPem(ssl.read("out.pem"));
    assert.ok(parsed.ok);
    if (parsed.ok) {
      const r = validateChain(parsed.value[0], { roots: [nca], now: NOW, provider: noble });
      assert.equal(r.ok ? "ok" : r.error.code, "name-constraint-violation");
    }
  });
});
