/**
 * One connection's transmission control block (RFC 9293 §3.3.1) and what the core needs
 * around it. Segment arrival is in input.ts, segment sending in output.ts, timers in
 * timers.ts; this module holds the data they share and the helpers all three use.
 *
 * The TCB is one flat record rather than one type per state: RFC 9293 defines a single TCB
 * whose variables (SND.*, RCV.*) live from the handshake to CLOSED, and every state after
 * SYN-RECEIVED uses nearly all of them. State-only data (timers) is null outside its states.
 */
import { NS_PER_MS } from "../../devices/clock.ts";
import type { Tracer } from "../../trace/index.ts";
import { formatIp, type IpAddr } from "./addr.ts";
import type { TcpConfig } from "./config.ts";
import type { TcpCounters } from "./counters.ts";
import type { ConnId, TcpError, TcpEvent } from "./events.ts";
import { NewReno } from "./newreno.ts";
import { MAX_WSCALE } from "./options.ts";
import { ReceiveBuffer } from "./recv_buffer.ts";
import { RttEstimator } from "./rtt.ts";
import { Scoreboard } from "./scoreboard.ts";
import { SendBuffer } from "./send_buffer.ts";
import { seqAdd, seqDiff, seqGt } from "./seq.ts";
import type { TcpState } from "./state.ts";
import { segmentDetail, type TcpSegment } from "./wire.ts";

/** RFC 9293 §3.7.1: the MSS assumed when the peer sends no MSS option. */
export const DEFAULT_PEER_MSS = 536;

/** What connections need from the core that owns them. */
export interface CoreContext {
  readonly config: TcpConfig;
  readonly tracer: Tracer | undefined;
  readonly counters: TcpCounters;
  event(e: TcpEvent): void;
  /** Queues a RST for the connection's 4-tuple (not part of its sequence of segments). */
  reset(c: Connection, seq: number, ack: number | null, nowNs: bigint): void;
  /** A connection reached ESTABLISHED: queue it for `accept`, or report "connected". */
  established(c: Connection): void;
  /** RFC 5961 §7: whether one more challenge ACK fits in this second's budget. */
  challengeAllowed(nowNs: bigint): boolean;
}

export class Connection {
  state: TcpState;
  /** Set once a trace event needed it. */
  private traceIdText: string | null = null;

  // Send sequence space (RFC 9293 §3.3.1). snd.max is BSD's: one past the highest sent,
  // kept apart from snd.nxt, which a timeout pulls back to snd.una (go-back-N).
  iss: number;
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  /** The peer's window in bytes (scale applied). */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer has offered (RFC 5961 §5.2 MAX.SND.WND; sender SWS). */
  maxSndWnd = 0;
  /** Shift applied to windows the peer sends, and to the ones we send (RFC 7323 §2). */
  sndWscale = 0;
  rcvWscale = 0;
  /** Our shift, offered in the SYN. */
  readonly ourWscale: number;
  /** Largest payload plus options we send in one segment: min(peer MSS, our MSS). */
  sendMss: number;
  readonly sendBuf: SendBuffer;
  /** The application asked for FIN (shutdown or close). */
  finQueued = false;
  /** Sequence number our FIN occupies, once sent. */
  finSeq: number | null = null;

  // Receive sequence space.
  irs = 0;
  rcvNxt = 0;
  /** Right edge of the window last advertised: never moved left (RFC 9293 §3.8.6.2.2). */
  rcvAdvRight = 0;
  readonly recvBuf: ReceiveBuffer;
  /** Sequence number of the peer's FIN once seen (possibly ahead of a gap). */
  peerFinSeq: number | null = null;
  /** The peer's FIN has been received in order. */
  finReceived = false;

  // Negotiated options.
  wsOk = false;
  tsOk = false;
  sackOk = false;
  /** RFC 7323 §4.3: TS.Recent and Last.ACK.sent. */
  tsRecent = 0;
  lastAckSent = 0;
  readonly tsOffset: number;

