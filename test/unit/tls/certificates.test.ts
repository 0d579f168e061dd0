/**
 * The client verifies real chains made by openssl (root -> intermediate -> leaf) and fails with
 * the right alert on a wrong host, an expired chain, an unknown CA, a bad signature, a missing
 * EKU and a name-constraint violation (RFC 8446 §4.4.2.4, §6.2).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TlsClient } from "../../../stack/tls/client.ts";
import type { TlsFailure } from "../../../stack/tls/errors.ts";
import { credentialsFromPem, rootsFromPem } from "../../../stack/tls/pem.ts";
import { credentialsFromKey, TlsServer } from "../../../stack/tls/server.ts";
import { x509Verifier } from "../../../stack/tls/verify.ts";
import { parseCertificatesPem, parsePrivateKeyPem } from "../../../stack/x509/index.ts";
import { providers } from "../crypto/providers.ts";
import { pump, testPki } from "./helpers.ts";

const c = providers[1] as (typeof providers)[1];
const DAY = 86_400_000;

function sh(dir: string, args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A leaf for localhost signed by the test intermediate (or `caName`), with extra extensions. */
function leafWith(name: string, ext: string, issuer: "int" | "other" | "constrained" = "int") {
  const pki = testPki();
  const dir = pki.dir;
  if (issuer === "other") {
    sh(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "other.key",
      "-out",
      "other.pem",
      "-subj",
      "/CN=Someone Else",
      "-days",
      "30",
      "-extensions",
      "ca",
      "-config",
      "ext.cnf",
    ]);
  }
  if (issuer === "constrained") {
    writeFileSync(
      join(dir, "nc.cnf"),
      "[nc]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nnameConstraints=critical,permitted;DNS:example.com\n",
    );
    sh(dir, [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "constrained.key",
      "-out",
      "constrained.csr",
      "-subj",
      "/CN=Constrained CA",
    ]);
    sh(dir, [
      "x509",
      "-req",
      "-in",
      "constrained.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "constrained.pem",
      "-days",
      "30",
      "-extfile",
      "nc.cnf",
      "-extensions",
      "nc",
    ]);
  }
  writeFileSync(
    join(dir, `${name}.cnf`),
    `[x]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:localhost\n${ext}\n`,
  );
  sh(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
  sh(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${issuer}.pem`,
    "-CAkey",
    `${issuer}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "30",
    "-extfile",
    `${name}.cnf`,
    "-extensions",
    "x",
  ]);
  const certs = [
    ...must(parseCertificatesPem(readFileSync(join(dir, `${name}.pem`), "utf8"))),
    ...(issuer === "other"
      ? []
      : must(parseCertificatesPem(readFileSync(join(dir, `${issuer}.pem`), "utf8")))),
  ];
  const key = must(parsePrivateKeyPem(readFileSync(join(dir, `${name}.key`), "utf8")));
  return { chain: certs.map((x) => x.der), key };
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function connect(
  chain: Uint8Array[],
  key: Parameters<typeof credentialsFromKey>[2],
  opts: { host?: string; wallMs?: number } = {},
) {
  const verifier = x509Verifier({
    roots: [testPki().ca],
    crypto: c,
    wallMs: () => opts.wallMs ?? Date.now(),
  });
  const client = new TlsClient({ crypto: c, serverName: opts.host ?? "localhost", verifier });
  const server = new TlsServer({ crypto: c, credentials: credentialsFromKey(c, chain, key) });
  const seen = pump(client, server, client.start().records);
  return { client, server, seen };
}

function expectRefused(r: ReturnType<typeof connect>, failure: TlsFailure, why: RegExp) {
  assert.equal(r.client.failure?.failure, failure, r.client.failure?.reason);
  assert.match(r.client.failure?.reason ?? "", why);
  // The server hears about it as an alert, not a silent close.
  assert.ok(r.seen.bEvents.some((e) => e.type === "alert-received"));
}

describe("TLS 1.3 client: certificate checks on openssl-made chains", function () {
  this.timeout(20000);
  const good = () => testPki().leaf("p256");

  it("a chain through an intermediate to the root verifies", () => {
    const r = connect(good().chain, good().key);
    assert.equal(r.client.status, "open", r.client.failure?.reason);
  });
  it("a wrong host: bad_certificate", () => {
    expectRefused(
      connect(good().chain, good().key, { host: "example.org" }),
      "bad-certificate",
      /name-mismatch/,
    );
  });
  it("an expired chain: certificate_expired", () => {
    expectRefused(
      connect(good().chain, good().key, { wallMs: Date.now() + 60 * DAY }),
      "certificate-expired",
      /expired/,
    );
  });
  it("an unknown CA: unknown_ca", () => {
    const l = leafWith("stranger", "", "other");
    expectRefused(connect(l.chain, l.key), "unknown-ca", /unknown-ca/);
  });
  it("a bad signature on the leaf: bad_certificate", () => {
    const chain = good().chain.map((d) => d.slice());
    const leaf = chain[0] as Uint8Array;
    leaf[leaf.length - 5] = (leaf[leaf.length - 5] as number) ^ 0x40;
    expectRefused(connect(chain, good().key), "bad-certificate", /bad-signature/);
  });
  it("a leaf for client authentication only: unsupported_certificate", () => {
    const l = leafWith("clientonly", "extendedKeyUsage=clientAuth");
    expectRefused(connect(l.chain, l.key), "unsupported-certificate", /missing-eku/);
  });
  it("a leaf outside its CA's name constraints: bad_certificate", () => {
    const l = leafWith("outside", "extendedKeyUsage=serverAuth", "constrained");
    expectRefused(connect(l.chain, l.key), "bad-certificate", /name-constraint/);
  });
});

describe("credentials and roots from PEM", () => {
  it("a chain and its key make working credentials; another key is refused", () => {
    const pki = testPki();
    const chainPem = readFileSync(pki.leaf("p256").chainFile, "utf8");
    const keyPem = readFileSync(pki.leaf("p256").keyFile, "utf8");
    const creds = credentialsFromPem(c, chainPem, keyPem);
    assert.ok(creds.ok, creds.ok ? "" : creds.error);
    assert.equal(creds.value.chain.length, 2);
    const roots = rootsFromPem(pki.caPem);
    assert.ok(roots.ok);
    const verifier = x509Verifier({ roots: roots.value, crypto: c, wallMs: () => Date.now() });
    const client = new TlsClient({ crypto: c, serverName: "localhost", verifier });
    const server = new TlsServer({ crypto: c, credentials: creds.value });
    pump(client, server, client.start().records);
    assert.equal(client.status, "open");
    const otherKey = readFileSync(pki.leaf("p384").keyFile, "utf8");
    assert.equal(credentialsFromPem(c, chainPem, otherKey).ok, false);
    const sameKindOtherKey = readFileSync(join(pki.dir, "int.key"), "utf8");
    assert.equal(credentialsFromPem(c, chainPem, sameKindOtherKey).ok, false);
    assert.equal(credentialsFromPem(c, "nonsense", keyPem).ok, false);
  });
});
