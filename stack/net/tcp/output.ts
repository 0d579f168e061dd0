/**
 * Segment sending for one connection: what `dispatch` puts on the wire when the core polls.
 * SYN and SYN,ACK (RFC 9293 §3.10.1, §3.10.7.2), data limited by the peer's window and cwnd
 * (RFC 5681), Nagle's algorithm (RFC 9293 §3.7.4), sender SWS avoidance (§3.8.6.2.1), FIN
 * after the data, fast retransmission of one segment (RFC 5681 §3.2, RFC 6582), zero-window
 * and keep-alive probes (§3.8.6.1, RFC 1122 §4.2.3.6) and pure or delayed ACKs.
 */
import type { Connection, CoreContext } from "./connection.ts";
import { NO_OPTIONS, optionsLength, type TcpOptions } from "./options.ts";
import { seqAdd, seqDiff, seqGt, seqLe, seqLt, seqMax } from "./seq.ts";
import { ACK, FIN, PSH, SYN, type TcpSegment } from "./wire.ts";

const EMPTY = new Uint8Array(0);

/** RFC 2018 §3: with timestamps, at most 3 SACK blocks fit in the 40 option bytes; else 4. */
const SACK_BLOCKS_WITH_TS = 3;
const SACK_BLOCKS = 4;

/** Appends to `out` every segment `c` should send now. */
export function dispatch(c: Connection, nowNs: bigint, ctx: CoreContext, out: TcpSegment[]): void {
  const before = out.length;
  switch (c.state) {
    case "CLOSED":
      return;
    case "SYN-SENT":
      if (c.sndNxt === c.iss) sendSyn(c, nowNs, ctx, out);
      return;
    case "SYN-RECEIVED":
      if (c.sndNxt === c.iss || c.ackNow) sendSyn(c, nowNs, ctx, out);
      return;
    default:
      break;
  }
  // One options object for every segment of this dispatch: the timestamp and the SACK
  // blocks cannot change within it.
  const options = dataOptions(c, nowNs);
  switch (c.state) {
    case "ESTABLISHED":
    case "CLOSE-WAIT":
    case "FIN-WAIT-1":
    case "CLOSING":
    case "LAST-ACK":
      sendData(c, nowNs, ctx, out, options);
      break;
    default:
      break; // FIN-WAIT-2 and TIME-WAIT only acknowledge
  }
  if (c.probeNow) {
    c.probeNow = false;
    // RFC 1122 §4.2.3.6 and the persist probe: SEG.SEQ = SND.UNA - 1, no text. The peer finds
    // it old and answers with an ACK carrying its current window.
    emit(c, nowNs, ctx, out, options, seqAdd(c.sndUna, -1), ACK, EMPTY);
  }
  // A bare ACK carries SND.MAX, not SND.NXT (as BSD does): after a timeout pulls SND.NXT
  // back, the peer may already hold everything up to SND.MAX, and would find an ACK with an
  // older sequence number unacceptable and drop it, window update and all.
  if (out.length === before && c.ackNow) emit(c, nowNs, ctx, out, options, c.sndMax, ACK, EMPTY);
  // Every byte outstanding has a timer watching it, whatever path led here: a connection
  // must never wait forever for an ACK that will not come (nor leak its record).
  if (
    c.sndMax !== c.sndUna &&
    c.rtxAt === null &&
    c.persistAt === null &&
    c.state !== "TIME-WAIT"
  ) {
    c.rtxAt = nowNs + c.rtoNs();
  }
}

