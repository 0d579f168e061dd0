/**
 * Test harness: seeded randomness for cores, template segments (smoltcp style) and a pair of
 * TcpCores over an in-memory link with a virtual clock.
 */
import {
  ACK,
  emitSegment,
  flagsText,
  type IpAddr,
  ipv4,
  type OutSegment,
  parseSegment,
  SYN,
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

/** The peer's initial sequence number in single-core tests. */
export const PEER_ISS = 10_000;

/**
 * One core under test at 10.0.0.1, driven by hand-made segments from 10.0.0.2:40000 at
 * explicit times (smoltcp's send / recv / recv_nothing). Options are off unless asked for, so
 * segments read plainly.
 */
export class Rig {
  readonly core: TcpCore;
  now = 0n;
  /** Our ISS, learned from the core's SYN or SYN,ACK. */
  iss = 0;

  constructor(o: Partial<TcpCoreOptions> = {}, seed = 7) {
    this.core = new TcpCore({
      random: seededRandom(seed),
      timestamps: false,
      sack: false,
      windowScaling: false,
      ...o,
    });
  }

  at(ms: number): this {
    this.now = BigInt(ms) * MS;
    return this;
  }

  send(o: Partial<TcpSegment>): void {
    this.core.receive(B, A, bytesOf(segment(o)), this.now);
  }

  sendRaw(bytes: Uint8Array): void {
    this.core.receive(B, A, bytes, this.now);
  }

  recv(): TcpSegment[] {
    return this.core.poll(this.now).map(parsed);
  }

  /** Exactly one segment, or the test fails. */
  recvOne(): TcpSegment {
    const s = this.recv();
    if (s.length !== 1) throw new Error(`expected one segment, got ${s.length}: ${describe(s)}`);
    return s[0] as TcpSegment;
  }

  recvNothing(): void {
    const s = this.recv();
    if (s.length !== 0) throw new Error(`expected nothing, got ${describe(s)}`);
  }

  /** Passive open through the listener on port 80; returns the accepted handle. */
  established(o: { window?: number; options?: TcpSegment["options"] } = {}): number {
    this.core.listen(80, 8);
    this.send({ flags: SYN, seq: PEER_ISS, window: o.window ?? 65535, options: o.options ?? {} });
    const synAck = this.recvOne();
    this.iss = synAck.seq;
    this.send({ seq: PEER_ISS + 1, ack: this.iss + 1, window: o.window ?? 65535 });
    const h = this.core.accept(80);
    if (h === null) throw new Error("no connection to accept");
    this.core.takeEvents();
    return h;
  }
}

function describe(s: TcpSegment[]): string {
  return s
    .map((x) => `${flagsText(x.flags)} seq=${x.seq} ack=${x.ack} len=${x.payload.length}`)
    .join("; ");
}

export function bytes(n: number, fill = 0x61): Uint8Array {
  return new Uint8Array(n).fill(fill);
}
