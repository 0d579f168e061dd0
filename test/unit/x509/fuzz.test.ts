import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Certificate,
  createCsr,
  decodePemAll,
  encodePem,
  parseCertificate,
  parseCsr,
  parsePkcs8,
  validateChain,
  X509_PARSE_CODES,
} from "../../../stack/x509/index.ts";
import { rng } from "../../helpers/rng.ts";
import { OpenSsl } from "./openssl.ts";
import { noble } from "./providers.ts";

const CODES = new Set<string>(X509_PARSE_CODES);

function mutate(input: Uint8Array, next: () => number): Uint8Array {
  const out = Array.from(input);
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * out.length);
    const op = next();
    const byte =
      next() < 0.5
        ? ([0x00, 0x80, 0x81, 0x82, 0xff, 0x30, 0x05, 0x7f][Math.floor(next() * 8)] as number)
        : Math.floor(next() * 256);
    if (op < 0.6) out[at] = byte;
    else if (op < 0.75) out.splice(at, 0, byte);
    else if (op < 0.9) out.splice(at, 1 + Math.floor(next() * 4));
    else out.length = at;
  }
  return Uint8Array.from(out);
}

/** Mutated certificates and keys from OpenSSL: the parsers answer a result, never throw. */
describe("x509: mutated certificates never throw", function () {
  this.timeout(120_000);
  const seeds: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  before(() => {
    const ssl = new OpenSsl();
    try {
      for (const kind of ["p256", "rsa2048", "ed25519"] as const) {
        ssl.selfSigned(kind, kind, `/C=NL/CN=${kind}`, [
          "subjectAltName=DNS:a.example,IP:10.0.0.1",
          "basicConstraints=critical,CA:TRUE,pathlen:1",
          "nameConstraints=permitted;DNS:example",
        ]);
        seeds.push(
          new Uint8Array(
            Buffer.from(ssl.read(`${kind}.pem`).replace(/-----[^-]+-----|\s/g, ""), "base64"),
          ),
        );
        keys.push(
          new Uint8Array(
            Buffer.from(ssl.read(`${kind}.key`).replace(/-----[^-]+-----|\s/g, ""), "base64"),
          ),
        );
      }
    } finally {
      ssl.close();
    }
  });

  it("the seeds parse", () => {
    for (const s of seeds) assert.ok(parseCertificate(s).ok);
    for (const k of keys) assert.ok(parsePkcs8(k).ok);
  });

  it("6000 mutated certificates and 3000 mutated keys: a result with a known code", () => {
    let rejected = 0;
    for (let seed = 1; seed <= 6000; seed++) {
      const next = rng(seed);
      const input = mutate(seeds[seed % seeds.length] as Uint8Array, next);
      const r = parseCertificate(input);
      if (!r.ok) {
        rejected++;
        assert.ok(CODES.has(r.error.code), `seed ${seed}: ${r.error.code}`);
      }
    }
    // Most mutations break DER; a few land in signature bytes or string contents and parse.
    assert.ok(rejected > 3000, `only ${rejected} rejected`);
    for (let seed = 1; seed <= 3000; seed++) {
      const next = rng(seed + 100_000);
      const r = parsePkcs8(mutate(keys[seed % keys.length] as Uint8Array, next));
      if (!r.ok) assert.ok(CODES.has(r.error.code), `key seed ${seed}: ${r.error.code}`);
    }
  });

  it("validation of mutated chains answers a known failure or a valid path, never throws (1500 chains)", () => {
    const VALIDATION = new Set([
      "expired",
      "not-yet-valid",
      "unknown-ca",
      "bad-signature",
      "unsupported-algorithm",
      "name-mismatch",
      "missing-eku",
      "bad-key-usage",
      "name-constraint-violation",
      "path-too-long",
      "not-a-ca",
      "unsupported-critical-extension",
      "work-limit-exceeded",
      "no-certificate",
    ]);
    const parsed = seeds.map((s) => {
      const r = parseCertificate(s);
      assert.ok(r.ok);
      return r.value as Certificate;
    });
    let validated = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const next = rng(seed + 200_000);
      const which = seed % seeds.length;
      const m = parseCertificate(mutate(seeds[which] as Uint8Array, next));
      if (!m.ok) continue;
      const r = validateChain(m.value, {
        roots: parsed,
        intermediates: parsed,
        now: Date.now(),
        host: "a.example",
        provider: noble,
      });
      if (r.ok) validated++;
      else assert.ok(VALIDATION.has(r.error.code), r.error.code);
    }
    // A mutation that changes what is signed never validates; only ones in unsigned parts could.
    assert.ok(validated < 50, `${validated} mutated certificates validated`);
  });

  it("PEM text with random edits answers a result (fast-check, 2000 runs)", () => {
    const pem = encodePem("CERTIFICATE", seeds[0] as Uint8Array);
    const PEM_CODES = new Set([
      "no-pem",
      "bad-label",
      "unterminated",
      "label-mismatch",
      "bad-base64",
      "unexpected-label",
    ]);
    fc.assert(
      fc.property(fc.nat(), fc.string({ maxLength: 4 }), fc.nat({ max: 3 }), (at, text, drop) => {
        const i = at % (pem.length + 1);
        const r = decodePemAll(pem.slice(0, i) + text + pem.slice(i + drop));
        if (!r.ok) assert.ok(PEM_CODES.has(r.error.code), r.error.code);
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated CSRs answer a result (2000 inputs)", () => {
    const csr = createCsr(noble, {
      subject: [["CN", "fuzz"]],
      privateKey: noble.generateSigningKey("p256").privateKey,
      hosts: ["a.test", "10.0.0.1"],
    });
    for (let seed = 1; seed <= 2000; seed++) {
      const r = parseCsr(mutate(csr.der, rng(seed + 300_000)));
      if (!r.ok) assert.ok(CODES.has(r.error.code), `seed ${seed}: ${r.error.code}`);
    }
  });
});