function sendSyn(c: Connection, nowNs: bigint, ctx: CoreContext, out: TcpSegment[]): void {
  const cfg = ctx.config;
  const passive = c.state === "SYN-RECEIVED";
  const retransmission = seqGt(c.sndMax, c.iss);
  const options: TcpOptions = passive
    ? {
        mss: cfg.mss,
        ...(c.wsOk ? { wscale: c.ourWscale } : {}),
        ...(c.sackOk ? { sackPermitted: true } : {}),
        ...(c.tsOk ? { timestamp: { val: c.tsNow(nowNs), ecr: c.tsRecent } } : {}),
      }
    : {
        mss: cfg.mss,
        ...(cfg.windowScaling ? { wscale: c.ourWscale } : {}),
        ...(cfg.sack ? { sackPermitted: true } : {}),
        ...(cfg.timestamps ? { timestamp: { val: c.tsNow(nowNs), ecr: 0 } } : {}),
      };
  // RFC 7323 §2.2: the window field of a SYN is never scaled.
  const window = Math.min(c.recvBuf.free, 0xffff);
  const seg: TcpSegment = {
    srcPort: c.localPort,
    dstPort: c.remotePort,
    seq: c.iss,
    ack: passive ? c.rcvNxt : 0,
    flags: passive ? SYN | ACK : SYN,
    window,
    options,
    payload: EMPTY,
  };
  if (passive) {
    c.rcvAdvRight = seqAdd(c.rcvNxt, window);
    c.lastAckSent = c.rcvNxt;
  }
  c.sndNxt = seqAdd(c.iss, 1);
  c.sndMax = seqMax(c.sndMax, c.sndNxt);
  if (retransmission) {
    c.rttSeq = null; // Karn
    ctx.counters.retransmits++;
    if (ctx.tracer !== undefined)
      c.trace(ctx, "retransmit", nowNs, { seq: c.iss, len: 0, flags: passive ? "SYN,ACK" : "SYN" });
  } else {
    c.rttSeq = c.sndNxt;
    c.rttSentAt = nowNs;
  }
  if (c.rtxAt === null) c.rtxAt = nowNs + c.rtoNs();
  c.ackNow = false;
  out.push(seg);
  c.traceSegment(ctx, "segment-out", seg, nowNs);
}

/** Options on a segment after the handshake: timestamps and SACK blocks when negotiated. */
function dataOptions(c: Connection, nowNs: bigint): TcpOptions {
  const ts = c.tsOk ? { val: c.tsNow(nowNs), ecr: c.tsRecent } : undefined;
  const sack =
    c.sackOk && c.recvBuf.hasOutOfOrder
      ? c.recvBuf.sackBlocks(c.rcvNxt, c.tsOk ? SACK_BLOCKS_WITH_TS : SACK_BLOCKS)
      : undefined;
  if (ts === undefined && sack === undefined) return NO_OPTIONS;
  return {
    ...(ts === undefined ? {} : { timestamp: ts }),
    ...(sack === undefined ? {} : { sack }),
  };
}

