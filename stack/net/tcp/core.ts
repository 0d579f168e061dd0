/**
 * TcpCore: every TCP connection and listener of one host, sans-IO. See index.ts for the
 * contract with the IP layer and the glue. This module routes segments to connections
 * (smoltcp's "accepts"), answers segments that belong to nobody (RFC 9293 §3.10.7.1) and
 * listeners (§3.10.7.2), keeps the accept and half-open queues, and runs the per-connection
 * doors: `processSegment` (input.ts), `dispatch` (output.ts), `nextDeadline` (timers.ts).
 */
import { NS_PER_S } from "../../devices/clock.ts";
import { StackError, type StackErrorCode } from "../../devices/stack.ts";
import type { Tracer } from "../../trace/index.ts";
import { type IpAddr, tupleKey } from "./addr.ts";
import { type TcpConfig, type TcpCoreOptions, tcpConfig } from "./config.ts";
import { Connection, type CoreContext } from "./connection.ts";
import { newCounters, type TcpCounters } from "./counters.ts";
import type { ConnId, RecvResult, TcpError, TcpEvent } from "./events.ts";
import { negotiate, processSegment } from "./input.ts";
import { IsnGenerator } from "./isn.ts";
import { enterFinWait2 } from "./lifecycle.ts";
import { dispatch } from "./output.ts";
import { seqAdd, seqGt } from "./seq.ts";
import { acceptsSend, type TcpState } from "./state.ts";
import { SynCookies } from "./syncookie.ts";
import { nextDeadline, runTimers } from "./timers.ts";
import {
  ACK,
  emitSegment,
  parseSegment,
  RST,
  SYN,
  segmentDetail,
  segmentSeqLength,
  type TcpSegment,
} from "./wire.ts";

/** A segment to hand to IP: the payload of one IPv4 packet from `src` to `dst`. */
export interface OutSegment {
  src: IpAddr;
  dst: IpAddr;
  segment: Uint8Array;
}

/** What `info` tells about a connection. */
export interface ConnInfo {
  local: IpAddr;
  localPort: number;
  remote: IpAddr;
  remotePort: number;
  state: TcpState;
}

interface Listener {
  readonly port: number;
  readonly backlog: number;
  /** SYN-RECEIVED connections, oldest first (Set keeps insertion order). */
  readonly halfOpen: Set<Connection>;
  /** ESTABLISHED connections waiting for `accept`. */
  readonly ready: Connection[];
  /** When this listener last answered a SYN with a cookie: only then can an ACK be one. */
  cookieSentAt: bigint | null;
}

/** A cookie is good for at most two 64-second periods (syncookie.ts). */
const COOKIE_LIFETIME_NS = 128n * NS_PER_S;

/** RFC 6335 §6: the dynamic port range, where ephemeral ports come from (RFC 6056). */
const EPHEMERAL_LOW = 49152;
const EPHEMERAL_COUNT = 65536 - EPHEMERAL_LOW;

const EMPTY = new Uint8Array(0);

/**
 * A new SYN for a 4-tuple in TIME-WAIT may open a new connection when it cannot be an old
 * duplicate: its sequence number is above RCV.NXT (RFC 9293 §3.10.7.4 note, after RFC 1122
 * §4.2.2.13), or its timestamp is newer than TS.Recent (RFC 6191).
 */
function reopensTimeWait(c: Connection, seg: TcpSegment): boolean {
  if (c.state !== "TIME-WAIT" || (seg.flags & (SYN | ACK | RST)) !== SYN) return false;
  const ts = seg.options.timestamp;
  if (c.tsOk && ts !== undefined) return seqGt(ts.val, c.tsRecent);
  return seqGt(seg.seq, c.rcvNxt);
}

export function stackErrorCode(e: TcpError): StackErrorCode {
  return e === "refused" ? "connection-refused" : e;
}

export class TcpCore {
  readonly counters: TcpCounters = newCounters();
  readonly config: TcpConfig;
  private readonly tracer: Tracer | undefined;
  private readonly random: (buf: Uint8Array) => Uint8Array;
  private readonly isn: IsnGenerator;
  private readonly cookies: SynCookies;
  /** Connections by 4-tuple, while not CLOSED. */
  private readonly table = new Map<string, Connection>();
  /** Every record: live in `table`, or CLOSED but still held by the application. */
  private readonly records = new Map<ConnId, Connection>();
  private readonly listeners = new Map<number, Listener>();
  private readonly dirty = new Set<Connection>();
  private pendingOut: OutSegment[] = [];
  private events: TcpEvent[] = [];
  private nextId = 1;
  private lastNow = 0n;
  private challengeSecond = -1n;
  /** A lower bound on every connection's next deadline (see `foldDeadline`). */
  private timerBound: bigint | null = null;
  private challengeCount = 0;
  private readonly ctx: CoreContext;

