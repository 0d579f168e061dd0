/** TcpCore options and their defaults, each with the clause it comes from. */
import type { Tracer } from "../../trace/index.ts";

export interface TcpCoreOptions {
  /** Fills and returns `buf` with strong random bytes (the `Random` device's `fill`). */
  random: (buf: Uint8Array) => Uint8Array;
  /** Receives segment, state, retransmission, RTO and congestion events (DESIGN.md "Tracing"). */
  tracer?: Tracer;
  /**
   * The MSS we announce and the most we send in one segment: the interface MTU minus 40
   * (IPv4 and TCP headers; RFC 9293 §3.7.1, RFC 6691). Default 1460 (Ethernet).
   */
  mss?: number;
  /** Send buffer per connection: `send` accepts at most this much unacknowledged data. */
  sendBufferBytes?: number;
  /** Receive buffer per connection: the most we advertise (RFC 9293 §3.8.6.2). */
  receiveBufferBytes?: number;
  /** RFC 6298 §2.4: RTO is rounded up to 1 s. Lower values (Linux uses 200 ms) are allowed. */
  minRtoMs?: number;
  /** RFC 6298 §2.5: a maximum of at least 60 s. */
  maxRtoMs?: number;
  /** RFC 1122 §4.2.3.2 and RFC 5681 §4.2: an ACK is delayed less than 500 ms. Default 40 ms. */
  delayedAckMs?: number;
  /**
   * TIME-WAIT lasts 2 MSL (RFC 9293 §3.4.2). RFC 9293 takes MSL as 2 minutes; we default to
   * an MSL of 30 s (Linux's 60 s TIME-WAIT): a unikernel serving many clients holds fewer
   * records, and timestamps (PAWS) guard against old duplicates.
   */
  timeWaitMs?: number;
  /** A closed connection stuck in FIN-WAIT-2 (peer never sends FIN) is freed after this. */
  finWait2TimeoutMs?: number;
  /**
   * Retransmissions of one segment before the connection is given up with "timeout"
   * (RFC 9293 §3.8.3, R2: at least 100 s; with RTO doubling from 1 s, 8 retries wait 511 s).
   */
  maxRetransmits?: number;
  /** RFC 9293 §3.8.3: R2 for a SYN at least 3 minutes; 6 retries from 1 s wait 127 s. */
  maxSynRetransmits?: number;
  /** RFC 1122 §4.2.3.6: keep-alive idle time of no less than two hours. */
  keepAliveIdleMs?: number;
  keepAliveIntervalMs?: number;
  keepAliveProbes?: number;
  /**
   * SYN-flood protection: half-open connections kept per listener. Beyond it, new SYNs are
   * answered with SYN cookies (RFC 4987), or, with `synCookies` off, the oldest entry is evicted.
   */
  maxHalfOpen?: number;
  /** SYN cookies when the half-open queue is full (default true). */
  synCookies?: boolean;
  /** RFC 5961 §7: challenge ACKs sent per second, all connections together. */
  challengeAckPerSecond?: number;
  /** RFC 7323 window scaling, RFC 7323 timestamps, RFC 2018 SACK: offered when true (default). */
  windowScaling?: boolean;
  timestamps?: boolean;
  sack?: boolean;
}

export type TcpConfig = Required<Omit<TcpCoreOptions, "tracer" | "random">>;

export const DEFAULT_TCP_CONFIG: TcpConfig = {
  mss: 1460,
  sendBufferBytes: 256 * 1024,
  receiveBufferBytes: 256 * 1024,
  minRtoMs: 1000,
  maxRtoMs: 60_000,
  delayedAckMs: 40,
  timeWaitMs: 60_000,
  finWait2TimeoutMs: 60_000,
  maxRetransmits: 8,
  maxSynRetransmits: 6,
  keepAliveIdleMs: 2 * 3600_000,
  keepAliveIntervalMs: 75_000,
  keepAliveProbes: 9,
  maxHalfOpen: 64,
  synCookies: true,
  challengeAckPerSecond: 100,
  windowScaling: true,
  timestamps: true,
  sack: true,
};

export function tcpConfig(o: TcpCoreOptions): TcpConfig {
  const c: TcpConfig = { ...DEFAULT_TCP_CONFIG };
  for (const k of Object.keys(DEFAULT_TCP_CONFIG) as (keyof TcpConfig)[]) {
    const v = o[k];
    if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  }
  if (!(c.mss >= 64 && c.mss <= 65495)) throw new RangeError(`tcp: mss ${c.mss} out of range`);
  if (!(c.receiveBufferBytes >= c.mss)) throw new RangeError("tcp: receive buffer below one MSS");
  if (!(c.sendBufferBytes >= 1)) throw new RangeError("tcp: send buffer must hold a byte");
  return c;
}
