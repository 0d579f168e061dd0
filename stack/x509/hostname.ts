/**
 * Service identity checks per RFC 9525: the reference identity is a DNS name or an IP
 * address, and it is compared only with the certificate's subjectAltName entries of the same
 * type. The subject's common name is never consulted (§6.3: no CN-ID fallback). A wildcard is
 * allowed only as the whole left-most label ("*.example.com") and stands for exactly one label
 * (§6.3 rule 2); it never matches an IP address.
 */
import { equalBytes } from "../bytes/index.ts";
import type { Certificate } from "./certificate.ts";
import { parseIp } from "./general-name.ts";

/** The reference identity a client checks: `{ dns }` or `{ ip }` (4 or 16 bytes). */
export type ReferenceIdentity = { kind: "dns"; name: string } | { kind: "ip"; address: Uint8Array };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-cases and drops one trailing dot; undefined if not a syntactically valid A-label host name. */
export function normalizeDnsName(name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.endsWith(".")) n = n.slice(0, -1);
  if (n.length === 0 || n.length > 253) return undefined;
  const labels = n.split(".");
  // Underscores appear in real host names (not in RFC 1123 ones); allowed when not leading.
  if (!labels.every((l) => LABEL.test(l.replaceAll("_", "a")))) return undefined;
  return n;
}

/** A host as a TLS client names it: an IP literal (v4 or v6, brackets allowed) or a DNS name. */
export function referenceIdentity(host: string): ReferenceIdentity | undefined {
  const ip = parseIp(host);
  if (ip !== undefined) return { kind: "ip", address: ip };
  const name = normalizeDnsName(host);
  return name === undefined ? undefined : { kind: "dns", name };
}

/** Whether one dNSName SAN (presented identifier) matches a normalized host name. */
export function dnsNameMatches(presented: string, host: string): boolean {
  const p = presented.toLowerCase().replace(/\.$/, "");
  if (!p.startsWith("*.")) return normalizeDnsName(p) === host;
  const base = normalizeDnsName(p.slice(2));
  // The wildcard covers one whole label; "*.com"-style identifiers (one label after) never match.
  if (base === undefined || !base.includes(".")) return false;
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === base;
}

/** Whether `cert` is for `host` (RFC 9525 §6). */
export function certificateMatchesHost(cert: Certificate, host: string): boolean {
  const ref = referenceIdentity(host);
  if (ref === undefined) return false;
  const sans = cert.extensions.subjectAltName ?? [];
  for (const san of sans) {
    if (ref.kind === "ip" && san.type === "iPAddress" && equalBytes(san.value, ref.address))
      return true;
    if (ref.kind === "dns" && san.type === "dNSName" && dnsNameMatches(san.value, ref.name))
      return true;
  }
  return false;
}
