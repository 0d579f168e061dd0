/**
 * TCP segments on two levels (like smoltcp's `wire`):
 *  - `TcpView`: a view over received bytes. `TcpView.check` does the one length check
 *    (fixed header present, data offset within the segment); after it no accessor can fail.
 *  - `TcpSegment`: a validated record (options parsed) with `parseSegment`, `emitSegment`
 *    and `segmentBufferLength`.
 * Header layout: RFC 9293 §3.1.
 */
import type { IpAddr } from "./addr.ts";
import { tcpChecksum, verifyTcpChecksum } from "./checksum.ts";
import {
  NO_OPTIONS,
  optionsJson,
  optionsLength,
  parseOptions,
  type TcpOptions,
  writeOptions,
} from "./options.ts";

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

/** Fixed header length (RFC 9293 §3.1: data offset at least 5 words). */
export const HEADER_LEN = 20;

/** Why a received segment was dropped before reaching a connection (each one is counted). */
export type MalformedReason =
  | "truncated" // shorter than the fixed header
  | "bad-data-offset" // data offset below 5 words or past the end of the segment
  | "bad-options" // an option with an illegal length or overrunning the header
  | "bad-checksum";

const F = {
  srcPort: 0,
  dstPort: 2,
  seq: 4,
  ack: 8,
  offset: 12,
  flags: 13,
  window: 14,
  checksum: 16,
  urgent: 18,
} as const;

export class TcpView {
  private constructor(
    readonly bytes: Uint8Array,
    /** Header length in bytes (data offset * 4), checked to lie within `bytes`. */
    readonly headerLength: number,
  ) {}

  /** The one length check; after it every accessor is in bounds. */
  static check(bytes: Uint8Array): TcpView | MalformedReason {
    if (bytes.length < HEADER_LEN) return "truncated";
    const hl = ((bytes[F.offset] as number) >>> 4) * 4;
    if (hl < HEADER_LEN || hl > bytes.length) return "bad-data-offset";
    return new TcpView(bytes, hl);
  }

  private u16(i: number): number {
    return ((this.bytes[i] as number) << 8) | (this.bytes[i + 1] as number);
  }
  private u32(i: number): number {
    return ((this.u16(i) << 16) | this.u16(i + 2)) >>> 0;
  }
  get srcPort(): number {
    return this.u16(F.srcPort);
  }
  get dstPort(): number {
    return this.u16(F.dstPort);
  }
  get seq(): number {
    return this.u32(F.seq);
  }
  get ack(): number {
    return this.u32(F.ack);
  }
  /** The six classic flag bits (URG ACK PSH RST SYN FIN); ECN bits are ignored. */
  get flags(): number {
    return (this.bytes[F.flags] as number) & 0x3f;
  }
  get window(): number {
    return this.u16(F.window);
  }
  get checksum(): number {
    return this.u16(F.checksum);
  }
  get urgent(): number {
    return this.u16(F.urgent);
  }
  get optionsArea(): Uint8Array {
    return this.bytes.subarray(HEADER_LEN, this.headerLength);
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength);
  }
}

/** A validated segment. `payload` may be a view into the received bytes. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: TcpOptions;
  payload: Uint8Array;
}

export type ParseResult =
  | { ok: true; segment: TcpSegment }
  | { ok: false; reason: MalformedReason };

/** Checks lengths, the checksum over the pseudo-header and the options. Never throws. */
export function parseSegment(src: IpAddr, dst: IpAddr, bytes: Uint8Array): ParseResult {
  const view = TcpView.check(bytes);
  if (typeof view === "string") return { ok: false, reason: view };
  if (!verifyTcpChecksum(src, dst, bytes)) return { ok: false, reason: "bad-checksum" };
  const options = view.headerLength === HEADER_LEN ? NO_OPTIONS : parseOptions(view.optionsArea);
  if (options === null) return { ok: false, reason: "bad-options" };
  return {
    ok: true,
    segment: {
      srcPort: view.srcPort,
      dstPort: view.dstPort,
      seq: view.seq,
      ack: view.ack,
      flags: view.flags,
      window: view.window,
      options,
      payload: view.payload,
    },
  };
}

/** Bytes `emitSegment` will produce. */
export function segmentBufferLength(seg: TcpSegment): number {
  return HEADER_LEN + optionsLength(seg.options) + seg.payload.length;
}

/** The segment on the wire, checksum filled for the pseudo-header of `src` -> `dst`. */
export function emitSegment(seg: TcpSegment, src: IpAddr, dst: IpAddr): Uint8Array {
  const ol = optionsLength(seg.options);
  const hl = HEADER_LEN + ol;
  const out = new Uint8Array(hl + seg.payload.length);
  out[0] = seg.srcPort >>> 8;
  out[1] = seg.srcPort & 255;
  out[2] = seg.dstPort >>> 8;
  out[3] = seg.dstPort & 255;
  out[4] = seg.seq >>> 24;
  out[5] = (seg.seq >>> 16) & 255;
  out[6] = (seg.seq >>> 8) & 255;
  out[7] = seg.seq & 255;
  out[8] = seg.ack >>> 24;
  out[9] = (seg.ack >>> 16) & 255;
  out[10] = (seg.ack >>> 8) & 255;
  out[11] = seg.ack & 255;
  out[12] = (hl / 4) << 4;
  out[13] = seg.flags & 0x3f;
  out[14] = (seg.window >>> 8) & 255;
  out[15] = seg.window & 255;
  if (ol > 0) writeOptions(seg.options, out, HEADER_LEN);
  out.set(seg.payload, hl);
  const sum = tcpChecksum(src, dst, out);
  out[16] = sum >>> 8;
  out[17] = sum & 255;
  return out;
}

/** Sequence space a segment occupies: its data plus one for SYN and one for FIN. */
export function segmentSeqLength(seg: { flags: number; payload: Uint8Array }): number {
  return seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
}

/** "SYN,ACK" style text of flags, for traces and test messages. */
export function flagsText(flags: number): string {
  const names: string[] = [];
  if (flags & SYN) names.push("SYN");
  if (flags & FIN) names.push("FIN");
  if (flags & RST) names.push("RST");
  if (flags & PSH) names.push("PSH");
  if (flags & ACK) names.push("ACK");
  if (flags & URG) names.push("URG");
  return names.join(",");
}

/** Plain JSON of a segment for a trace event's detail. */
export function segmentDetail(seg: TcpSegment): { [k: string]: string | number | object } {
  return {
    flags: flagsText(seg.flags),
    seq: seg.seq,
    ack: seg.ack,
    len: seg.payload.length,
    window: seg.window,
    options: optionsJson(seg.options),
  };
}
