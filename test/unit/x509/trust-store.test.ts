import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeDer, namedBits, namedBitsLenient } from "../../../stack/asn1/index.ts";
import { fromHex } from "../../../stack/bytes/index.ts";
import {
  type Certificate,
  certificateToPem,
  createCertificate,
  decodePemAll,
  nameToString,
  parseCertificate,
  parseName,
} from "../../../stack/x509/index.ts";
import { OpenSsl } from "./openssl.ts";
import { noble } from "./providers.ts";

const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * Debian's ca-certificates bundle: real roots from many CAs, none written by us. The package
 * comes with the curl and openssl that scripts/setup.mjs installs (both recommend it).
 */
describe("x509: the Debian trust store (ca-certificates)", function () {
  this.timeout(60_000);

  it("every root parses, as many as openssl counts, each a CA with a supported key", () => {
    const blocks = decodePemAll(readFileSync(BUNDLE, "utf8"));
    assert.ok(blocks.ok);
    if (!blocks.ok) return;
    const ssl = new OpenSsl();
    try {
      const listed = ssl
        .run(["storeutl", "-noout", "-certs", BUNDLE])
        .split("\n")
        .filter((l) => /^\d+: Certificate$/.test(l));
      assert.equal(blocks.value.length, listed.length);
    } finally {
      ssl.close();
    }
    assert.ok(blocks.value.length > 100, `${blocks.value.length} roots`);
    const roots: Certificate[] = [];
    for (const b of blocks.value) {
      const r = parseCertificate(b.der);
      assert.ok(r.ok, r.ok ? "" : `${r.error.code}: ${r.error.message}`);
      roots.push(r.value);
    }
    for (const c of roots) {
      assert.ok(
        c.publicKey !== undefined,
        `${nameToString(c.subject)}: key ${c.publicKeyAlgorithm}`,
      );
      if (c.version === 3)
        assert.equal(c.extensions.basicConstraints?.cA, true, nameToString(c.subject));
    }
  });

  it("reads keyUsage with trailing zero bits (as two Trustwave roots encode it), still refused by strict namedBits", () => {
    const ku = fromHex("0303070600");
    const lenient = decodeDer(namedBitsLenient, ku);
    assert.ok(lenient.ok);
    if (lenient.ok) {
      assert.deepEqual([...lenient.value].sort(), [5, 6]);
      // Written back in the minimal form.
      assert.deepEqual(namedBitsLenient.encode(lenient.value), fromHex("03020106"));
    }
    const strict = decodeDer(namedBits, ku);
    assert.equal(strict.ok ? "ok" : strict.error.code, "bad-bit-string");
  });
});

describe("x509: names as deployed certificates write them", () => {
  it("reads '&' and '*' in PrintableString names (O=AT&T, CN=*.example.com), as openssl does", () => {
    // SEQUENCE { SET { SEQUENCE { organizationName, PrintableString "AT&T" } },
    //            SET { SEQUENCE { commonName, PrintableString "*.example.com" } } }
    const der = fromHex(
      "3027 310d300b060355040a130441542654 311630140603550403130d2a2e6578616d706c652e636f6d",
    );
    const parsed = parseName(der);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    const subject = parsed.value;
    const key = noble.generateSigningKey("p256");
    const cert = createCertificate(
      noble,
      {
        subject,
        publicKey: key.publicKey,
        notBefore: Date.now(),
        notAfter: Date.now() + 86_400_000,
      },
      { privateKey: key.privateKey },
    );
    assert.equal(nameToString(cert.subject), "CN=*.example.com,O=AT&T");
    assert.equal(cert.subject.rdns[0]?.[0]?.value.type, "printable");
    const ssl = new OpenSsl();
    try {
      ssl.write("amp.pem", certificateToPem(cert));
      assert.equal(
        ssl.run(["x509", "-in", "amp.pem", "-noout", "-subject", "-nameopt", "RFC2253"]).trim(),
        "subject=CN=*.example.com,O=AT&T",
      );
      assert.match(ssl.run(["asn1parse", "-in", "amp.pem"]), /PRINTABLESTRING\s*:AT&T/);
    } finally {
      ssl.close();
    }
  });
});