  // Timers are data (poll_at): absolute deadlines in ns, null when not running.
  rtxAt: bigint | null = null;
  /** Consecutive expirations of the retransmission (or persist, keep-alive) timer. */
  rtxCount = 0;
  persistAt: bigint | null = null;
  /** Zero-window probes sent since the window closed (their interval backs off). */
  persistCount = 0;
  /** Zero-window or keep-alive probes the peer has not answered (any segment answers). */
  probesUnanswered = 0;
  ackAt: bigint | null = null;
  timeWaitAt: bigint | null = null;
  finWait2At: bigint | null = null;
  keepAliveAt: bigint | null = null;
  /** An ACK must go out at the next dispatch. */
  ackNow = false;
  /** Full-sized segments received since our last ACK (RFC 5681 §4.2: ACK every second one). */
  unackedSegs = 0;
  /** Fast retransmit or NewReno partial ACK: resend the segment at snd.una once. */
  rtxOne = false;
  /** SACK recovery: a duplicate ACK lets one hole the peer skipped be resent. */
  rtxHole = false;
  /** Holes resent in this recovery reach up to here (RFC 6675 HighRxt). */
  highRxt = 0;
  /** Bytes of holes resent in this recovery, counted as in flight (RFC 6675 "pipe"). */
  holeBytesOut = 0;
  readonly scoreboard = new Scoreboard();
  /** Send a zero-window or keep-alive probe at the next dispatch. */
  probeNow = false;
  /**
   * Our TSval when the last timeout retransmission left. An ACK echoing an older TSval may
   * have been triggered by the retransmission (the receiver echoes TS.Recent, which an old
   * duplicate does not update: RFC 7323 §4.3), so it is no RTT sample: Karn's ambiguity,
   * which timestamps reopen. Cleared by the first echo at or after it.
   */
  rtxTsFloor: number | null = null;
  /** Karn timing when timestamps are off: the sequence number timed and when it left. */
  rttSeq: number | null = null;
  rttSentAt = 0n;
  /** When data (or FIN) last left: RFC 5681 §4.1 restart after idle. */
  lastDataSendNs = 0n;
  lastRecvNs = 0n;
  /** When we last answered an unacceptable bare ACK (ACK-war limit, input.ts). */
  lastInvalidAckNs: bigint | null = null;

  readonly rtt: RttEstimator;
  readonly cc: NewReno;

  // The application's side.
  /** The application closed or aborted its handle: free the record once CLOSED. */
  appClosed = false;
  /** Still waiting in a listener's accept queue. */
  unaccepted: boolean;
  noDelay = false;
  keepAlive = false;
  /** `send` refused bytes: report "writable" when room appears. */
  wantWritable = false;
  error: TcpError | null = null;
  /** Set by `connect`: report "connected" on reaching ESTABLISHED. */
  readonly active: boolean;

  constructor(
    readonly id: ConnId,
    readonly local: IpAddr,
    readonly localPort: number,
    readonly remote: IpAddr,
    readonly remotePort: number,
    iss: number,
    tsOffset: number,
    active: boolean,
    /** The listener's port for a passive open. */
    readonly listenerPort: number | null,
    readonly config: TcpConfig,
    nowNs: bigint,
  ) {
    this.state = active ? "SYN-SENT" : "SYN-RECEIVED";
    this.active = active;
    this.unaccepted = !active;
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.tsOffset = tsOffset;
    this.sendMss = Math.min(config.mss, DEFAULT_PEER_MSS);
    this.sendBuf = new SendBuffer(config.sendBufferBytes);
    this.recvBuf = new ReceiveBuffer(config.receiveBufferBytes);
    let shift = 0;
    while (shift < MAX_WSCALE && config.receiveBufferBytes >>> shift > 0xffff) shift++;
    this.ourWscale = config.windowScaling ? shift : 0;
    this.rtt = new RttEstimator(config.minRtoMs, config.maxRtoMs);
    this.cc = new NewReno(this.sendMss, iss);
    this.lastRecvNs = nowNs;
    this.lastDataSendNs = nowNs;
  }

  /** The application holds the handle (accepted or connected, not yet closed). */
  get appHolds(): boolean {
    return !this.unaccepted && !this.appClosed;
  }

