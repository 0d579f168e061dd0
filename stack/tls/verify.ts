/**
 * The client's certificate check on stack/x509: RFC 5280 path validation to the given roots
 * and RFC 9525 host names, with X.509's failure codes mapped to TLS alerts (RFC 8446 §6.2).
 */
import type { CryptoProvider } from "../crypto/provider.ts";
import {
  type Certificate,
  nameToString,
  parseCertificate,
  type ValidationFailureCode,
  validateChain,
} from "../x509/index.ts";
import type { CertificateVerifier } from "./config.ts";
import type { CertificateFailure } from "./errors.ts";

export interface X509VerifierOptions {
  roots: readonly Certificate[];
  crypto: CryptoProvider;
  /** Wall-clock milliseconds for validity periods (injected: the stack reads no clock). */
  wallMs: () => number;
}

/** The alert for each validation failure. */
export function certificateFailureFor(code: ValidationFailureCode): CertificateFailure {
  switch (code) {
    case "expired":
    case "not-yet-valid":
      return "certificate-expired";
    case "unknown-ca":
      return "unknown-ca";
    case "unsupported-algorithm":
    case "unsupported-critical-extension":
    case "missing-eku":
    case "bad-key-usage":
      return "unsupported-certificate";
    case "work-limit-exceeded":
      return "certificate-unknown";
    default:
      // bad-signature, name-mismatch, name-constraint-violation, path-too-long, not-a-ca,
      // no-certificate: the chain itself is wrong.
      return "bad-certificate";
  }
}

export function x509Verifier(opts: X509VerifierOptions): CertificateVerifier {
  return (chain, serverName) => {
    const parsed: Certificate[] = [];
    for (const der of chain) {
      const r = parseCertificate(der);
      if (!r.ok)
        return {
          ok: false,
          failure: "bad-certificate",
          reason: `certificate does not parse: ${r.error.message}`,
        };
      parsed.push(r.value);
    }
    const result = validateChain(parsed[0], {
      roots: opts.roots,
      intermediates: parsed.slice(1),
      now: opts.wallMs(),
      ...(serverName !== undefined ? { host: serverName } : {}),
      purpose: "serverAuth",
      provider: opts.crypto,
    });
    if (!result.ok) {
      return {
        ok: false,
        failure: certificateFailureFor(result.error.code),
        reason: `${result.error.code}: ${result.error.message}`,
      };
    }
    return {
      ok: true,
      publicKey: result.value.leafKey,
      subject: nameToString(result.value.leaf.subject),
    };
  };
}
