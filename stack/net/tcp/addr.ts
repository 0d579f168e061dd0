/**
 * Addresses as TCP sees them. IPv4 only for now; the tagged shape leaves room for IPv6
 * (`{ v: 6; bytes: Uint8Array }`) without changing any signature that takes an `IpAddr`.
 *
 * Why an object and not a bare number: a bare uint32 could not grow into IPv6 without
 * touching every caller; a dotted string would be re-parsed for every segment's checksum.
 */
export interface Ipv4Addr {
  readonly v: 4;
  /** The address as an unsigned 32-bit integer, most significant octet first (10.0.0.1 = 0x0a000001). */
  readonly n: number;
}

export type IpAddr = Ipv4Addr;

/** An IPv4 address from its 32-bit value. */
export function ipv4(n: number): Ipv4Addr {
  return { v: 4, n: n >>> 0 };
}

/** An IPv4 address from dotted text ("10.0.0.1"); null if it is not one. */
export function parseIpv4(text: string): Ipv4Addr | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const b = Number(p);
    if (b > 255) return null;
    n = n * 256 + b;
  }
  return ipv4(n);
}

/** Dotted text of an address. */
export function formatIp(a: IpAddr): string {
  const n = a.n;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function sameIp(a: IpAddr, b: IpAddr): boolean {
  return a.v === b.v && a.n === b.n;
}

/** The connection table's key for a 4-tuple (local side first). */
export function tupleKey(
  local: IpAddr,
  localPort: number,
  remote: IpAddr,
  remotePort: number,
): string {
  return `${local.n}:${localPort}>${remote.n}:${remotePort}`;
}
