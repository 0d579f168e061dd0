/**
 * A certificate as plain JSON, for traces, the TLS session view and CLI output
 * (../../docs/architecture.md, "Tracing"): names, SANs, validity, key and signature. Never
 * anything secret (a certificate holds none).
 */
import { signatureAlgorithmName } from "./algorithm.ts";
import { type Certificate, serialHex } from "./certificate.ts";
import { ipToString } from "./general-name.ts";
import { nameToString } from "./name.ts";

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** "DNS:name" and "IP:address" entries, in order. */
  readonly subjectAltNames: readonly string[];
  readonly serial: string;
  /** ISO 8601, UTC. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** "ec-p256", "ec-p384", "ed25519", "rsa-2048", or the key algorithm's OID. */
  readonly key: string;
  readonly signature: string;
  readonly isCa: boolean;
}

function keyName(c: Certificate): string {
  const k = c.publicKey;
  if (k === undefined) return c.publicKeyAlgorithm;
  if (k.kind === "ec") return `ec-${k.curve}`;
  if (k.kind === "ed25519") return "ed25519";
  const bits = k.n.length * 8 - Math.clz32(k.n[0] as number) + 24;
  return `rsa-${bits}`;
}

export function certificateSummary(c: Certificate): CertificateSummary {
  const sans: string[] = [];
  for (const n of c.extensions.subjectAltName ?? []) {
    if (n.type === "dNSName") sans.push(`DNS:${n.value}`);
    else if (n.type === "iPAddress") sans.push(`IP:${ipToString(n.value)}`);
    else if (n.type === "rfc822Name") sans.push(`email:${n.value}`);
    else if (n.type === "uniformResourceIdentifier") sans.push(`URI:${n.value}`);
    else sans.push(n.type);
  }
  return {
    subject: nameToString(c.subject),
    issuer: nameToString(c.issuer),
    subjectAltNames: sans,
    serial: serialHex(c.serialNumber),
    notBefore: new Date(c.notBefore).toISOString(),
    notAfter: new Date(c.notAfter).toISOString(),
    key: keyName(c),
    signature: signatureAlgorithmName(c.signatureAlgorithm, c.signatureAlgorithmId.algorithm),
    isCa: c.extensions.basicConstraints?.cA === true,
  };
}