  constructor(options: TcpCoreOptions) {
    this.config = tcpConfig(options);
    this.tracer = options.tracer;
    this.random = options.random;
    this.isn = new IsnGenerator(options.random);
    this.cookies = new SynCookies(options.random);
    this.ctx = {
      config: this.config,
      tracer: this.tracer,
      counters: this.counters,
      event: (e) => this.events.push(e),
      reset: (c, seq, ack, nowNs) => this.sendConnReset(c, seq, ack, nowNs),
      established: (c) => this.established(c),
      challengeAllowed: (nowNs) => this.challengeAllowed(nowNs),
    };
  }

  /** Connection records alive (in any state, or closed but not yet released by `close`). */
  get liveConnections(): number {
    return this.records.size;
  }

  // ---- The IP side ----

  /** A TCP segment from an IPv4 packet `src` -> `dst`. Malformed ones are counted and dropped. */
  receive(src: IpAddr, dst: IpAddr, segment: Uint8Array, nowNs: bigint): void {
    this.tick(nowNs);
    this.counters.segmentsIn++;
    const r = parseSegment(src, dst, segment);
    if (!r.ok) {
      if (r.reason === "truncated") this.counters.truncated++;
      else if (r.reason === "bad-data-offset") this.counters.badDataOffset++;
      else if (r.reason === "bad-options") this.counters.badOptions++;
      else this.counters.badChecksum++;
      return;
    }
    const seg = r.segment;
    if (seg.srcPort === 0 || seg.dstPort === 0) {
      this.counters.badPort++;
      return;
    }
    const c = this.table.get(tupleKey(dst, seg.dstPort, src, seg.srcPort));
    const listener = this.listeners.get(seg.dstPort);
    if (c !== undefined && !(listener !== undefined && reopensTimeWait(c, seg))) {
      processSegment(c, seg, nowNs, this.ctx);
      this.afterChange(c);
      return;
    }
    if (c !== undefined) this.retire(c, false); // TIME-WAIT gives way to a new incarnation
    if (listener !== undefined) this.listenInput(listener, src, dst, seg, nowNs);
    else this.noConnection(src, dst, seg);
  }

  /** Segments to send now (checksums filled), after running the timers that are due. */
  poll(nowNs: bigint): OutSegment[] {
    this.tick(nowNs);
    // Scan for expired timers only when the earliest deadline may have passed: the glue
    // polls after every segment, and most polls have no timer due.
    const scan = this.timerBound !== null && this.timerBound <= nowNs;
    if (scan) {
      for (const c of this.records.values()) {
        if (c.state === "CLOSED") continue;
        const at = nextDeadline(c);
        if (at !== null && at <= nowNs) {
          runTimers(c, nowNs, this.ctx);
          this.afterChange(c);
        }
      }
    }
    const out = this.pendingOut;
    this.pendingOut = [];
    const segs: TcpSegment[] = [];
    for (const c of this.dirty) {
      segs.length = 0;
      dispatch(c, nowNs, this.ctx, segs);
      for (const s of segs) {
        out.push({ src: c.local, dst: c.remote, segment: emitSegment(s, c.local, c.remote) });
      }
      if (!scan) this.foldDeadline(c);
    }
    this.dirty.clear();
    if (scan) this.exactDeadline();
    this.counters.segmentsOut += out.length;
    return out;
  }

  /** When `poll` has something to do next: the earliest timer, now if output waits, or null. */
  pollAt(): bigint | null {
    if (this.pendingOut.length > 0 || this.dirty.size > 0) return this.lastNow;
    return this.exactDeadline();
  }

  /**
   * `timerBound` is never later than any connection's deadline (a deadline that moved later
   * or went away leaves it early; the next scan corrects it). Every deadline set goes
   * through `foldDeadline` or a full `exactDeadline` scan.
   */
  private foldDeadline(c: Connection): void {
    const d = nextDeadline(c);
    if (d !== null && (this.timerBound === null || d < this.timerBound)) this.timerBound = d;
  }