  /** "tcp:10.0.0.2:80-10.0.0.1:40000#3": stable while the connection lives. */
  get traceId(): string {
    if (this.traceIdText === null) {
      this.traceIdText = `tcp:${formatIp(this.local)}:${this.localPort}-${formatIp(this.remote)}:${this.remotePort}#${this.id}`;
    }
    return this.traceIdText;
  }

  /** Bytes sent and not acknowledged (RFC 5681 FlightSize), SYN and FIN included. */
  get flight(): number {
    return seqDiff(this.sndMax, this.sndUna);
  }

  /** RCV.WND as last advertised. */
  get rcvWnd(): number {
    return Math.max(0, seqDiff(this.rcvAdvRight, this.rcvNxt));
  }

  /** Our RFC 7323 timestamp clock: milliseconds plus a random per-connection offset. */
  tsNow(nowNs: bigint): number {
    return (Number((nowNs / NS_PER_MS) & 0xffffffffn) + this.tsOffset) >>> 0;
  }

  rtoNs(): bigint {
    return BigInt(Math.ceil(this.rtt.rto)) * NS_PER_MS;
  }

  /**
   * The window to put in a segment (unscaled field value), never moving the right edge left,
   * and moving it right only by a worthwhile amount (receiver SWS avoidance, RFC 9293
   * §3.8.6.2.2: at least min(buffer / 2, MSS)). Records the new right edge.
   */
  windowField(): number {
    const max = 0xffff << this.rcvWscale;
    const free = Math.min(this.recvBuf.free, max);
    let right = seqAdd(this.rcvNxt, free);
    const oldRight = seqGt(this.rcvAdvRight, this.rcvNxt) ? this.rcvAdvRight : this.rcvNxt;
    const grow = seqDiff(right, oldRight);
    const threshold = Math.min(this.config.receiveBufferBytes >>> 1, this.config.mss);
    if (grow < threshold) right = oldRight;
    if (seqGt(oldRight, right)) right = oldRight;
    const field = Math.min(seqDiff(right, this.rcvNxt) >>> this.rcvWscale, 0xffff);
    this.rcvAdvRight = seqAdd(this.rcvNxt, field << this.rcvWscale);
    return field;
  }

  /** Whether reading opened the window enough to tell the peer now (RFC 9293 §3.8.6.2.2). */
  windowUpdateWorthIt(): boolean {
    const max = 0xffff << this.rcvWscale;
    const right = seqAdd(this.rcvNxt, Math.min(this.recvBuf.free, max));
    const grow = seqDiff(right, this.rcvAdvRight);
    return grow >= Math.min(this.config.receiveBufferBytes >>> 1, 2 * this.config.mss);
  }

  /** The plain state summary every trace event carries (DESIGN.md "Tracing"). */
  summary(): { [k: string]: string | number | null } {
    return {
      state: this.state,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      sndWnd: this.sndWnd,
      rcvNxt: this.rcvNxt,
      rcvWnd: this.rcvWnd,
      cwnd: this.cc.cwnd,
      ssthresh: this.cc.ssthresh,
      srtt: this.rtt.srtt === null ? null : Math.round(this.rtt.srtt * 1000) / 1000,
      rto: Math.round(this.rtt.rto * 1000) / 1000,
      flight: this.flight,
    };
  }

  trace(
    ctx: CoreContext,
    name: string,
    nowNs: bigint,
    detail?: { [k: string]: string | number | boolean | null | object },
  ): void {
    const t = ctx.tracer;
    if (t === undefined) return;
    t.event({
      layer: "tcp",
      id: this.traceId,
      name,
      atNs: nowNs,
      state: this.summary(),
      ...(detail === undefined ? {} : { detail: detail as { [k: string]: string } }),
    });
  }

  traceSegment(ctx: CoreContext, name: string, seg: TcpSegment, nowNs: bigint): void {
    if (ctx.tracer !== undefined) this.trace(ctx, name, nowNs, segmentDetail(seg));
  }

  /** Every state change goes through here, so the trace sees each one. */
  setState(ctx: CoreContext, to: TcpState, nowNs: bigint): void {
    if (this.state === to) return;
    const from = this.state;
    this.state = to;
    if (ctx.tracer !== undefined) this.trace(ctx, "state", nowNs, { from, to });
  }
}