function sendData(
  c: Connection,
  nowNs: bigint,
  ctx: CoreContext,
  out: TcpSegment[],
  options: TcpOptions,
): void {
  // RFC 5681 §4.1: after sending nothing for longer than an RTO, restart from the initial
  // window rather than bursting a stale cwnd into a network that may have changed.
  if (c.sndMax === c.sndUna && c.sendBuf.length > 0 && nowNs - c.lastDataSendNs > c.rtoNs()) {
    c.cc.restartAfterIdle();
  }
  const optLen = optionsLength(options);
  const maxSeg = Math.max(1, c.sendMss - optLen); // RFC 6691: options come out of the MSS
  if (c.rtxOne) {
    c.rtxOne = false;
    const len = Math.min(maxSeg, c.sendBuf.length);
    const fin = c.finSeq !== null && seqAdd(c.sndUna, len) === c.finSeq;
    if (len > 0 || fin) {
      c.rttSeq = null;
      emit(
        c,
        nowNs,
        ctx,
        out,
        options,
        c.sndUna,
        ACK | (fin ? FIN : 0),
        c.sendBuf.read(0, len),
        true,
      );
      const end = seqAdd(c.sndUna, len);
      if (seqLt(c.highRxt, end)) c.highRxt = end;
    }
  }
  if (c.rtxHole) {
    // One hole the peer's SACK blocks show it skipped, if the window has room for it.
    c.rtxHole = false;
    const from = seqLt(c.highRxt, c.sndUna) ? c.sndUna : c.highRxt;
    const hole = c.scoreboard.nextHole(from, maxSeg);
    const room = Math.min(c.sndWnd, c.cc.cwnd) - seqDiff(c.sndNxt, c.sndUna) - c.holeBytesOut;
    if (hole !== null && hole.len <= room && seqLt(hole.seq, c.sndNxt)) {
      const len = Math.min(hole.len, seqDiff(c.sndNxt, hole.seq));
      const payload = c.sendBuf.read(seqDiff(hole.seq, c.sndUna), len);
      c.rttSeq = null;
      emit(c, nowNs, ctx, out, options, hole.seq, ACK, payload, true);
      c.highRxt = seqAdd(hole.seq, len);
      c.holeBytesOut += len;
    }
  }
  // Each pass sends one segment; the bound only guards against a logic error looping.
  for (let guard = 0; guard < 1 << 20; guard++) {
    const offset = seqDiff(c.sndNxt, c.sndUna);
    const unsent = c.sendBuf.length - offset; // -1 once the FIN is out
    const finDue = c.finQueued && (c.finSeq === null || seqLe(c.sndNxt, c.finSeq));
    // After a timeout, go-back-N skips what the peer has SACKed since.
    if (seqLt(c.sndNxt, c.sndMax)) {
      const end = c.scoreboard.sackedEnd(c.sndNxt);
      if (end !== null) {
        c.sndNxt = seqLt(end, c.sndMax) ? end : c.sndMax;
        continue;
      }
    }
    const usable = Math.min(c.sndWnd, c.cc.cwnd + c.cc.sendAllowance) - offset - c.holeBytesOut;
    const len = Math.max(0, Math.min(unsent, maxSeg, usable));
    const lastPiece = len === unsent;
    const fin = finDue && lastPiece;
    if (len === 0 && !fin) break;
    if (len > 0 && !fin) {
      // Nagle (RFC 9293 §3.7.4) and sender SWS avoidance (§3.8.6.2.1): send a full segment,
      // anything when nothing is outstanding, the rest when Nagle is off, or half the
      // largest window the peer offered.
      const ok =
        len === maxSeg || offset === 0 || (lastPiece && c.noDelay) || 2 * len >= c.maxSndWnd;
      if (!ok) break;
    }
    const seq = c.sndNxt;
    const payload = c.sendBuf.read(offset, len);
    if (fin) c.finSeq = seqAdd(seq, len);
    const flags = ACK | (fin ? FIN : 0) | (lastPiece && len > 0 ? PSH : 0);
    const fresh = !seqLt(seq, c.sndMax);
    c.sndNxt = seqAdd(seq, len + (fin ? 1 : 0));
    c.sndMax = seqMax(c.sndMax, c.sndNxt);
    if (fresh && !c.tsOk && c.rttSeq === null && len > 0) {
      c.rttSeq = c.sndNxt;
      c.rttSentAt = nowNs;
    }
    emit(c, nowNs, ctx, out, options, seq, flags, payload, !fresh);
    if (fin) break;
  }
  // RFC 9293 §3.8.6.1: data waiting behind a zero window and nothing in flight to bring an
  // ACK: the persist timer will probe.
  // (Also after a timeout pulled SND.NXT back to SND.UNA into a window that has closed.)
  const waiting =
    c.sendBuf.length - seqDiff(c.sndNxt, c.sndUna) > 0 || (c.finQueued && c.finSeq === null);
  if (waiting && c.sndWnd === 0 && c.sndNxt === c.sndUna && c.persistAt === null) {
    const backoff = BigInt(2 ** Math.min(c.persistCount, 16));
    const interval = c.rtoNs() * backoff;
    const max = BigInt(ctx.config.maxRtoMs) * 1_000_000n;
    c.persistAt = nowNs + (interval < max ? interval : max);
  }
}

/** Fills in ACK, window and options, and sends. Every segment after the SYN goes through here. */
function emit(
  c: Connection,
  nowNs: bigint,
  ctx: CoreContext,
  out: TcpSegment[],
  options: TcpOptions,
  seq: number,
  flags: number,
  payload: Uint8Array,
  retransmission = false,
): void {
  const seg: TcpSegment = {
    srcPort: c.localPort,
    dstPort: c.remotePort,
    seq,
    ack: c.rcvNxt,
    flags,
    window: c.windowField(),
    options,
    payload,
  };
  const occupies = payload.length + (flags & FIN ? 1 : 0);
  if (occupies > 0) {
    if (retransmission) {
      ctx.counters.retransmits++;
      if (ctx.tracer !== undefined) {
        c.trace(ctx, "retransmit", nowNs, { seq, len: payload.length, fin: (flags & FIN) !== 0 });
      }
    }
    // RFC 6298 §5.1: start the timer when data leaves and it is not running.
    if (c.rtxAt === null) c.rtxAt = nowNs + c.rtoNs();
    c.lastDataSendNs = nowNs;
  }
  c.lastAckSent = c.rcvNxt;
  c.ackNow = false;
  c.ackAt = null;
  c.unackedSegs = 0;
  out.push(seg);
  c.traceSegment(ctx, "segment-out", seg, nowNs);
}
