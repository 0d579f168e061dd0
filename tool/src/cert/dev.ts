/**
 * Development certificates for Morgana unikernels: a local CA made once per folder, and
 * server certificates it signs for the hosts a sample serves (localhost, 127.0.0.1 and ::1
 * by default). ECDSA P-256 keys, which every browser and TLS library accepts. The result says
 * how to make curl, Node, Chromium, Firefox and Debian trust the CA. `morgana cert` prints it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createNodeCryptoProvider } from "../../../runtime/unix/src/crypto.ts";
import { toHex } from "../../../stack/bytes/index.ts";
import type { CryptoProvider, PrivateKey } from "../../../stack/crypto/index.ts";
import {
  type Certificate,
  certificateToPem,
  createCertificate,
  encodePrivateKeyPem,
  encodeSpki,
  nameToString,
  parseCertificatesPem,
  parsePrivateKeyPem,
  publicKeyOf,
  referenceIdentity,
  serialHex,
} from "../../../stack/x509/index.ts";

const DAY = 86_400_000;

export interface DevCertificateOptions {
  /** Folder for ca.pem, ca-key.pem, cert.pem and key.pem (made if missing). */
  readonly dir: string;
  /** Names and addresses the server certificate is for. Default: localhost, 127.0.0.1, ::1. */
  readonly hosts?: readonly string[];
  /** Server certificate lifetime in days (default 365; Apple platforms refuse more than 825). */
  readonly days?: number;
  /** CA lifetime in days when a CA is made (default 3650). */
  readonly caDays?: number;
  /** The current time in ms (default: the host clock). */
  readonly now?: number;
  /** Crypto provider for keys, signatures and serials (default: node:crypto). */
  readonly provider?: CryptoProvider;
  /**
   * Where the server certificate and key go (default: `dir`). A unikernel packs this folder
   * into its image, so it must not be the CA's: the CA key never travels with the app.
   */
  readonly serverDir?: string;
  /** File names of the server certificate and key (default cert.pem and key.pem). */
  readonly certificateName?: string;
  readonly keyName?: string;
}

export interface DevFile {
  readonly path: string;
  /** Whether this call wrote it (false: an existing CA was reused). */
  readonly written: boolean;
}

export interface DevCertificates {
  readonly dir: string;
  readonly ca: {
    readonly cert: DevFile;
    readonly key: DevFile;
    readonly subject: string;
    readonly notAfter: string;
    /** SHA-256 of the CA certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256` prints it). */
    readonly sha256: string;
  };
  readonly server: {
    readonly cert: DevFile;
    readonly key: DevFile;
    readonly hosts: readonly string[];
    readonly serial: string;
    readonly notBefore: string;
    readonly notAfter: string;
  };
  /** How to trust the CA, one entry per client, and all of it as text. */
  readonly trust: {
    readonly curl: string;
    readonly node: string;
    readonly chromium: string;
    readonly firefox: string;
    readonly debian: string;
    readonly text: string;
  };
}

export type DevCertificateErrorCode =
  | "bad-host"
  | "bad-days"
  | "ca-unreadable"
  | "ca-key-mismatch"
  | "ca-expired";

export type DevCertificateResult =
  | { ok: true; value: DevCertificates }
  | { ok: false; error: { code: DevCertificateErrorCode; message: string } };

export const DEFAULT_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "::1"];

function fail(code: DevCertificateErrorCode, message: string): DevCertificateResult {
  return { ok: false, error: { code, message } };
}

function fingerprint(provider: CryptoProvider, der: Uint8Array): string {
  return (toHex(provider.hash("sha256", der)).toUpperCase().match(/../g) ?? []).join(":");
}

function writeKey(path: string, key: PrivateKey): void {
  writeFileSync(path, encodePrivateKeyPem(key), { mode: 0o600 });
}

/** The existing CA in `dir`, checked: it parses, is a CA, is still valid, and the key is its key. */
function loadCa(
  provider: CryptoProvider,
  certPath: string,
  keyPath: string,
  now: number,
): { ok: true; cert: Certificate; key: PrivateKey } | DevCertificateResult {
  const certs = parseCertificatesPem(readFileSync(certPath, "utf8"));
  if (!certs.ok) return fail("ca-unreadable", `${certPath}: ${certs.error.message}`);
  const key = parsePrivateKeyPem(readFileSync(keyPath, "utf8"));
  if (!key.ok) return fail("ca-unreadable", `${keyPath}: ${key.error.message}`);
  const cert = certs.value[0] as Certificate;
  if (cert.extensions.basicConstraints?.cA !== true)
    return fail("ca-unreadable", `${certPath} is not a CA certificate`);
  if (toHex(encodeSpki(publicKeyOf(provider, key.value))) !== toHex(cert.spkiDer)) {
    return fail("ca-key-mismatch", `${keyPath} is not the key of ${certPath}`);
  }
  if (now > cert.notAfter - DAY) {
    return fail(
      "ca-expired",
      `the dev CA in ${certPath} expired (or expires within a day) on ${new Date(cert.notAfter).toISOString()}; delete ca.pem and ca-key.pem to make a new one`,
    );
  }
  return { ok: true, cert, key: key.value };
}

/**
 * Writes a dev CA (ca.pem, ca-key.pem) into `dir` unless one is there, and a new server
 * certificate and key (cert.pem, key.pem) for `hosts`, signed by it.
 */