  private exactDeadline(): bigint | null {
    let at: bigint | null = null;
    for (const c of this.records.values()) {
      const d = nextDeadline(c);
      if (d !== null && (at === null || d < at)) at = d;
    }
    this.timerBound = at;
    return at;
  }

  /** Events since the last call, oldest first. */
  takeEvents(): TcpEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  // ---- The socket side ----

  /** Accept connections on `port` (any local address); at most `backlog` wait for `accept`. */
  listen(port: number, backlog: number): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new RangeError(`tcp: cannot listen on port ${port}`);
    }
    if (this.listeners.has(port)) throw new StackError("address-in-use", `port ${port} is in use`);
    this.listeners.set(port, {
      port,
      backlog: Math.max(1, Math.floor(backlog)),
      halfOpen: new Set(),
      ready: [],
      cookieSentAt: null,
    });
  }

  /** Stop listening; connections not yet accepted are reset. Accepted ones go on. */
  unlisten(port: number): void {
    const l = this.listeners.get(port);
    if (l === undefined) return;
    this.listeners.delete(port);
    for (const c of [...l.halfOpen, ...l.ready]) this.abortRecord(c);
  }

  /** The next established connection on `port`, or null. The caller now owns the handle. */
  accept(port: number): ConnId | null {
    const l = this.listeners.get(port);
    const c = l?.ready.shift();
    if (c === undefined) return null;
    c.unaccepted = false;
    // Whatever arrived before the accept is reported now.
    if (c.recvBuf.readyBytes > 0 || c.finReceived)
      this.events.push({ type: "readable", conn: c.id });
    if (c.finReceived) this.events.push({ type: "peer-closed", conn: c.id });
    if (c.state === "CLOSED") this.events.push({ type: "closed", conn: c.id });
    return c.id;
  }

  /**
   * Opens a connection from `src` (one of our addresses) to `dst:port`. `localPort` defaults
   * to a random free ephemeral port (RFC 6056). Reports "connected" or an "error" event.
   */
  connect(src: IpAddr, dst: IpAddr, port: number, nowNs: bigint, localPort?: number): ConnId {
    this.tick(nowNs);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new RangeError(`tcp: cannot connect to port ${port}`);
    }
    const lport = localPort ?? this.ephemeralPort(src, dst, port);
    if (this.table.has(tupleKey(src, lport, dst, port))) {
      throw new StackError("address-in-use", `port ${lport} is in use towards that peer`);
    }
    const c = this.newConnection(src, lport, dst, port, nowNs, true, null);
    if (this.tracer !== undefined)
      c.trace(this.ctx, "state", nowNs, { from: "CLOSED", to: "SYN-SENT" });
    return c.id;
  }

  /**
   * Queues bytes to send; returns how many were taken (fewer than offered when the send
   * buffer is full: a "writable" event follows when room appears). The bytes must not change
   * afterwards. Throws StackError once the connection cannot send.
   */
  send(h: ConnId, bytes: Uint8Array): number {
    const c = this.held(h);
    if (c.error !== null) throw new StackError(stackErrorCode(c.error), `connection ${c.error}`);
    if (c.finQueued || !acceptsSend(c.state))
      throw new StackError("closed", "connection closed for sending");
    const n = c.sendBuf.push(bytes);
    if (n < bytes.length) c.wantWritable = true;
    if (n > 0) this.dirty.add(c);
    return n;
  }

  /** Received bytes; "wait" if none yet; "end" after the peer's FIN; or the failure. */
  recv(h: ConnId, max?: number): RecvResult {
    const c = this.held(h);
    const data = c.recvBuf.read(max);
    if (data !== null) {
      if (c.state !== "CLOSED" && c.windowUpdateWorthIt()) {
        c.ackNow = true; // RFC 9293 §3.8.6.2.2: tell the peer the window opened
        this.dirty.add(c);
      }
      return data;
    }
    if (c.error !== null) return c.error;
    if (c.finReceived) return "end";
    return "wait";
  }

  /** Half-close: FIN after the queued bytes. Receiving goes on. */
  shutdown(h: ConnId): void {
    const c = this.held(h);
    this.queueFin(c);
  }

  /**
   * Closes both directions and releases the handle. Unread received data means the
   * application lost bytes: reset (RFC 1122 §4.2.2.13). Otherwise FIN after queued bytes;
   * the record lives on (FIN-WAIT, TIME-WAIT) until the protocol is done.
   */
  close(h: ConnId): void {
    const c = this.records.get(h);
    if (c === undefined || c.appClosed || c.unaccepted) return;
    c.appClosed = true;
    if (c.state === "CLOSED") {
      this.records.delete(c.id);
      return;
    }
    if (c.state === "SYN-SENT" || c.recvBuf.readyBytes > 0) {
      this.abortRecord(c);
      return;
    }
    this.queueFin(c);
    if (c.state === "FIN-WAIT-2" && c.finWait2At === null) enterFinWait2(c, this.lastNow, this.ctx);
    this.foldDeadline(c);
  }

  /** Resets the connection (RFC 9293 §3.10.5 ABORT) and releases the handle at once. */
  abort(h: ConnId): void {
    const c = this.records.get(h);
    if (c === undefined || c.unaccepted) return;
    c.appClosed = true;
    this.abortRecord(c);
  }

  /** Nagle's algorithm on (default) or off for this connection. */
  setNoDelay(h: ConnId, on: boolean): void {
    this.held(h).noDelay = on;
  }

  /** RFC 1122 §4.2.3.6 keep-alives for this connection (off by default). */
  setKeepAlive(h: ConnId, on: boolean): void {
    const c = this.held(h);
    c.keepAlive = on;
    c.keepAliveAt =
      on && (c.state === "ESTABLISHED" || c.state === "CLOSE-WAIT")
        ? this.lastNow + BigInt(this.config.keepAliveIdleMs) * 1_000_000n
        : null;
    this.foldDeadline(c);
  }

  /** About a connection the application holds; null for unknown or released handles. */
  info(h: ConnId): ConnInfo | null {
    const c = this.records.get(h);
    if (c === undefined || !c.appHolds) return null;
    return {
      local: c.local,
      localPort: c.localPort,
      remote: c.remote,
      remotePort: c.remotePort,
      state: c.state,
    };
  }

  // ---- Internals ----

  private tick(nowNs: bigint): void {
    if (nowNs > this.lastNow) this.lastNow = nowNs;
  }

  private held(h: ConnId): Connection {
    const c = this.records.get(h);
    if (c === undefined || c.appClosed || c.unaccepted) {
      throw new StackError("closed", `no open connection ${h}`);
    }
    return c;
  }

  private queueFin(c: Connection): void {
    if (c.finQueued || c.state === "CLOSED") return;
    c.finQueued = true;
    if (c.state === "ESTABLISHED") c.setState(this.ctx, "FIN-WAIT-1", this.lastNow);
    else if (c.state === "CLOSE-WAIT") c.setState(this.ctx, "LAST-ACK", this.lastNow);
    // SYN-SENT and SYN-RECEIVED: the FIN waits for the handshake (enterEstablished).
    this.dirty.add(c);
  }

  private newConnection(
    local: IpAddr,
    localPort: number,
    remote: IpAddr,
    remotePort: number,
    nowNs: bigint,
    active: boolean,
    listenerPort: number | null,
    cookieIss?: number,
  ): Connection {
    const iss = cookieIss ?? this.isn.isn(local, localPort, remote, remotePort, nowNs);
    const r = this.random(new Uint8Array(4));
    const tsOffset =
      (((r[0] as number) << 24) |
        ((r[1] as number) << 16) |
        ((r[2] as number) << 8) |
        (r[3] as number)) >>>
      0;
    const c = new Connection(
      this.nextId++,
      local,
      localPort,
      remote,
      remotePort,
      iss,
      tsOffset,
      active,
      listenerPort,
      this.config,
      nowNs,
    );
    this.table.set(tupleKey(local, localPort, remote, remotePort), c);
    this.records.set(c.id, c);
    this.dirty.add(c);
    return c;
  }

  private ephemeralPort(src: IpAddr, dst: IpAddr, port: number): number {
    const r = this.random(new Uint8Array(2));
    const start = (((r[0] as number) << 8) | (r[1] as number)) % EPHEMERAL_COUNT;
    for (let i = 0; i < EPHEMERAL_COUNT; i++) {
      const p = EPHEMERAL_LOW + ((start + i) % EPHEMERAL_COUNT);
      if (!this.table.has(tupleKey(src, p, dst, port)) && !this.listeners.has(p)) return p;
    }
    throw new StackError("address-in-use", "no free ephemeral port");
  }

  /** RFC 9293 §3.10.7.2: a segment for a listener. */
  private listenInput(l: Listener, src: IpAddr, dst: IpAddr, seg: TcpSegment, nowNs: bigint): void {
    if (seg.flags & RST) return;
    if (seg.flags & ACK) {
      if (!(seg.flags & SYN) && this.cookieReturns(l, src, dst, seg, nowNs)) return;
      this.queueReset(dst, src, seg.dstPort, seg.srcPort, seg.ack, null);
      return;
    }
    if (!(seg.flags & SYN)) return;
    if (l.ready.length >= l.backlog) {
      this.counters.listenOverflows++; // the client's SYN retransmission tries again later
      return;
    }
    // SYN-flood protection: a bounded half-open queue. Beyond it, a cookie answers the SYN
    // and keeps no state; without cookies, the oldest half-open entry makes room.
    if (l.halfOpen.size >= this.config.maxHalfOpen) {
      if (this.config.synCookies) {
        this.sendCookie(l, src, dst, seg, nowNs);
        return;
      }
      const oldest = l.halfOpen.values().next().value as Connection;
      this.counters.halfOpenEvicted++;
      this.retire(oldest, true);
    }
    const c = this.newConnection(dst, seg.dstPort, src, seg.srcPort, nowNs, false, l.port);
    c.irs = seg.seq;
    c.rcvNxt = seqAdd(seg.seq, 1);
    c.rcvAdvRight = c.rcvNxt;
    negotiate(c, seg.options);
    c.sndWnd = seg.window; // RFC 7323 §2.2: a SYN's window is not scaled
    c.maxSndWnd = seg.window;
    c.sndWl1 = seg.seq;
    c.sndWl2 = c.iss;
    l.halfOpen.add(c);
    if (this.tracer !== undefined) {
      c.trace(this.ctx, "segment-in", nowNs, segmentDetail(seg));
      c.trace(this.ctx, "state", nowNs, { from: "LISTEN", to: "SYN-RECEIVED" });
    }
  }

  /**
   * A SYN,ACK whose sequence number is a cookie (syncookie.ts): our MSS only, since the options
   * that need state (window scaling, SACK, timestamps) cannot be remembered, and no window
   * scaling means the window field is the whole window.
   */
  private sendCookie(l: Listener, src: IpAddr, dst: IpAddr, seg: TcpSegment, nowNs: bigint): void {
    const cookie = this.cookies.make(
      dst,
      seg.dstPort,
      src,
      seg.srcPort,
      seg.seq,
      seg.options.mss ?? 536,
      nowNs,
    );
    const synAck: TcpSegment = {
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq: cookie,
      ack: seqAdd(seg.seq, 1),
      flags: SYN | ACK,
      window: Math.min(this.config.receiveBufferBytes, 0xffff),
      options: { mss: this.config.mss },
      payload: EMPTY,
    };
    this.pendingOut.push({ src: dst, dst: src, segment: emitSegment(synAck, dst, src) });
    l.cookieSentAt = nowNs;
    this.counters.synCookiesSent++;
  }

  /**
   * An ACK to a listener that recently sent cookies may be a client's answer to one: if the
   * cookie checks out, the connection is made as if it had waited in SYN-RECEIVED, and the ACK
   * (with any data on it) is processed there. False when it is not a cookie of ours.
   */
  private cookieReturns(
    l: Listener,
    src: IpAddr,
    dst: IpAddr,
    seg: TcpSegment,
    nowNs: bigint,
  ): boolean {
    if (l.cookieSentAt === null || nowNs - l.cookieSentAt > COOKIE_LIFETIME_NS) return false;
    const iss = seqAdd(seg.ack, -1);
    const irs = seqAdd(seg.seq, -1);
    const mss = this.cookies.check(dst, seg.dstPort, src, seg.srcPort, irs, iss, nowNs);
    if (mss === null) {
      this.counters.synCookiesRejected++;
      return false;
    }
    this.counters.synCookiesAccepted++;
    const c = this.newConnection(dst, seg.dstPort, src, seg.srcPort, nowNs, false, l.port, iss);
    c.irs = irs;
    c.rcvNxt = seg.seq;
    negotiate(c, { mss });
    const window = Math.min(c.recvBuf.free, 0xffff);
    c.rcvAdvRight = seqAdd(c.rcvNxt, window);
    c.lastAckSent = c.rcvNxt;
    // The SYN,ACK went out (statelessly): SND.NXT is past it, and no timer watches it.
    c.sndNxt = seqAdd(iss, 1);
    c.sndMax = c.sndNxt;
    c.sndWl1 = irs;
    c.sndWl2 = iss;
    l.halfOpen.add(c);
    if (this.tracer !== undefined) {
      c.trace(this.ctx, "state", nowNs, { from: "LISTEN", to: "SYN-RECEIVED" });
      c.trace(this.ctx, "syn-cookie", nowNs, { mss });
    }
    processSegment(c, seg, nowNs, this.ctx);
    this.afterChange(c);
    return true;
  }

  /** RFC 9293 §3.10.7.1: a segment for no connection gets a RST, unless it is one. */
  private noConnection(src: IpAddr, dst: IpAddr, seg: TcpSegment): void {
    this.counters.noConnection++;
    if (seg.flags & RST) return;
    if (seg.flags & ACK) this.queueReset(dst, src, seg.dstPort, seg.srcPort, seg.ack, null);
    else {
      const ack = seqAdd(seg.seq, segmentSeqLength(seg));
      this.queueReset(dst, src, seg.dstPort, seg.srcPort, 0, ack);
    }
  }

  private queueReset(
    local: IpAddr,
    remote: IpAddr,
    localPort: number,
    remotePort: number,
    seq: number,
    ack: number | null,
  ): TcpSegment {
    const seg: TcpSegment = {
      srcPort: localPort,
      dstPort: remotePort,
      seq,
      ack: ack ?? 0,
      flags: ack === null ? RST : RST | ACK,
      window: 0,
      options: {},
      payload: EMPTY,
    };
    this.pendingOut.push({ src: local, dst: remote, segment: emitSegment(seg, local, remote) });
    return seg;
  }

  private sendConnReset(c: Connection, seq: number, ack: number | null, nowNs: bigint): void {
    const seg = this.queueReset(c.local, c.remote, c.localPort, c.remotePort, seq, ack);
    c.traceSegment(this.ctx, "segment-out", seg, nowNs);
  }

  private established(c: Connection): void {
    if (c.active) {
      if (c.appHolds) this.events.push({ type: "connected", conn: c.id });
      return;
    }
    const l = c.listenerPort === null ? undefined : this.listeners.get(c.listenerPort);
    if (l === undefined || !l.halfOpen.has(c)) {
      // The listener went away, or evicted this entry.
      this.sendConnReset(c, c.sndNxt, null, this.lastNow);
      c.setState(this.ctx, "CLOSED", this.lastNow);
      return;
    }
    l.halfOpen.delete(c);
    if (l.ready.length >= l.backlog) {
      this.counters.listenOverflows++;
      this.sendConnReset(c, c.sndNxt, null, this.lastNow);
      c.setState(this.ctx, "CLOSED", this.lastNow);
      return;
    }
    l.ready.push(c);
    this.events.push({ type: "incoming", port: l.port });
  }

  private challengeAllowed(nowNs: bigint): boolean {
    const second = nowNs / NS_PER_S;
    if (second !== this.challengeSecond) {
      this.challengeSecond = second;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.config.challengeAckPerSecond) return false;
    this.challengeCount++;
    return true;
  }

  private afterChange(c: Connection): void {
    if (c.state === "CLOSED") this.retire(c, false);
    else this.dirty.add(c);
  }

  /** Resets a connection from our side (abort, unlisten, unread data at close). */
  private abortRecord(c: Connection): void {
    if (c.state !== "CLOSED" && c.state !== "SYN-SENT" && c.state !== "TIME-WAIT") {
      this.sendConnReset(c, c.sndNxt, null, this.lastNow);
    }
    this.retire(c, true);
  }

  /** Takes a connection out of the tables; the record goes too unless the application holds it. */
  private retire(c: Connection, force: boolean): void {
    if (c.state !== "CLOSED") c.setState(this.ctx, "CLOSED", this.lastNow);
    if (force) c.appClosed = true;
    const key = tupleKey(c.local, c.localPort, c.remote, c.remotePort);
    if (this.table.get(key) === c) this.table.delete(key);
    this.dirty.delete(c);
    if (c.listenerPort !== null) {
      const l = this.listeners.get(c.listenerPort);
      if (l !== undefined) {
        l.halfOpen.delete(c);
        const i = l.ready.indexOf(c);
        if (i >= 0) l.ready.splice(i, 1);
      }
    }
    if (!c.appHolds) this.records.delete(c.id);
  }
}
