/**
 * A server's (or client's) credentials as a TLS endpoint loads them: a PEM certificate chain
 * (leaf first, as RFC 8446 §4.4.2 sends it) and the leaf's private key. Loading checks the key
 * belongs to the leaf, so a mismatched pair fails here and not in a peer's handshake.
 */
import { equalBytes } from "../bytes/index.ts";
import type { CryptoProvider, PrivateKey } from "../crypto/provider.ts";
import { type Certificate, parseCertificatesPem } from "./certificate.ts";
import { publicKeyOf } from "./create.ts";
import { encodeSpki, parsePrivateKeyPem } from "./keys.ts";

export interface Credentials {
  /** Leaf first, then the intermediates to send. */
  readonly chain: readonly Certificate[];
  readonly privateKey: PrivateKey;
}

export type CredentialsErrorCode =
  | "bad-certificate"
  | "bad-key"
  | "key-mismatch"
  | "unsupported-key";

export type CredentialsResult =
  | { ok: true; value: Credentials }
  | { ok: false; error: { code: CredentialsErrorCode; message: string } };

/** Reads a certificate chain and its private key from PEM, and checks they belong together. */
export function parseCredentials(
  certificatePem: string,
  keyPem: string,
  provider: Pick<CryptoProvider, "ecdhPublicKey">,
): CredentialsResult {
  const chain = parseCertificatesPem(certificatePem);
  if (!chain.ok)
    return {
      ok: false,
      error: { code: "bad-certificate", message: `certificate: ${chain.error.message}` },
    };
  const key = parsePrivateKeyPem(keyPem);
  if (!key.ok) {
    const code = key.error.code === "unsupported-key" ? "unsupported-key" : "bad-key";
    return { ok: false, error: { code, message: `private key: ${key.error.message}` } };
  }
  const leaf = chain.value[0] as Certificate;
  let spki: Uint8Array;
  try {
    spki = encodeSpki(publicKeyOf(provider, key.value));
  } catch {
    return {
      ok: false,
      error: { code: "bad-key", message: "private key out of range for its curve" },
    };
  }
  if (!equalBytes(spki, leaf.spkiDer)) {
    return {
      ok: false,
      error: {
        code: "key-mismatch",
        message: "the private key is not the key of the first certificate",
      },
    };
  }
  return { ok: true, value: { chain: chain.value, privateKey: key.value } };
}
