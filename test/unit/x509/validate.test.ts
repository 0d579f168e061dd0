import assert from "node:assert/strict";
import {
  type Certificate,
  certificateToPem,
  parseCertificatesPem,
  type ValidationFailureCode,
  validateChain,
} from "../../../stack/x509/index.ts";
import { OpenSsl } from "./openssl.ts";
import { noble, PROVIDERS } from "./providers.ts";

const DAY = 86_400_000;
const LEAF_EXT = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=serverAuth",
];
const CA_EXT = [
  "basicConstraints=critical,CA:TRUE",
  "keyUsage=critical,keyCertSign,cRLSign",
  "subjectKeyIdentifier=hash",
  "authorityKeyIdentifier=keyid",
];

/**
 * Real chains made by OpenSSL in a temp dir; each case is validated by Morgana and by
 * `openssl verify` with the same anchor, time, purpose and host, and the two must agree.
 */
describe("x509: path validation (RFC 5280 §6) and host names (RFC 9525) on openssl chains", function () {
  this.timeout(120_000);
  let ssl: OpenSsl;
  const certs = new Map<string, Certificate>();
  const load = (name: string): Certificate => {
    let c = certs.get(name);
    if (c === undefined) {
      const r = parseCertificatesPem(ssl.read(`${name}.pem`));
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      c = r.value[0] as Certificate;
      certs.set(name, c);
    }
    return c;
  };

  before(() => {
    ssl = new OpenSsl();
    ssl.selfSigned(
      "root",
      "p256",
      "/O=Morgana Test/CN=Root",
      [
        "basicConstraints=critical,CA:TRUE",
        "keyUsage=critical,keyCertSign,cRLSign",
        "subjectKeyIdentifier=hash",
      ],
      ["-days", "3650"],
    );
    ssl.signed(
      "inter",
      "p384",
      "/O=Morgana Test/CN=Intermediate",
      "root",
      [
        ...CA_EXT.slice(0, 1).map(() => "basicConstraints=critical,CA:TRUE,pathlen:0"),
        ...CA_EXT.slice(1),
      ],
      ["-days", "1000"],
    );
    ssl.signed("leaf", "rsa2048", "/CN=www.example.com", "inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:www.example.com,DNS:*.apps.example.com,IP:192.0.2.7,IP:2001:db8::1",
    ]);
    ssl.signed("leaf-ed", "ed25519", "/CN=ed.example.com", "inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:ed.example.com",
    ]);
    ssl.signed("leaf-client", "p256", "/CN=client", "inter", [
      "basicConstraints=critical,CA:FALSE",
      "extendedKeyUsage=clientAuth",
      "subjectAltName=DNS:www.example.com",
    ]);
    ssl.signed("leaf-cn-only", "p256", "/CN=www.example.com", "inter", LEAF_EXT);
    // Another root the client does not trust.
    ssl.selfSigned("other", "p256", "/CN=Other Root", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign",
    ]);
    ssl.signed("leaf-other", "p256", "/CN=www.example.com", "other", [
      ...LEAF_EXT,
      "subjectAltName=DNS:www.example.com",
    ]);
    // Name constraints: an intermediate limited to example.com and 10.0.0.0/8.
    ssl.signed("nc-inter", "p256", "/CN=Constrained", "root", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign",
      "nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0",
    ]);
    ssl.signed("nc-good", "p256", "/CN=ok", "nc-inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:a.example.com,IP:10.1.1.1",
    ]);
    ssl.signed("nc-bad", "p256", "/CN=bad", "nc-inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:www.other.org",
    ]);
    ssl.signed("nc-bad-ip", "p256", "/CN=bad ip", "nc-inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:b.example.com,IP:192.168.1.1",
    ]);
    // pathlen: inter allows no further CA; a second-level CA under it issues a leaf.
    ssl.signed("inter2", "p256", "/CN=Second level", "inter", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign",
    ]);
    ssl.signed("deep-leaf", "p256", "/CN=deep", "inter2", [
      ...LEAF_EXT,
      "subjectAltName=DNS:www.example.com",
    ]);
    // A leaf posing as a CA.
    ssl.signed("leaf-cn-only-as-ca", "p256", "/CN=not a ca", "inter", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyCertSign",
    ]);
    ssl.signed("fake-ca-leaf", "p256", "/CN=fake ca", "leaf-cn-only-as-ca", LEAF_EXT);
  });
  after(() => ssl.close());

  interface Case {
    name: string;
    leaf: string;
    chain?: string[];
    roots?: string[];
    host?: string;
    purpose?: "serverAuth" | "clientAuth";
    at?: (leaf: Certificate) => number;
    mutate?: (der: Uint8Array) => Uint8Array;
    expect: ValidationFailureCode | "ok";
    /** Where OpenSSL answers otherwise, and why. */
    opensslSays?: { ok: boolean; why: string };
  }

  const NOW = () => Date.now();
  const cases: Case[] = [
    {
      name: "a good chain through an intermediate",
      leaf: "leaf",
      chain: ["inter"],
      host: "www.example.com",
      expect: "ok",
    },
    {
      name: "a good Ed25519 leaf",
      leaf: "leaf-ed",
      chain: ["inter"],
      host: "ed.example.com",
      expect: "ok",
    },
    {
      name: "a wildcard SAN for one label",
      leaf: "leaf",
      chain: ["inter"],
      host: "x.apps.example.com",
      expect: "ok",
    },
    {
      name: "an IPv4 host against iPAddress SANs",
      leaf: "leaf",
      chain: ["inter"],
      host: "192.0.2.7",
      expect: "ok",
    },
    {
      name: "an IPv6 host against iPAddress SANs",
      leaf: "leaf",
      chain: ["inter"],
      host: "2001:db8:0::1",
      expect: "ok",
    },
    {
      name: "the wrong host",
      leaf: "leaf",
      chain: ["inter"],
      host: "mail.example.com",
      expect: "name-mismatch",
    },
    {
      name: "a wildcard for two labels",
      leaf: "leaf",
      chain: ["inter"],
      host: "a.b.apps.example.com",
      expect: "name-mismatch",
    },
    {
      name: "an IP host with no such iPAddress SAN",
      leaf: "leaf",
      chain: ["inter"],
      host: "192.0.2.8",
      expect: "name-mismatch",
    },
    {
      name: "CN only (no CN fallback)",
      leaf: "leaf-cn-only",
      chain: ["inter"],
      host: "www.example.com",
      expect: "name-mismatch",
      opensslSays: {
        ok: true,
        why: "OpenSSL falls back to the CN when a certificate has no DNS SAN; RFC 9525 §6.3 forbids it",
      },
    },
    {
      name: "an expired leaf",
      leaf: "leaf",
      chain: ["inter"],
      at: (l) => l.notAfter + DAY,
      expect: "expired",
    },
    {
      name: "a leaf not yet valid",
      leaf: "leaf",
      chain: ["inter"],
      at: (l) => l.notBefore - DAY,
      expect: "not-yet-valid",
    },
    { name: "an unknown CA", leaf: "leaf-other", host: "www.example.com", expect: "unknown-ca" },
    { name: "a missing intermediate", leaf: "leaf", host: "www.example.com", expect: "unknown-ca" },
    {
      name: "a bad signature (one byte flipped)",
      leaf: "leaf",
      chain: ["inter"],
      mutate: flipLastByte,
      expect: "bad-signature",
    },
    {
      name: "an EKU without serverAuth",
      leaf: "leaf-client",
      chain: ["inter"],
      host: "www.example.com",
      expect: "missing-eku",
    },
    {
      name: "the same leaf for clientAuth",
      leaf: "leaf-client",
      chain: ["inter"],
      purpose: "clientAuth",
      expect: "ok",
    },
    {
      name: "a DNS name inside name constraints",
      leaf: "nc-good",
      chain: ["nc-inter"],
      host: "a.example.com",
      expect: "ok",
    },
    {
      name: "a DNS name outside name constraints",
      leaf: "nc-bad",
      chain: ["nc-inter"],
      host: "www.other.org",
      expect: "name-constraint-violation",
    },
    {
      name: "an IP outside name constraints",
      leaf: "nc-bad-ip",
      chain: ["nc-inter"],
      expect: "name-constraint-violation",
    },
    {
      name: "pathLen exceeded",
      leaf: "deep-leaf",
      chain: ["inter2", "inter"],
      host: "www.example.com",
      expect: "path-too-long",
    },
    {
      name: "a leaf used as a CA",
      leaf: "fake-ca-leaf",
      chain: ["leaf-cn-only-as-ca", "inter"],
      expect: "not-a-ca",
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.expect}, and openssl verify agrees`, () => {
      let leaf = load(c.leaf);
      if (c.mutate !== undefined) {
        const r = parseCertificatesPem(certificateToPem({ der: c.mutate(leaf.der) }));
        assert.ok(r.ok);
        leaf = r.value[0] as Certificate;
      }
      const now = c.at?.(leaf) ?? NOW();
      const roots = (c.roots ?? ["root"]).map(load);
      for (const provider of PROVIDERS) {
        const r = validateChain(leaf, {
          roots,
          intermediates: (c.chain ?? []).map(load),
          now,
          host: c.host,
          purpose: c.purpose,
          provider,
        });
        assert.equal(
          r.ok ? "ok" : r.error.code,
          c.expect,
          r.ok ? `${provider.name}` : `${provider.name}: ${r.error.message}`,
        );
        if (r.ok) {
          assert.equal(r.value.path[0], leaf);
          assert.equal(r.value.anchor, roots[0]);
          assert.equal(r.value.path.length, (c.chain?.length ?? 0) + 2);
        }
      }
      // OpenSSL on the same question.
      ssl.write("case-leaf.pem", certificateToPem(leaf));
      ssl.write(
        "case-chain.pem",
        (c.chain ?? []).map((n) => ssl.read(`${n}.pem`)).join("") || "\n",
      );
      const args = [
        "verify",
        "-CAfile",
        `${c.roots?.[0] ?? "root"}.pem`,
        "-attime",
        String(Math.floor(now / 1000)),
        "-purpose",
        c.purpose === "clientAuth" ? "sslclient" : "sslserver",
      ];
      if ((c.chain ?? []).length > 0) args.push("-untrusted", "case-chain.pem");
      if (c.host !== undefined)
        args.push(
          /:|^\d+\.\d+\.\d+\.\d+$/.test(c.host) ? "-verify_ip" : "-verify_hostname",
          c.host,
        );
      args.push("case-leaf.pem");
      const o = ssl.tryRun(args);
      assert.equal(
        o.status === 0,
        c.opensslSays?.ok ?? c.expect === "ok",
        `openssl verify: ${o.out}`,
      );
    });
  }

  it("trusts a self-signed certificate given as the anchor itself", () => {
    ssl.selfSigned("self", "p256", "/CN=localhost", [
      "subjectAltName=DNS:localhost",
      "basicConstraints=critical,CA:FALSE",
    ]);
    const self = load("self");
    const r = validateChain(self, {
      roots: [self],
      now: Date.now(),
      host: "localhost",
      provider: noble,
    });
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    const bad = validateChain(self, {
      roots: [load("root")],
      now: Date.now(),
      host: "localhost",
      provider: noble,
    });
    assert.equal(bad.ok ? "ok" : bad.error.code, "unknown-ca");
  });

  it("refuses an unknown critical extension", () => {
    ssl.signed("crit-leaf", "p256", "/CN=crit", "inter", [
      ...LEAF_EXT,
      "subjectAltName=DNS:www.example.com",
      "1.2.3.4.5=critical,DER:0500",
    ]);
    const r = validateChain(load("crit-leaf"), {
      roots: [load("root")],
      intermediates: [load("inter")],
      now: Date.now(),
      provider: noble,
    });
    assert.equal(r.ok ? "ok" : r.error.code, "unsupported-critical-extension");
  });

  it("stops at its limits: depth and signature checks", () => {
    const opts = {
      roots: [load("root")],
      intermediates: [load("inter")],
      now: Date.now(),
      provider: noble,
    };
    const depth = validateChain(load("leaf"), { ...opts, maxIntermediates: 0 });
    assert.equal(depth.ok ? "ok" : depth.error.code, "path-too-long");
    const work = validateChain(load("leaf"), { ...opts, maxSignatureChecks: 1 });
    assert.equal(work.ok ? "ok" : work.error.code, "work-limit-exceeded");
    // Many look-alike intermediates (same name, wrong keys): bounded work, and the answer is still found or refused.
    let calls = 0;
    const counting = {
      verify: (...a: Parameters<typeof noble.verify>) => {
        calls++;
        return noble.verify(...a);
      },
    };
    const decoys = Array.from({ length: 50 }, (_, i) => {
      const c = load("nc-inter");
      return {
        ...c,
        der: Uint8Array.from([...c.der, i]),
        subject: load("inter").subject,
        extensions: { ...c.extensions, subjectKeyIdentifier: undefined },
      };
    });
    const r = validateChain(load("leaf"), {
      ...opts,
      intermediates: [...decoys, load("inter")],
      provider: counting,
    });
    assert.ok(calls <= 32, `${calls} signature checks`);
    assert.equal(r.ok ? "ok" : r.error.code, "work-limit-exceeded");
  });

  it("cross-signed CAs: a path through the cross-certificate validates, and a cycle of cross-certificates ends", () => {
    const caExt = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign"];
    ssl.selfSigned("X", "p256", "/CN=Cross X", caExt);
    ssl.selfSigned("Y", "p256", "/CN=Cross Y", caExt);
    ssl.write("cross.ext", `${caExt.join("\n")}\n`);
    // X's key certified by Y, and Y's key certified by X.
    const crossSign = (subjectKey: string, subject: string, by: string, out: string) => {
      ssl.run(["req", "-new", "-key", `${subjectKey}.key`, "-subj", subject, "-out", `${out}.csr`]);
      ssl.run([
        "x509",
        "-req",
        "-in",
        `${out}.csr`,
        "-CA",
        `${by}.pem`,
        "-CAkey",
        `${by}.key`,
        "-CAcreateserial",
        "-extfile",
        "cross.ext",
        "-days",
        "30",
        "-out",
        `${out}.pem`,
      ]);
    };
    crossSign("X", "/CN=Cross X", "Y", "X-by-Y");
    crossSign("Y", "/CN=Cross Y", "X", "Y-by-X");
    ssl.signed("xleaf", "p256", "/CN=x.test", "X", [...LEAF_EXT, "subjectAltName=DNS:x.test"]);
    const leaf = load("xleaf");
    const opts = { now: Date.now(), host: "x.test", provider: noble };
    // Trusting only Y: leaf -> X (certified by Y) -> Y.
    const viaCross = validateChain(leaf, {
      ...opts,
      roots: [load("Y")],
      intermediates: [load("Y-by-X"), load("X-by-Y")],
    });
    assert.ok(viaCross.ok, viaCross.ok ? "" : viaCross.error.message);
    if (viaCross.ok)
      assert.deepEqual(
        viaCross.value.path.map((c) => c.der),
        [leaf.der, load("X-by-Y").der, load("Y").der],
      );
    // Trusting neither: X-by-Y and Y-by-X lead to each other forever; building stops.
    let calls = 0;
    const counting = {
      verify: (...a: Parameters<typeof noble.verify>) => {
        calls++;
        return noble.verify(...a);
      },
    };
    const cycle = validateChain(leaf, {
      ...opts,
      provider: counting,
      roots: [load("root")],
      intermediates: [load("Y-by-X"), load("X-by-Y")],
    });
    assert.equal(cycle.ok ? "ok" : cycle.error.code, "unknown-ca");
    assert.ok(calls <= 4, `${calls} signature checks`);
    // OpenSSL agrees on both.
    ssl.write("cross-chain.pem", ssl.read("Y-by-X.pem") + ssl.read("X-by-Y.pem"));
    assert.equal(
      ssl.tryRun(["verify", "-CAfile", "Y.pem", "-untrusted", "cross-chain.pem", "xleaf.pem"])
        .status,
      0,
    );
    assert.notEqual(
      ssl.tryRun(["verify", "-CAfile", "root.pem", "-untrusted", "cross-chain.pem", "xleaf.pem"])
        .status,
      0,
    );
  });

  it("no certificate at all", () => {
    const r = validateChain(undefined, { roots: [], now: 0, provider: noble });
    assert.equal(r.ok ? "ok" : r.error.code, "no-certificate");
  });
});

function flipLastByte(der: Uint8Array): Uint8Array {
  const out = der.slice();
  out[out.length - 1] = (out[out.length - 1] as number) ^ 0x01;
  return out;
}
