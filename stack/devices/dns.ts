/**
 * A DNS stub resolver (RFC 1035; MirageOS `Dns_client`): asks a recursive resolver for a
 * name's addresses. On unix it is the host's resolver; on `direct` and boards, stack/dns/ over
 * UDP to the configured nameserver.
 */

/** The record types a stub resolver asks for addresses (RFC 1035 §3.4.1, RFC 3596). */
export type DnsRecordType = "A" | "AAAA";

export interface DnsAddress {
  /** Dotted IPv4 for "A", IPv6 text for "AAAA". */
  address: string;
  /** How long the answer may be cached, in seconds (RFC 1035 §3.2.1). */
  ttlSeconds: number;
}

export interface Dns {
  /**
   * The addresses of `name` (a host name, no trailing dot needed), at least one; rejects with a
   * `DnsError` otherwise. CNAME chains are followed by the resolver.
   */
  resolve(name: string, type: DnsRecordType): Promise<DnsAddress[]>;
}

/** Why a lookup failed: a closed set, mapped from the response code (RFC 1035 §4.1.1). */
export type DnsErrorCode =
  | "nxdomain" // the name does not exist (RCODE 3)
  | "no-data" // the name exists but has no record of that type (RFC 2308 §2.2)
  | "servfail" // the resolver could not answer (RCODE 2)
  | "refused" // the resolver refused (RCODE 5)
  | "timeout" // no answer in time, after retries
  | "invalid-name" // not a valid host name (RFC 1035 §2.3.1), a label over 63 bytes
  | "other";

export class DnsError extends Error {
  constructor(
    readonly code: DnsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DnsError";
  }
}
