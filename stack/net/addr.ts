/**
 * Addresses: IPv4 as an unsigned 32-bit number (fast to compare, mask and hash), MAC as 6
 * bytes. `IpAddress` is the name the layers above IP use, so IPv6 (a later issue) can widen
 * it to a tagged union without touching them.
 */

export type Ipv4Address = number;
/** The address type of the layers above IP. IPv6 will make this `Ipv4Address | Ipv6Address`. */
export type IpAddress = Ipv4Address;

/** An address with its subnet prefix, e.g. 10.0.0.2/24. */
export interface Ipv4Cidr {
  address: Ipv4Address;
  prefixLength: number;
}

export const IPV4_ANY: Ipv4Address = 0;
export const IPV4_BROADCAST: Ipv4Address = 0xffffffff;

/** Dotted quad to number; null unless it is exactly four decimal octets. */
export function parseIpv4(text: string): Ipv4Address | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(a: Ipv4Address): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** "a.b.c.d/nn" to a Cidr; null if malformed. */
export function parseCidr(text: string): Ipv4Cidr | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const address = parseIpv4(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (address === null || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return null;
  return { address, prefixLength: Number(bits) };
}

export function formatCidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.address)}/${c.prefixLength}`;
}

export function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function networkOf(c: Ipv4Cidr): Ipv4Address {
  return (c.address & maskOf(c.prefixLength)) >>> 0;
}

/** The subnet's directed broadcast address (RFC 919, RFC 1122 §3.2.1.3). */
export function broadcastOf(c: Ipv4Cidr): Ipv4Address {
  return (networkOf(c) | ~maskOf(c.prefixLength)) >>> 0;
}

export function inSubnet(c: Ipv4Cidr, a: Ipv4Address): boolean {
  const m = maskOf(c.prefixLength);
  return (a & m) >>> 0 === (c.address & m) >>> 0;
}

/** Class D, 224.0.0.0/4 (RFC 1112). */
export function isMulticastIpv4(a: Ipv4Address): boolean {
  return a >>> 28 === 0xe;
}

export const MAC_BROADCAST = new Uint8Array([255, 255, 255, 255, 255, 255]);
export const MAC_ZERO = new Uint8Array(6);

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(":");
}

export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(":");
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return null;
  return new Uint8Array(parts.map((p) => Number.parseInt(p, 16)));
}

export function sameMac(a: Uint8Array, ai: number, b: Uint8Array, bi = 0): boolean {
  for (let i = 0; i < 6; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

/** Group bit (I/G) of the first octet: broadcast and multicast (IEEE 802.3 §3.2.3). */
export function isGroupMac(a: Uint8Array, at = 0): boolean {
  return ((a[at] as number) & 1) === 1;
}

/** Big-endian field access; callers check lengths first (one check per packet). */
export function readU16(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}
export function readU32(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  );
}
export function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 255;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}
