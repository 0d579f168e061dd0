/**
 * Server credentials and client roots from PEM text (what a `tls` device reads from its
 * `kv_ro`): certificates through stack/x509, the key as PKCS#8, SEC 1 or PKCS#1.
 */
import type { CryptoProvider } from "../crypto/provider.ts";
import { type Certificate, parseCertificatesPem, parsePrivateKeyPem } from "../x509/index.ts";
import type { ServerCredentials } from "./config.ts";
import { credentialsFromKey } from "./server.ts";
import { schemeAlgorithm } from "./suites.ts";

export type PemResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** A chain (leaf first, as the PEM lists it) and its private key. */
export function credentialsFromPem(
  crypto: CryptoProvider,
  chainPem: string,
  keyPem: string,
): PemResult<ServerCredentials> {
  const certs = parseCertificatesPem(chainPem);
  if (!certs.ok) return { ok: false, error: `certificate: ${certs.error.message}` };
  if (certs.value.length === 0) return { ok: false, error: "certificate: no CERTIFICATE block" };
  const key = parsePrivateKeyPem(keyPem);
  if (!key.ok) return { ok: false, error: `key: ${key.error.message}` };
  const leafKey = certs.value[0]?.publicKey;
  if (!leafKey || leafKey.kind !== key.value.kind) {
    return { ok: false, error: "the key does not belong to the first certificate" };
  }
  // The key must be the certificate's: sign and verify one message to be sure.
  const creds = credentialsFromKey(
    crypto,
    certs.value.map((c) => c.der),
    key.value,
  );
  const probe = new Uint8Array(32).fill(0x5a);
  const scheme = creds.schemes[0] as number;
  const alg = schemeAlgorithm(scheme);
  let matches = false;
  try {
    matches = alg !== null && crypto.verify(alg, leafKey, probe, creds.sign(scheme, probe));
  } catch {
    matches = false;
  }
  if (!matches) return { ok: false, error: "the key does not belong to the first certificate" };
  return { ok: true, value: creds };
}

/** Trust anchors for `x509Verifier` from a PEM bundle. */
export function rootsFromPem(pem: string): PemResult<Certificate[]> {
  const certs = parseCertificatesPem(pem);
  if (!certs.ok) return { ok: false, error: certs.error.message };
  return { ok: true, value: certs.value };
}
