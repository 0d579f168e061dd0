import assert from "node:assert/strict";
import { toHex } from "../../../stack/bytes/index.ts";
import {
  type Certificate,
  certificateSummary,
  decodePem,
  encodeSpki,
  ipToString,
  nameToString,
  parseCertificatesPem,
  parsePrivateKeyPem,
  serialHex,
} from "../../../stack/x509/index.ts";
import { type KeyKind, OpenSsl } from "./openssl.ts";

const KU_NAMES: Record<string, string> = {
  digitalSignature: "Digital Signature",
  nonRepudiation: "Non Repudiation",
  keyEncipherment: "Key Encipherment",
  dataEncipherment: "Data Encipherment",
  keyAgreement: "Key Agreement",
  keyCertSign: "Certificate Sign",
  cRLSign: "CRL Sign",
};

/** OpenSSL's -dates form: "Nov 27 09:00:00 2026 GMT" (day space-padded). */
function opensslDate(ms: number): string {
  const d = new Date(ms);
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    d.getUTCMonth()
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

/** OpenSSL prints IPv6 as eight upper-case groups, never "::". */
function opensslIp(b: Uint8Array): string {
  if (b.length !== 16) return ipToString(b);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16).toUpperCase());
  return groups.join(":");
}

function sanText(c: Certificate): string {
  return (c.extensions.subjectAltName ?? [])
    .map((n) =>
      n.type === "dNSName"
        ? `DNS:${n.value}`
        : n.type === "iPAddress"
          ? `IP Address:${opensslIp(n.value)}`
          : n.type,
    )
    .join(", ");
}

function one(pem: string): Certificate {
  const r = parseCertificatesPem(pem);
  assert.ok(r.ok, r.ok ? "" : `${r.error.code}: ${r.error.message}`);
  assert.equal(r.value.length, 1);
  return r.value[0] as Certificate;
}

