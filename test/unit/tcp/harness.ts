/**
 * Test harness: seeded randomness for cores, template segments (smoltcp style) and a pair of
 * TcpCores over an in-memory link with a virtual clock.
 */
import {
  ACK,
  emitSegment,
  type IpAddr,
  ipv4,
  type OutSegment,
  parseSegment,
  TcpCore,
  type TcpCoreOptions,
  type TcpSegment,
} from "../../../stack/net/tcp/index.ts";
import { rng } from "../../helpers/rng.ts";

export const A = ipv4(0x0a000001); // 10.0.0.1
export const B = ipv4(0x0a000002); // 10.0.0.2
export const MS = 1_000_000n;

/** A `random` fill function from a seed, so every run of a test sees the same numbers. */
export function seededRandom(seed: number): (buf: Uint8Array) => Uint8Array {
  const next = rng(seed);
  return (buf) => {
    for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(next() * 256);
    return buf;
  };
}

export function core(seed: number, o: Partial<TcpCoreOptions> = {}): TcpCore {
  return new TcpCore({ random: seededRandom(seed), ...o });
}

/** A segment from the test's template with overrides. */
export function segment(o: Partial<TcpSegment>): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: 0,
    ack: 0,
    flags: ACK,
    window: 65535,
    options: {},
    payload: new Uint8Array(0),
    ...o,
  };
}

export function bytesOf(s: TcpSegment, src: IpAddr = B, dst: IpAddr = A): Uint8Array {
  return emitSegment(s, src, dst);
}

/** Parses what a core sent (the checksum must be right). */
export function parsed(o: OutSegment): TcpSegment {
  const r = parseSegment(o.src, o.dst, o.segment);
  if (!r.ok) throw new Error(`core sent a malformed segment: ${r.reason}`);
  return r.segment;
}
