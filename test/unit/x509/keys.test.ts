import assert from "node:assert/strict";
import { fromHex, toHex } from "../../../stack/bytes/index.ts";
import {
  base64Decode,
  encodePkcs8,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  encodeSpki,
  parsePkcs8,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  parseSpki,
  publicKeyOf,
} from "../../../stack/x509/index.ts";
import { noble } from "./providers.ts";

// RFC 8410 §10.1 (public key) and §10.3 (private key, v1 and v2 with an attribute and the public key).
const RFC8410_SPKI = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
const RFC8410_PRIVATE_V1 = "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC";
const RFC8410_PRIVATE_V2 =
  "MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhCoB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
const SEED = "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";
const PUBLIC = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";

describe("x509: keys against the RFC 8410 examples", () => {
  it("reads the §10.1 public key and writes the same bytes", () => {
    const der = base64Decode(RFC8410_SPKI) as Uint8Array;
    assert.equal(toHex(der), `302a300506032b6570032100${PUBLIC}`);
    const r = parseSpki(der);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.value, { kind: "ed25519", key: fromHex(PUBLIC) });
    assert.equal(toHex(encodeSpki(r.value)), toHex(der));
    const pem = encodePublicKeyPem(r.value);
    assert.equal(pem, `-----BEGIN PUBLIC KEY-----\n${RFC8410_SPKI}\n-----END PUBLIC KEY-----\n`);
    assert.deepEqual(parsePublicKeyPem(pem), r);
  });

  it("reads the §10.3 private key (v1), writes the same bytes, and derives the §10.1 public key", () => {
    const der = base64Decode(RFC8410_PRIVATE_V1) as Uint8Array;
    const r = parsePkcs8(der);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.value, { kind: "ed25519", seed: fromHex(SEED) });
    assert.equal(toHex(encodePkcs8(r.value)), toHex(der));
    assert.deepEqual(publicKeyOf(noble, r.value), { kind: "ed25519", key: fromHex(PUBLIC) });
    assert.equal(
      encodePrivateKeyPem(r.value),
      `-----BEGIN PRIVATE KEY-----\n${RFC8410_PRIVATE_V1}\n-----END PRIVATE KEY-----\n`,
    );
  });

  it("reads the §10.3 v2 key (OneAsymmetricKey with attributes and publicKey, RFC 5958)", () => {
    const r = parsePkcs8(base64Decode(RFC8410_PRIVATE_V2) as Uint8Array);
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    if (r.ok) assert.deepEqual(r.value, { kind: "ed25519", seed: fromHex(SEED) });
  });

  it("refuses keys that break their algorithm's rules", () => {
    const cases: [string, string, string][] = [
      // Ed25519 SPKI with NULL parameters (RFC 8410 §3: absent).
      [
        "ed25519 with parameters",
        `302c300706032b65700500032100${PUBLIC}`,
        "bad-algorithm-parameters",
      ],
      ["ed25519 key of 31 bytes", `3029300506032b6570032000${PUBLIC.slice(2)}`, "bad-key"],
      // id-ecPublicKey on secp256k1 (1.3.132.0.10): not supported.
      [
        "secp256k1",
        `3036301006072a8648ce3d020106052b8104000a032200${"02".repeat(33)}`,
        "unsupported-key",
      ],
      // P-256 point of the wrong length.
      [
        "short P-256 point",
        `3039301306072a8648ce3d020106082a8648ce3d030107032200${"04".repeat(33)}`,
        "bad-key",
      ],
    ];
    for (const [what, hex, code] of cases) {
      const r = parseSpki(fromHex(hex));
      assert.equal(r.ok ? "ok" : r.error.code, code, what);
    }
  });

  it("bounds RSA keys: 1024-8192-bit moduli, odd exponents of at most 32 bits", () => {
    const rsaSpki = (n: Uint8Array, e: Uint8Array) => encodeSpki({ kind: "rsa", n, e });
    const n = (bits: number) =>
      Uint8Array.from({ length: bits / 8 }, (_, i) => (i === 0 ? 0xc1 : 0x5b));
    const e3 = Uint8Array.of(3);
    const f4 = Uint8Array.of(1, 0, 1);
    const cases: [string, Uint8Array, string][] = [
      ["2048 bits, e = 65537", rsaSpki(n(2048), f4), "ok"],
      ["8192 bits, e = 3", rsaSpki(n(8192), e3), "ok"],
      ["1016 bits", rsaSpki(n(1016), f4), "bad-key"],
      ["8200 bits", rsaSpki(n(8200), f4), "bad-key"],
      ["even exponent", rsaSpki(n(2048), Uint8Array.of(1, 0, 0)), "bad-key"],
      ["exponent 1", rsaSpki(n(2048), Uint8Array.of(1)), "bad-key"],
      ["33-bit exponent", rsaSpki(n(2048), Uint8Array.of(1, 0, 0, 0, 1)), "bad-key"],
      ["2^32 - 1", rsaSpki(n(2048), Uint8Array.of(0xff, 0xff, 0xff, 0xff)), "ok"],
    ];
    for (const [what, der, code] of cases) {
      const r = parseSpki(der);
      assert.equal(r.ok ? "ok" : r.error.code, code, what);
    }
  });

  it("refuses encrypted PEM keys and wrong labels", () => {
    const r = parsePrivateKeyPem(
      `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${RFC8410_PRIVATE_V1}\n-----END ENCRYPTED PRIVATE KEY-----\n`,
    );
    assert.equal(r.ok ? "ok" : r.error.code, "bad-pem");
  });
});
