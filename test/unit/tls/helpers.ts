/** Shared test pieces: real certificates made by openssl, and two engines wired in memory. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CryptoProvider, PrivateKey } from "../../../stack/crypto/provider.ts";
import type { TlsEvent } from "../../../stack/tls/config.ts";
import type { TlsEngine } from "../../../stack/tls/engine.ts";
import { credentialsFromKey } from "../../../stack/tls/server.ts";
import { x509Verifier } from "../../../stack/tls/verify.ts";
import {
  type Certificate,
  parseCertificatesPem,
  parsePrivateKeyPem,
} from "../../../stack/x509/index.ts";

export type KeyKind = "p256" | "p384" | "rsa" | "ed25519";

export interface TestPki {
  dir: string;
  caPem: string;
  ca: Certificate;
  /** Per key kind: leaf chain (leaf, intermediate) DER, key, and file paths. */
  leaf(kind: KeyKind): {
    chain: Uint8Array[];
    key: PrivateKey;
    certFile: string;
    keyFile: string;
    chainFile: string;
  };
}

let cached: TestPki | undefined;

const KEYGEN: Record<KeyKind, string[]> = {
  p256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  p384: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  rsa: ["-newkey", "rsa:2048"],
  ed25519: ["-newkey", "ed25519"],
};

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A root CA, an intermediate, and one leaf per key kind for "localhost", made by openssl. */
export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "morgana-tls-"));
  writeFileSync(
    join(dir, "ext.cnf"),
    [
      "[ca]",
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "[leaf]",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "",
    ].join("\n"),
  );
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-subj",
      "/CN=Morgana Test Root",
      "-days",
      "30",
      "-extensions",
      "ca",
      "-config",
      "ext.cnf",
    ],
    dir,
  );
  openssl(
    [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "int.key",
      "-out",
      "int.csr",
      "-subj",
      "/CN=Morgana Test Intermediate",
    ],
    dir,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "int.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "int.pem",
      "-days",
      "30",
      "-extfile",
      "ext.cnf",
      "-extensions",
      "ca",
    ],
    dir,
  );
  const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
  const ca = must(parseCertificatesPem(caPem))[0] as Certificate;
  const leaves = new Map<KeyKind, ReturnType<TestPki["leaf"]>>();
  cached = {
    dir,
    caPem,
    ca,
    leaf(kind) {
      const hit = leaves.get(kind);
      if (hit) return hit;
      openssl(
        [
          "req",
          ...KEYGEN[kind],
          "-nodes",
          "-keyout",
          `${kind}.key`,
          "-out",
          `${kind}.csr`,
          "-subj",
          `/CN=localhost ${kind}`,
        ],
        dir,
      );
      openssl(
        [
          "x509",
          "-req",
          "-in",
          `${kind}.csr`,
          "-CA",
          "int.pem",
          "-CAkey",
          "int.key",
          "-CAcreateserial",
          "-out",
          `${kind}.pem`,
          "-days",
          "30",
          "-extfile",
          "ext.cnf",
          "-extensions",
          "leaf",
        ],
        dir,
      );
      const leafPem = readFileSync(join(dir, `${kind}.pem`), "utf8");
      const intPem = readFileSync(join(dir, "int.pem"), "utf8");
      writeFileSync(join(dir, `${kind}-chain.pem`), leafPem + intPem);
      const chain = [
        ...must(parseCertificatesPem(leafPem)),
        ...must(parseCertificatesPem(intPem)),
      ].map((c) => c.der);
      const key = must(parsePrivateKeyPem(readFileSync(join(dir, `${kind}.key`), "utf8")));
      const v = {
        chain,
        key,
        certFile: join(dir, `${kind}.pem`),
        keyFile: join(dir, `${kind}.key`),
        chainFile: join(dir, `${kind}-chain.pem`),
      };
      leaves.set(kind, v);
      return v;
    },
  };
  return cached;
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

export function serverCredentials(c: CryptoProvider, kind: KeyKind) {
  const leaf = testPki().leaf(kind);
  return credentialsFromKey(c, leaf.chain, leaf.key);
}

export function verifierFor(c: CryptoProvider) {
  return x509Verifier({ roots: [testPki().ca], crypto: c, wallMs: () => Date.now() });
}

/** Moves records both ways until neither side has anything to say; returns everything seen. */
export function pump(
  a: TlsEngine,
  b: TlsEngine,
  first: Uint8Array[],
): { aEvents: TlsEvent[]; bEvents: TlsEvent[]; aData: Uint8Array[]; bData: Uint8Array[] } {
  const seen = {
    aEvents: [] as TlsEvent[],
    bEvents: [] as TlsEvent[],
    aData: [] as Uint8Array[],
    bData: [] as Uint8Array[],
  };
  const toB = first;
  let toA: Uint8Array[] = [];
  for (let i = 0; i < 50 && (toA.length || toB.length); i++) {
    for (const r of toB.splice(0)) {
      const o = b.handle(r);
      toA.push(...o.records);
      seen.bEvents.push(...o.events);
      seen.bData.push(...o.data);
    }
    for (const r of toA.splice(0)) {
      const o = a.handle(r);
      toB.push(...o.records);
      seen.aEvents.push(...o.events);
      seen.aData.push(...o.data);
    }
    toA = toA.filter(Boolean);
  }
  return seen;
}
