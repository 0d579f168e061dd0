/** The Internet checksum (RFC 1071): one's-complement sum of 16-bit words. */

/** Adds bytes[start, end) to a running 32-bit sum (not yet folded). */
export function sumBytes(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  const last = end - 1;
  for (; i < last; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (i === last) sum += (bytes[i] as number) << 8; // odd length: pad with a zero byte (RFC 1071 §4.1)
  // Fold now and then so the sum stays a small integer.
  return sum > 0x7fffffff ? fold(sum) : sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** Folds a running sum and complements it: the value to write in the checksum field. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** The checksum of bytes[start, end), e.g. an IPv4 header. Verifies to 0 when correct. */
export function checksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return finishChecksum(sumBytes(bytes, start, end, initial));
}

/** The IPv4 pseudo-header's sum for TCP and UDP (RFC 768; RFC 9293 §3.1). */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}