export function makeDevCertificates(options: DevCertificateOptions): DevCertificateResult {
  const provider = options.provider ?? createNodeCryptoProvider();
  const now = options.now ?? Date.now();
  const hosts = [...new Set((options.hosts ?? DEFAULT_HOSTS).map((h) => h.trim()))];
  const days = options.days ?? 365;
  const caDays = options.caDays ?? 3650;
  for (const h of hosts) {
    const plain = h.startsWith("*.") ? h.slice(2) : h;
    if (referenceIdentity(plain) === undefined)
      return fail("bad-host", `not a host name or IP address: ${JSON.stringify(h)}`);
  }
  if (hosts.length === 0) return fail("bad-host", "no hosts given");
  if (!(Number.isInteger(days) && days >= 1 && days <= 825))
    return fail("bad-days", `days must be 1-825, not ${days}`);
  if (!(Number.isInteger(caDays) && caDays >= days))
    return fail("bad-days", `CA days must be a whole number of at least ${days}`);

  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const caCertPath = join(dir, "ca.pem");
  const caKeyPath = join(dir, "ca-key.pem");
  let ca: Certificate;
  let caKey: PrivateKey;
  const caExists = existsSync(caCertPath) && existsSync(caKeyPath);
  if (caExists) {
    const loaded = loadCa(provider, caCertPath, caKeyPath, now);
    if (!("cert" in loaded)) return loaded;
    ca = loaded.cert;
    caKey = loaded.key;
  } else {
    const pair = provider.generateSigningKey("p256");
    caKey = pair.privateKey;
    // The CA names its folder's creation time, so two dev CAs are told apart in a trust store.
    const stamp = new Date(now).toISOString().slice(0, 16).replace("T", " ");
    ca = createCertificate(
      provider,
      {
        subject: [
          ["O", "Morgana development CA"],
          ["CN", `Morgana Dev CA ${stamp}`],
        ],
        publicKey: pair.publicKey,
        notBefore: now - 60_000,
        notAfter: now + caDays * DAY,
        ca: { pathLen: 0 },
      },
      { privateKey: caKey },
    );
    writeKey(caKeyPath, caKey);
    writeFileSync(caCertPath, certificateToPem(ca));
  }

  const serverKey = provider.generateSigningKey("p256");
  const server = createCertificate(
    provider,
    {
      subject: [["CN", hosts[0] as string]],
      publicKey: serverKey.publicKey,
      // A minute of slack for clocks a little behind.
      notBefore: now - 60_000,
      notAfter: Math.min(now + days * DAY, ca.notAfter),
      hosts,
      extKeyUsage: ["serverAuth"],
    },
    { certificate: ca, privateKey: caKey },
  );
  const serverDir = resolve(options.serverDir ?? dir);
  mkdirSync(serverDir, { recursive: true });
  const certPath = join(serverDir, options.certificateName ?? "cert.pem");
  const keyPath = join(serverDir, options.keyName ?? "key.pem");
  writeKey(keyPath, serverKey.privateKey);
  writeFileSync(certPath, certificateToPem(server));

  const caName = nameToString(ca.subject);
  const firstHost = hosts[0] as string;
  const urlHost = firstHost.includes(":") ? `[${firstHost}]` : firstHost.replace(/^\*\./, "www.");
  const trust = {
    curl: `curl --cacert ${caCertPath} https://${urlHost}:8443/`,
    node: `NODE_EXTRA_CA_CERTS=${caCertPath} node app.js`,
    chromium:
      `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "${caName}" -i ${caCertPath}` +
      "   (Debian package libnss3-tools; or Settings > Privacy and security > Security > Manage certificates > Authorities > Import)",
    firefox: `Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import... ${caCertPath}, tick "Trust this CA to identify websites"`,
    debian: `sudo cp ${caCertPath} /usr/local/share/ca-certificates/morgana-dev-ca.crt && sudo update-ca-certificates`,
  };
  const text = [
    `Dev CA: ${caCertPath}${caExists ? " (existing)" : " (new)"}`,
    `  ${caName}, SHA-256 ${fingerprint(provider, ca.der)}`,
    `Server certificate for ${hosts.join(", ")}: ${certPath}, key ${keyPath}`,
    `  valid until ${new Date(server.notAfter).toISOString()}`,
    "",
    "To trust the dev CA:",
    `  curl:      ${trust.curl}`,
    `  Node:      ${trust.node}`,
    `  Chromium:  ${trust.chromium}`,
    `  Firefox:   ${trust.firefox}`,
    `  Debian:    ${trust.debian}`,
    "",
    `Keep ${caKeyPath} private: anyone with it can make certificates your browser will trust.`,
  ].join("\n");
  return {
    ok: true,
    value: {
      dir,
      ca: {
        cert: { path: caCertPath, written: !caExists },
        key: { path: caKeyPath, written: !caExists },
        subject: caName,
        notAfter: new Date(ca.notAfter).toISOString(),
        sha256: fingerprint(provider, ca.der),
      },
      server: {
        cert: { path: certPath, written: true },
        key: { path: keyPath, written: true },
        hosts,
        serial: serialHex(server.serialNumber),
        notBefore: new Date(server.notBefore).toISOString(),
        notAfter: new Date(server.notAfter).toISOString(),
      },
      trust: { ...trust, text },
    },
  };
}
