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
  // Sums 16-bit words four at a time with no folding in the loop: a segment of at most
  // 65,535 bytes sums to less than 2^32, exact in a double on every engine; fold() at the end.
  let sum = start;
  const n = bytes.length;
  const quad = n & ~7;
  let i = 0;
  for (; i < quad; i += 8) {
    sum +=
      (((bytes[i] as number) << 8) | (bytes[i + 1] as number)) +
      (((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number)) +
      (((bytes[i + 4] as number) << 8) | (bytes[i + 5] as number)) +
      (((bytes[i + 6] as number) << 8) | (bytes[i + 7] as number));
  }
  for (; i + 1 < n; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (n & 1) sum += (bytes[n - 1] as number) << 8;
  return sum;
}

function fold(sum: number): number {
  // The sum may exceed 32 bits only for inputs larger than any IPv4 payload; split it exactly.
  let s = (sum % 0x10000) + Math.floor(sum / 0x10000);
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
