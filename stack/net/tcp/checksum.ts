/**
 * The TCP checksum (RFC 9293 §3.1): the 16-bit one's complement of the one's complement sum
 * of the pseudo-header (source and destination address, zero, protocol 6, TCP length) and
 * the whole segment. RFC 1071 describes the computation.
 */
import type { IpAddr } from "./addr.ts";

const PROTO_TCP = 6;

/** One's complement sum of the pseudo-header, not yet folded. */
function pseudoSum(src: IpAddr, dst: IpAddr, length: number): number {
  return (src.n >>> 16) + (src.n & 0xffff) + (dst.n >>> 16) + (dst.n & 0xffff) + PROTO_TCP + length;
}

function sumBytes(bytes: Uint8Array, start: number): number {
  let sum = start;
  const n = bytes.length;
  const even = n & ~1;
  for (let i = 0; i < even; i += 2) {
    sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    // Fold early so the sum stays a small integer on engines without fast 53-bit math.
    if (sum > 0x7fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (n & 1) sum += (bytes[n - 1] as number) << 8;
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum field's value for `segment` (its own checksum field must be zero). */
export function tcpChecksum(src: IpAddr, dst: IpAddr, segment: Uint8Array): number {
  return ~fold(sumBytes(segment, pseudoSum(src, dst, segment.length))) & 0xffff;
}

/** Whether a received segment's checksum is right: the sum over everything folds to 0xffff. */
export function verifyTcpChecksum(src: IpAddr, dst: IpAddr, segment: Uint8Array): boolean {
  return fold(sumBytes(segment, pseudoSum(src, dst, segment.length))) === 0xffff;
}