/** Compares what Morgana reads with what `openssl x509` prints for the same file. */
function compareWithOpenssl(ssl: OpenSsl, file: string, c: Certificate): void {
  const subject = ssl
    .run(["x509", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253"])
    .trim();
  assert.equal(`subject=${nameToString(c.subject)}`, subject);
  const issuer = ssl.run(["x509", "-in", file, "-noout", "-issuer", "-nameopt", "RFC2253"]).trim();
  assert.equal(`issuer=${nameToString(c.issuer)}`, issuer);
  const dates = ssl.run(["x509", "-in", file, "-noout", "-dates"]).trim().split("\n");
  assert.deepEqual(dates, [
    `notBefore=${opensslDate(c.notBefore)}`,
    `notAfter=${opensslDate(c.notAfter)}`,
  ]);
  assert.equal(
    ssl.run(["x509", "-in", file, "-noout", "-serial"]).trim(),
    `serial=${serialHex(c.serialNumber)}`,
  );
  const pub = decodePem(ssl.run(["x509", "-in", file, "-noout", "-pubkey"]), ["PUBLIC KEY"]);
  assert.ok(pub.ok);
  if (pub.ok) assert.equal(toHex(c.spkiDer), toHex(pub.value.der));
  if (c.publicKey !== undefined && pub.ok)
    assert.equal(toHex(encodeSpki(c.publicKey)), toHex(pub.value.der));
  const text = ssl.run(["x509", "-in", file, "-noout", "-text"]);
  if (c.extensions.subjectAltName !== undefined) {
    const m = /X509v3 Subject Alternative Name:.*\n\s+(.*)\n/.exec(text);
    assert.equal(sanText(c), m?.[1]?.trim());
  }
  if (c.extensions.basicConstraints !== undefined) {
    const m = /X509v3 Basic Constraints:.*\n\s+(.*)\n/.exec(text);
    const bc = c.extensions.basicConstraints;
    const want = `CA:${bc.cA ? "TRUE" : "FALSE"}${bc.pathLenConstraint !== undefined ? `, pathlen:${bc.pathLenConstraint}` : ""}`;
    assert.equal(m?.[1]?.trim(), want);
  }
  if (c.extensions.keyUsage !== undefined) {
    const m = /X509v3 Key Usage:.*\n\s+(.*)\n/.exec(text);
    assert.deepEqual(
      new Set(m?.[1]?.trim().split(", ")),
      new Set([...c.extensions.keyUsage].map((k) => KU_NAMES[k])),
    );
  }
  if (c.extensions.subjectKeyIdentifier !== undefined) {
    const m = /X509v3 Subject Key Identifier:.*\n\s+(.*)\n/.exec(text);
    assert.equal(
      m?.[1]?.trim().replaceAll(":", "").toLowerCase(),
      toHex(c.extensions.subjectKeyIdentifier),
    );
  }
}

describe("x509: certificates made by OpenSSL", function () {
  this.timeout(60_000);
  let ssl: OpenSsl;
  before(() => {
    ssl = new OpenSsl();
  });
  after(() => ssl.close());

  const kinds: [KeyKind, string, string][] = [
    ["rsa2048", "rsa", "sha256WithRSAEncryption"],
    ["p256", "ec", "ecdsa"],
    ["p384", "ec", "ecdsa"],
    ["ed25519", "ed25519", "ed25519"],
  ];
  for (const [kind, keyKind, sigKind] of kinds) {
    it(`reads a self-signed ${kind} certificate with SANs and matches openssl x509 -text`, () => {
      const file = ssl.selfSigned(`ss-${kind}`, kind, `/C=NL/O=Morgana Test/CN=${kind}.example`, [
        "subjectAltName=DNS:host.example,DNS:*.wild.example,IP:127.0.0.1,IP:::1",
        "keyUsage=critical,digitalSignature,keyCertSign",
        "extendedKeyUsage=serverAuth,clientAuth",
      ]);
      const c = one(ssl.read(file));
      assert.equal(c.version, 3);
      assert.equal(c.publicKey?.kind, keyKind);
      if (kind === "p384" && c.publicKey?.kind === "ec") assert.equal(c.publicKey.curve, "p384");
      assert.equal(
        sigKind === "sha256WithRSAEncryption"
          ? c.signatureAlgorithm?.kind
          : c.signatureAlgorithm?.kind,
        sigKind === "sha256WithRSAEncryption" ? "rsa-pkcs1" : sigKind,
      );
      assert.deepEqual(c.extensions.extKeyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
      assert.deepEqual(c.extensions.unhandledCritical, []);
      compareWithOpenssl(ssl, file, c);
      // The key file OpenSSL wrote (PKCS#8) reads too, as the same kind of key.
      const key = parsePrivateKeyPem(ssl.read(`ss-${kind}.key`));
      assert.ok(key.ok, key.ok ? "" : key.error.message);
      if (key.ok) assert.equal(key.value.kind, keyKind);
    });
  }

  it("reads a chain root -> intermediate -> leaf, with pathlen, AKI/SKI and name constraints", () => {
    ssl.selfSigned("root", "p384", "/CN=Morgana Test Root", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "subjectKeyIdentifier=hash",
    ]);
    ssl.signed("inter", "p256", "/O=Morgana/CN=Morgana Test Intermediate", "root", [
      "basicConstraints=critical,CA:TRUE,pathlen:0",
      "keyUsage=critical,keyCertSign,cRLSign",
      "nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.example.com",
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid",
    ]);
    ssl.signed("leaf", "rsa2048", "/CN=www.example.com", "inter", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:www.example.com,IP:10.1.2.3",
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid",
    ]);
    const root = one(ssl.read("root.pem"));
    const inter = one(ssl.read("inter.pem"));
    const leaf = one(ssl.read("leaf.pem"));
    for (const [f, c] of [
      ["root.pem", root],
      ["inter.pem", inter],
      ["leaf.pem", leaf],
    ] as const)
      compareWithOpenssl(ssl, f, c);
    assert.deepEqual(inter.extensions.basicConstraints, { cA: true, pathLenConstraint: 0 });
    assert.equal(inter.signatureAlgorithm?.kind, "ecdsa");
    assert.equal(
      toHex(inter.extensions.authorityKeyIdentifier ?? new Uint8Array()),
      toHex(root.extensions.subjectKeyIdentifier ?? new Uint8Array(1)),
    );
    assert.equal(
      toHex(leaf.extensions.authorityKeyIdentifier ?? new Uint8Array()),
      toHex(inter.extensions.subjectKeyIdentifier ?? new Uint8Array(1)),
    );
    assert.deepEqual(certificateSummary(leaf), {
      subject: "CN=www.example.com",
      issuer: "CN=Morgana Test Intermediate,O=Morgana",
      subjectAltNames: ["DNS:www.example.com", "IP:10.1.2.3"],
      serial: serialHex(leaf.serialNumber),
      notBefore: new Date(leaf.notBefore).toISOString(),
      notAfter: new Date(leaf.notAfter).toISOString(),
      key: "rsa-2048",
      signature: "ecdsa-with-SHA256",
      isCa: false,
    });
    assert.equal(certificateSummary(root).key, "ec-p384");
    assert.equal(certificateSummary(root).isCa, true);
    // JSON-able as a trace needs it.
    assert.deepEqual(
      JSON.parse(JSON.stringify(certificateSummary(leaf))),
      certificateSummary(leaf),
    );
    const nc = inter.extensions.nameConstraints;
    assert.deepEqual(
      nc?.permitted?.map((n) => n.type),
      ["dNSName", "iPAddress"],
    );
    assert.deepEqual(nc?.permitted?.[1]?.value, Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0));
    assert.deepEqual(nc?.excluded, [{ type: "dNSName", value: "bad.example.com" }]);
    // The chain file: several blocks in one PEM, read in order.
    const chain = parseCertificatesPem(ssl.read("leaf.pem") + ssl.read("inter.pem"));
    assert.ok(chain.ok);
    if (chain.ok)
      assert.deepEqual(
        chain.value.map((c) => nameToString(c.subject)),
        ["CN=www.example.com", "CN=Morgana Test Intermediate,O=Morgana"],
      );
  });

  it("records an unknown critical extension", () => {
    const file = ssl.selfSigned("crit", "p256", "/CN=crit", ["1.2.3.4.5=critical,DER:0500"]);
    const c = one(ssl.read(file));
    assert.deepEqual(c.extensions.unhandledCritical, ["1.2.3.4.5"]);
  });

  it("reads SEC1 'EC PRIVATE KEY' and PKCS#1 'RSA PRIVATE KEY' as openssl writes them", () => {
    ssl.key("k1", "p256");
    ssl.run(["ec", "-in", "k1.key", "-out", "k1.sec1"]);
    ssl.key("k2", "rsa2048");
    ssl.run(["rsa", "-in", "k2.key", "-traditional", "-out", "k2.pkcs1"]);
    const sec1 = ssl.read("k1.sec1");
    const pkcs1 = ssl.read("k2.pkcs1");
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
    const a = parsePrivateKeyPem(sec1);
    const b = parsePrivateKeyPem(ssl.read("k1.key"));
    assert.ok(a.ok && b.ok);
    if (a.ok && b.ok) assert.deepEqual(a.value, b.value);
    const c = parsePrivateKeyPem(pkcs1);
    const d = parsePrivateKeyPem(ssl.read("k2.key"));
    assert.ok(c.ok && d.ok);
    if (c.ok && d.ok) assert.deepEqual(c.value, d.value);
  });
});
