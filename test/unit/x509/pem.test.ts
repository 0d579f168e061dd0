import assert from "node:assert/strict";
import fc from "fast-check";
import {
  base64Decode,
  base64Encode,
  decodePem,
  decodePemAll,
  encodePem,
} from "../../../stack/x509/index.ts";

describe("x509: base64 (RFC 4648) and PEM (RFC 7468)", () => {
  it("base64 matches RFC 4648 §10 test vectors", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, b64] of vectors) {
      const bytes = Uint8Array.from(plain, (c) => c.charCodeAt(0));
      assert.equal(base64Encode(bytes), b64);
      assert.deepEqual(base64Decode(b64), bytes);
    }
  });

  it("base64 agrees with Node's encoder and round trips (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const text = base64Encode(b);
        assert.equal(text, Buffer.from(b).toString("base64"));
        assert.deepEqual(base64Decode(text), b);
      }),
    );
  });

  it("base64 refuses non-canonical text", () => {
    for (const bad of [
      "Zg=",
      "Zh==",
      "Zm9=",
      "Z===",
      "Zm9v\n",
      "Zm 9v",
      "Zm-v",
      "=Zm9",
      "Zg==Zg==",
    ]) {
      assert.equal(base64Decode(bad), undefined, bad);
    }
  });

  it("PEM round trips with 64-character lines and surrounding text", () => {
    const der = Uint8Array.from({ length: 200 }, (_, i) => i);
    const pem = encodePem("CERTIFICATE", der);
    assert.ok(
      pem
        .split("\n")
        .slice(1, -3)
        .every((l) => l.length === 64),
    );
    const r = decodePem(`explanatory text\r\n${pem.replaceAll("\n", "\r\n")}trailer`, [
      "CERTIFICATE",
    ]);
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.value.der, der);
  });

  const bad: [string, string, string][] = [
    ["no block", "hello", "no-pem"],
    [
      "mismatched END",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n",
      "label-mismatch",
    ],
    ["no END", "-----BEGIN CERTIFICATE-----\nAAAA\n", "unterminated"],
    [
      "a line over 64 characters",
      `-----BEGIN X-----\n${"A".repeat(68)}\n-----END X-----\n`,
      "bad-base64",
    ],
    [
      "a short line before a full one",
      `-----BEGIN X-----\nAAAA\n${"A".repeat(64)}\n-----END X-----\n`,
      "bad-base64",
    ],
    [
      "headers (encrypted PEM)",
      "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END X-----\n",
      "bad-base64",
    ],
    [
      "a label with a double space",
      "-----BEGIN A  B-----\nAAAA\n-----END A  B-----\n",
      "bad-label",
    ],
    ["an empty body", "-----BEGIN X-----\n-----END X-----\n", "bad-base64"],
  ];
  for (const [what, text, code] of bad) {
    it(`PEM refuses ${what} (${code})`, () => {
      const r = decodePemAll(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }

  it("PEM with the wrong label for the caller", () => {
    const r = decodePem(encodePem("PUBLIC KEY", Uint8Array.of(1)), ["CERTIFICATE"]);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, "unexpected-label");
  });
});
