/**
 * ICMP for IPv4 (RFC 792) as a host needs it (RFC 1122 §3.2.2): echo replies, and
 * destination unreachable (protocol, port) for what we cannot deliver, rate-limited.
 */
import { readU16, writeU16 } from "./addr.ts";
import { checksum } from "./checksum.ts";
import type { Counters } from "./counters.ts";
import type { Ipv4Packet } from "./ipv4.ts";

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
/** Destination unreachable codes (RFC 792). */
export const UNREACH_PROTOCOL = 2;
export const UNREACH_PORT = 3;

const ICMP_HEADER_LEN = 8;
/** RFC 1812 §4.3.2.3: quote as much of the original as fits in 576 bytes. */
const MAX_ERROR_LEN = 576 - 20;

export interface IcmpMessage {
  type: number;
  code: number;
  /** The 4 bytes after the checksum (echo: id and sequence) and the data: the whole message. */
  bytes: Uint8Array;
}

/** Null (counted) when shorter than 8 bytes or the checksum is wrong. */
export function parseIcmp(b: Uint8Array, counters: Counters): IcmpMessage | null {
  if (b.length < ICMP_HEADER_LEN) {
    counters.inc("drop-truncated");
    return null;
  }
  if (checksum(b) !== 0) {
    counters.inc("drop-checksum");
    return null;
  }
  return { type: b[0] as number, code: b[1] as number, bytes: b };
}

/** RFC 792 "Echo or Echo Reply": the same identifier, sequence and data, type 0. */
export function echoReply(request: IcmpMessage): Uint8Array {
  const out = request.bytes.slice();
  out[0] = ICMP_ECHO_REPLY;
  out[1] = 0;
  writeU16(out, 2, 0);
  writeU16(out, 2, checksum(out));
  return out;
}

/** An echo request (for tests and a future `ping`). */
export function echoRequest(id: number, seq: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(ICMP_HEADER_LEN + data.length);
  out[0] = ICMP_ECHO_REQUEST;
  writeU16(out, 4, id);
  writeU16(out, 6, seq);
  out.set(data, ICMP_HEADER_LEN);
  writeU16(out, 2, checksum(out));
  return out;
}

export function echoIdentifiers(m: IcmpMessage): { id: number; seq: number } {
  return { id: readU16(m.bytes, 4), seq: readU16(m.bytes, 6) };
}

/**
 * RFC 1122 §3.2.2: never send an error about an ICMP error, a broadcast or multicast, a
 * non-initial fragment, or a datagram from a non-unicast source.
 */
export function mayAnswerWithError(p: Ipv4Packet, toBroadcast: boolean): boolean {
  const h = p.header;
  if (toBroadcast || h.fragmentOffset !== 0) return false;
  if (h.src === 0 || h.src === 0xffffffff || h.src >>> 28 === 0xe) return false;
  if (h.protocol === 1) {
    const t = p.payload[0];
    if (t !== ICMP_ECHO_REQUEST && t !== ICMP_ECHO_REPLY && t !== 13 && t !== 14) return false;
  }
  return true;
}

/** Destination unreachable quoting the original datagram's header and leading data. */
export function destinationUnreachable(code: number, original: Ipv4Packet): Uint8Array {
  const quoted = original.bytes.subarray(
    0,
    Math.min(original.bytes.length, MAX_ERROR_LEN - ICMP_HEADER_LEN),
  );
  const out = new Uint8Array(ICMP_HEADER_LEN + quoted.length);
  out[0] = ICMP_DEST_UNREACHABLE;
  out[1] = code;
  out.set(quoted, ICMP_HEADER_LEN);
  writeU16(out, 2, checksum(out));
  return out;
}

/**
 * A token bucket (RFC 1812 §4.3.2.8 recommends one; Linux's icmp_ratelimit is the same
 * idea): `burst` tokens, refilled at `perSecond`. Errors take one each; none left, none sent.
 */
export class RateLimiter {
  private tokens: number;
  private lastNs: bigint | null = null;

  constructor(
    private readonly perSecond = 100,
    private readonly burst = 50,
  ) {
    this.tokens = burst;
  }

  take(nowNs: bigint): boolean {
    if (this.lastNs !== null && nowNs > this.lastNs) {
      const refill = (Number(nowNs - this.lastNs) / 1e9) * this.perSecond;
      this.tokens = Math.min(this.burst, this.tokens + refill);
    }
    this.lastNs = nowNs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
