/** UDP (RFC 768) over IPv4: header parse with checksum check, and emit with checksum. */
import { readU16, writeU16 } from "./addr.ts";
import { finishChecksum, pseudoHeaderSum, sumBytes } from "./checksum.ts";
import type { Counters } from "./counters.ts";
import { PROTO_UDP } from "./ipv4.ts";

export const UDP_HEADER_LEN = 8;

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/**
 * Null (counted) when truncated, the length field is below 8 or past the end, or the
 * checksum is wrong. A zero checksum means the sender computed none (RFC 768).
 */
export function parseUdp(
  src: number,
  dst: number,
  b: Uint8Array,
  counters: Counters,
): UdpDatagram | null {
  if (b.length < UDP_HEADER_LEN) {
    counters.inc("drop-truncated");
    return null;
  }
  const length = readU16(b, 4);
  if (length < UDP_HEADER_LEN) {
    counters.inc("drop-bad-length");
    return null;
  }
  if (length > b.length) {
    counters.inc("drop-truncated");
    return null;
  }
  if (readU16(b, 6) !== 0) {
    const sum = sumBytes(b, 0, length, pseudoHeaderSum(src, dst, PROTO_UDP, length));
    if (finishChecksum(sum) !== 0) {
      counters.inc("drop-checksum");
      return null;
    }
  }
  return {
    srcPort: readU16(b, 0),
    dstPort: readU16(b, 2),
    payload: b.subarray(UDP_HEADER_LEN, length),
  };
}

export function emitUdp(
  src: number,
  dst: number,
  srcPort: number,
  dstPort: number,
  payload: Uint8Array,
): Uint8Array {
  const length = UDP_HEADER_LEN + payload.length;
  const out = new Uint8Array(length);
  writeU16(out, 0, srcPort);
  writeU16(out, 2, dstPort);
  writeU16(out, 4, length);
  out.set(payload, UDP_HEADER_LEN);
  const c = finishChecksum(sumBytes(out, 0, length, pseudoHeaderSum(src, dst, PROTO_UDP, length)));
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  writeU16(out, 6, c === 0 ? 0xffff : c);
  return out;
}
