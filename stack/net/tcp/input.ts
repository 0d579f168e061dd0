/**
 * Segment arrival for an existing connection: RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4
 * (every other state), with RFC 5961's checks on RST, SYN and ACK, RFC 7323's PAWS and
 * TS.Recent rules, RFC 5681/6582 duplicate-ACK counting and RFC 6298 RTT sampling.
 * The steps keep the RFC's numbering ("first, check the sequence number", ...).
 */
import { NS_PER_MS } from "../../devices/clock.ts";
import type { Connection, CoreContext } from "./connection.ts";
import { DEFAULT_PEER_MSS } from "./connection.ts";
import { closeDone, enterEstablished, enterFinWait2, enterTimeWait, fail } from "./lifecycle.ts";
import { DUPACK_THRESHOLD } from "./newreno.ts";
import type { TcpOptions } from "./options.ts";
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from "./seq.ts";
import { acceptsText } from "./state.ts";

/** NOP, NOP, kind 8, length 10 (RFC 7323 Appendix A layout). */
const TIMESTAMP_OPTION_BYTES = 12;

import { ACK, FIN, RST, SYN, type TcpSegment } from "./wire.ts";

/** Processes one valid segment addressed to `c`. */
export function processSegment(
  c: Connection,
  seg: TcpSegment,
  nowNs: bigint,
  ctx: CoreContext,
): void {
  c.lastRecvNs = nowNs;
  c.traceSegment(ctx, "segment-in", seg, nowNs);
  if (c.state === "SYN-SENT") synSent(c, seg, nowNs, ctx);
  else if (c.state !== "CLOSED") synchronized(c, seg, nowNs, ctx);
}

/**
 * Options from the peer's SYN (RFC 7323 §2.2, §3.2; RFC 2018 §2; RFC 9293 §3.7.1): each is
 * used only if both SYNs carried it: an active open offered them all (as configured), and a
 * passive open's SYN-ACK answers with the set the peer's SYN offered.
 */
export function negotiate(c: Connection, o: TcpOptions): void {
  const cfg = c.config;
  c.sendMss = Math.max(64, Math.min(o.mss ?? DEFAULT_PEER_MSS, cfg.mss));
  c.wsOk = cfg.windowScaling && o.wscale !== undefined;
  c.sndWscale = c.wsOk ? (o.wscale as number) : 0;
  c.rcvWscale = c.wsOk ? c.ourWscale : 0;
  c.tsOk = cfg.timestamps && o.timestamp !== undefined;
  if (c.tsOk) c.tsRecent = (o.timestamp as { val: number }).val;
  c.sackOk = cfg.sack && o.sackPermitted === true;
  // RFC 5681's SMSS is the largest payload: every segment carries the 12 timestamp bytes.
  c.cc.setMss(c.sendMss - (c.tsOk ? TIMESTAMP_OPTION_BYTES : 0));
}

/** RFC 9293 §3.10.7.3. */
function synSent(c: Connection, seg: TcpSegment, nowNs: bigint, ctx: CoreContext): void {
  const f = seg.flags;
  // First, check the ACK bit: it must acknowledge our SYN and nothing more.
  if (f & ACK && (seqLe(seg.ack, c.iss) || seqGt(seg.ack, c.sndMax))) {
    if (!(f & RST)) ctx.reset(c, seg.ack, null, nowNs);
    return;
  }
  // Second, the RST bit: with an acceptable ACK it refuses the connection (RFC 5961 §3.2
  // keeps this check: the ACK proves the sender saw our SYN). Without an ACK, drop it.
  if (f & RST) {
    if (f & ACK) {
      ctx.counters.resetsAccepted++;
      fail(c, "refused", nowNs, ctx);
    }
    return;
  }
  // Fourth, the SYN bit.
  if (!(f & SYN)) return;
  c.irs = seg.seq;
  c.rcvNxt = seqAdd(seg.seq, 1);
  c.rcvAdvRight = c.rcvNxt;
  negotiate(c, seg.options);
  // RFC 7323 §2.2: the window in a SYN is never scaled.
  c.sndWnd = seg.window;
  c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
  c.sndWl1 = seg.seq;
  c.sndWl2 = seg.ack;
  if (f & ACK) {
    c.sndUna = seg.ack;
    if (seqLt(c.sndNxt, c.sndUna)) c.sndNxt = c.sndUna;
    sampleRtt(c, seg, nowNs);
    if (c.rtxCount > 0) c.rtt.synLost();
    c.rtxAt = null;
    c.rtxCount = 0;
    c.ackNow = true;
    // Text or FIN on a SYN-ACK is not taken: unacknowledged, the peer sends it again.
    enterEstablished(c, nowNs, ctx);
    return;
  }
  // Simultaneous open (RFC 9293 Figure 8): answer with SYN,ACK from SYN-RECEIVED.
  c.setState(ctx, "SYN-RECEIVED", nowNs);
  c.sndNxt = c.iss;
  c.rtxAt = null;
}

/** RFC 9293 §3.10.7.4 "Otherwise" (SYN-RECEIVED and every synchronized state). */
function synchronized(c: Connection, seg: TcpSegment, nowNs: bigint, ctx: CoreContext): void {
  let f = seg.flags;
  let seq = seg.seq;
  let payload = seg.payload;

  // A repeated SYN in SYN-RECEIVED (our SYN,ACK was lost, or simultaneous open's SYN,ACK):
  // its SYN lies just before RCV.NXT. Strip it, answer with our SYN,ACK again, and let an
  // ACK it carries complete the handshake.
  if (c.state === "SYN-RECEIVED" && f & SYN && !(f & RST) && seq === c.irs) {
    f &= ~SYN;
    seq = seqAdd(seq, 1);
    if (!(f & ACK)) {
      // Echo the repeated SYN's timestamp, not the first one's: the peer's RTT sample from
      // our SYN,ACK then measures this exchange (RFC 7323 §4.3 R3 in spirit).
      const t = seg.options.timestamp;
      if (c.tsOk && t !== undefined && seqGe(t.val, c.tsRecent)) c.tsRecent = t.val;
      c.ackNow = true;
      return;
    }
  }

  const ts = seg.options.timestamp;
  // RFC 7323 §5.3 (PAWS): a timestamp older than TS.Recent marks an old duplicate.
  if (c.tsOk && ts !== undefined && !(f & RST) && seqLt(ts.val, c.tsRecent)) {
    ctx.counters.outOfWindow++;
    ackUnacceptable(c, seq, payload.length + (f & (SYN | FIN) ? 1 : 0), nowNs);
    return;
  }

  // First, check the sequence number (the four cases of §3.10.7.4).
  const segLen = payload.length + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);
  const wnd = c.rcvWnd;
  if (!acceptable(c, seq, segLen, wnd)) {
    if (!(f & RST)) {
      // "send an acknowledgment ... and drop the unacceptable segment"
      ctx.counters.outOfWindow++;
      if (c.state === "TIME-WAIT" && f & FIN) enterTimeWait(c, nowNs, ctx); // restart 2 MSL
      ackUnacceptable(c, seq, segLen, nowNs);
    }
    return;
  }
  c.probesUnanswered = 0;

  // RFC 7323 §4.3 R3: remember the peer's timestamp if the segment covers Last.ACK.sent.
  if (c.tsOk && ts !== undefined && seqGe(ts.val, c.tsRecent) && seqLe(seq, c.lastAckSent)) {
    c.tsRecent = ts.val;
  }

  // Trim to the window: only the new parts are processed.
  if (seqLt(seq, c.rcvNxt)) {
    let cut = seqDiff(c.rcvNxt, seq);
    if (f & SYN) {
      f &= ~SYN;
      cut--;
    }
    payload = payload.subarray(Math.min(cut, payload.length));
    seq = c.rcvNxt;
    c.ackNow = true; // a partial duplicate: tell the peer where we are
  }
  const room = seqDiff(c.rcvAdvRight, seq);
  if (payload.length > Math.max(room, 0)) {
    payload = payload.subarray(0, Math.max(room, 0));
    f &= ~FIN;
    c.ackNow = true;
  }

  // Second, check the RST bit (RFC 5961 §3.2): only an exact RCV.NXT resets; anything else
  // in the window earns a challenge ACK.
  if (f & RST) {
    if (seg.seq !== c.rcvNxt) {
      challengeAck(c, nowNs, ctx);
      return;
    }
    ctx.counters.resetsAccepted++;
    if (c.state === "SYN-RECEIVED") fail(c, c.active ? "refused" : "reset", nowNs, ctx);
    else if (c.state === "CLOSING" || c.state === "LAST-ACK" || c.state === "TIME-WAIT") {
      closeDone(c, nowNs, ctx);
    } else fail(c, "reset", nowNs, ctx);
    return;
  }

  // Fourth, check the SYN bit (RFC 5961 §4; RFC 9293 §3.10.7.4): a challenge ACK whatever the
  // sequence number.
  if (f & SYN) {
    challengeAck(c, nowNs, ctx);
    return;
  }

  // Fifth, check the ACK field.
  if (!(f & ACK)) return;
  if (c.state === "SYN-RECEIVED") {
    if (!(seqLt(c.sndUna, seg.ack) && seqLe(seg.ack, c.sndMax))) {
      ctx.reset(c, seg.ack, null, nowNs);
      return;
    }
    c.sndUna = seg.ack;
    if (seqLt(c.sndNxt, c.sndUna)) c.sndNxt = c.sndUna;
    sampleRtt(c, seg, nowNs);
    if (c.rtxCount > 0) c.rtt.synLost();
    c.rtxAt = null;
    c.rtxCount = 0;
    c.sndWnd = seg.window << c.sndWscale;
    c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
    c.sndWl1 = seq;
    c.sndWl2 = seg.ack;
    enterEstablished(c, nowNs, ctx);
  } else if (!processAck(c, seg, seq, f, payload.length, nowNs, ctx)) {
    return;
  }

  const finAcked = c.finSeq !== null && seqGt(c.sndUna, c.finSeq);
  switch (c.state) {
    case "FIN-WAIT-1":
      if (finAcked) enterFinWait2(c, nowNs, ctx);
      break;
    case "CLOSING":
      if (finAcked) enterTimeWait(c, nowNs, ctx);
      return;
    case "LAST-ACK":
      if (finAcked) closeDone(c, nowNs, ctx);
      return;
    case "TIME-WAIT":
      // "The only thing that can arrive in this state is a retransmission of the remote
      // FIN" (that one is old, so answered above); ACKing anything else starts ACK wars.
      return;
    default:
      break;
  }

  // Seventh, process the segment text.
  if (payload.length > 0 && acceptsText(c.state)) {
    if (c.appClosed) {
      // The application is gone and cannot read this: reset (RFC 9293 §3.10.4, RFC 2525 §2.17).
      ctx.reset(c, c.sndNxt, null, nowNs);
      fail(c, "reset", nowNs, ctx);
      return;
    }
    receiveText(c, seq, payload, nowNs, ctx);
  }

  // Eighth, check the FIN bit.
  if (f & FIN) c.peerFinSeq = seqAdd(seq, payload.length);
  takeFin(c, nowNs, ctx);
}

/** The four cases of RFC 9293 §3.10.7.4 "first, check sequence number". */
function acceptable(c: Connection, seq: number, len: number, wnd: number): boolean {
  const nxt = c.rcvNxt;
  if (len === 0) {
    if (wnd === 0) return seq === nxt;
    return seqLe(nxt, seq) && seqLt(seq, seqAdd(nxt, wnd));
  }
  // Zero window: the RFC accepts none, but "special allowance should be made to accept valid
  // ACKs, URGs, and RSTs": a segment exactly at RCV.NXT is processed with its text trimmed.
  if (wnd === 0) return seq === nxt;
  const end = seqAdd(seq, len - 1);
  const right = seqAdd(nxt, wnd);
  return (seqLe(nxt, seq) && seqLt(seq, right)) || (seqLe(nxt, end) && seqLt(end, right));
}

/**
 * Out-of-window ACKs for segments with text, SYN or FIN, and for probes, go at once (they tell
 * a retransmitting or probing peer where we are). For other bare ACKs they are limited to one per `INVALID_ACK_INTERVAL_NS`
 * per connection: two endpoints that disagree about a window would otherwise answer each
 * other's ACKs forever (Linux limits these the same way, tcp_invalid_ratelimit, 500 ms).
 */
function ackUnacceptable(c: Connection, seq: number, segLen: number, nowNs: bigint): void {
  // Probes (zero-window and keep-alive: SEG.SEQ = RCV.NXT - 1) are always answered.
  if (segLen > 0 || seq === seqAdd(c.rcvNxt, -1)) {
    c.ackNow = true;
    return;
  }
  if (c.lastInvalidAckNs !== null && nowNs - c.lastInvalidAckNs < INVALID_ACK_INTERVAL_NS) return;
  c.lastInvalidAckNs = nowNs;
  c.ackNow = true;
}

const INVALID_ACK_INTERVAL_NS = 500n * NS_PER_MS;

/** RFC 5961 §7: challenge ACKs are rate limited across the whole host. */
function challengeAck(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  if (ctx.challengeAllowed(nowNs)) {
    ctx.counters.challengeAcks++;
    c.ackNow = true;
    if (ctx.tracer !== undefined) c.trace(ctx, "challenge-ack", nowNs);
  } else {
    ctx.counters.challengeAcksSuppressed++;
  }
}

/** RFC 6298 §2 with RFC 7323 §4 (timestamps) or Karn's rule (§3) without them. */
function sampleRtt(c: Connection, seg: TcpSegment, nowNs: bigint): void {
  const ts = seg.options.timestamp;
  if (c.tsOk && ts !== undefined) {
    c.rttSeq = null;
    if (c.rtxTsFloor !== null) {
      if (seqLt(ts.ecr, c.rtxTsFloor)) return;
      c.rtxTsFloor = null;
    }
    const ms = seqDiff(c.tsNow(nowNs), ts.ecr);
    if (ms >= 0 && ms < 3_600_000) c.rtt.sample(ms);
    c.rttSeq = null;
    return;
  }
  if (c.rttSeq !== null && seqGe(seg.ack, c.rttSeq)) {
    c.rtt.sample(Number(nowNs - c.rttSentAt) / Number(NS_PER_MS));
    c.rttSeq = null;
  }
}

/**
 * Step five for synchronized states: RFC 5961 §5.2 acceptable-ACK range, new data
 * acknowledged (RFC 6298 timer rules §5.2-5.3, RFC 5681/6582), duplicate ACKs, and the send
 * window update. False when the segment must be dropped.
 */
function processAck(
  c: Connection,
  seg: TcpSegment,
  seq: number,
  flags: number,
  textLen: number,
  nowNs: bigint,
  ctx: CoreContext,
): boolean {
  const ack = seg.ack;
  if (seqGt(ack, c.sndMax)) {
    c.ackNow = true; // acknowledges something not yet sent
    return false;
  }
  if (seqLt(ack, seqAdd(c.sndUna, -c.maxSndWnd))) {
    challengeAck(c, nowNs, ctx); // RFC 5961 §5.2: too old to be a real ACK
    return false;
  }
  const wnd = seg.window << c.sndWscale;
  const sack = seg.options.sack;
  if (c.sackOk && sack !== undefined) c.scoreboard.update(sack, seqMax(ack, c.sndUna), c.sndMax);
  if (seqGt(ack, c.sndUna)) {
    newAck(c, seg, nowNs, ctx);
  } else if (
    ack === c.sndUna &&
    textLen === 0 &&
    !(flags & (SYN | FIN)) &&
    wnd === c.sndWnd &&
    c.sndMax !== c.sndUna
  ) {
    // RFC 5681 §2 duplicate ACK.
    // RFC 5827 early retransmit: with fewer than four segments out and nothing new to send,
    // three duplicate ACKs can never come; one less than the segments out will do.
    const segsOut = Math.ceil(c.flight / c.cc.smss);
    const unsent = c.sendBuf.length - seqDiff(c.sndNxt, c.sndUna);
    const threshold =
      segsOut >= 2 && segsOut < DUPACK_THRESHOLD + 1 && unsent <= 0
        ? segsOut - 1
        : DUPACK_THRESHOLD;
    const action = c.cc.onDupAck(c.flight, ack, c.sndMax, threshold);
    if (action === "fast-retransmit") {
      c.rtxOne = true;
      c.rttSeq = null;
      c.highRxt = c.sndUna;
      c.holeBytesOut = 0;
      if (ctx.tracer !== undefined) {
        c.trace(ctx, "congestion", nowNs, { event: "enter-recovery", recover: c.cc.recover });
      }
    } else if (action === "inflate" && !c.scoreboard.empty) {
      c.rtxHole = true; // RFC 6675 §5: with SACK, resend a hole rather than wait for it
    }
  }
  // Update the send window if the segment is newer (RFC 9293 §3.10.7.4, SND.WL1/SND.WL2).
  if (
    seqGe(ack, c.sndUna) &&
    (seqLt(c.sndWl1, seq) || (c.sndWl1 === seq && seqLe(c.sndWl2, ack)))
  ) {
    c.sndWnd = wnd;
    c.sndWl1 = seq;
    c.sndWl2 = ack;
    c.maxSndWnd = Math.max(c.maxSndWnd, wnd);
    if (wnd > 0) {
      c.persistAt = null;
      c.persistCount = 0;
    }
  }
  return true;
}

function newAck(c: Connection, seg: TcpSegment, nowNs: bigint, ctx: CoreContext): void {
  const ack = seg.ack;
  const flightBefore = c.flight;
  const acked = seqDiff(ack, c.sndUna);
  c.sendBuf.drop(Math.min(acked, c.sendBuf.length));
  c.sndUna = ack;
  c.scoreboard.advance(ack);
  if (seqLt(c.highRxt, ack)) c.highRxt = ack;
  if (seqLt(c.sndNxt, ack)) c.sndNxt = ack;
  sampleRtt(c, seg, nowNs);
  c.rtxCount = 0;
  // RFC 6298 §5.2, §5.3: stop the timer when all is acknowledged, else restart it.
  c.rtxAt = c.sndMax === c.sndUna ? null : nowNs + c.rtoNs();
  const wasRecovering = c.cc.inRecovery;
  const kind = c.cc.onNewAck(acked, ack, flightBefore);
  if (kind === "partial") c.rtxOne = true; // RFC 6582 §3.2 step 3: resend the next hole
  if (kind === "full") c.holeBytesOut = 0;
  if (ctx.tracer !== undefined && wasRecovering) {
    c.trace(ctx, "congestion", nowNs, {
      event: kind === "full" ? "exit-recovery" : "partial-ack",
      acked,
    });
  }
  if (c.wantWritable && c.sendBuf.free > 0 && c.appHolds) {
    c.wantWritable = false;
    ctx.event({ type: "writable", conn: c.id });
  }
}

/** Step seven: in-order text to the application, the rest to reassembly (RFC 5681 §4.2 ACKs). */
function receiveText(
  c: Connection,
  seq: number,
  payload: Uint8Array,
  nowNs: bigint,
  ctx: CoreContext,
): void {
  const inOrder = seq === c.rcvNxt;
  const hadGap = c.recvBuf.hasOutOfOrder;
  const advanced = c.recvBuf.insert(seq, payload, c.rcvNxt);
  c.rcvNxt = seqAdd(c.rcvNxt, advanced);
  if (advanced > 0 && c.appHolds) ctx.event({ type: "readable", conn: c.id });
  if (!inOrder || hadGap) {
    c.ackNow = true; // out of order: a duplicate ACK now; filling a gap: ACK at once
    return;
  }
  c.unackedSegs++;
  if (c.unackedSegs >= 2) c.ackNow = true;
  else if (c.ackAt === null) c.ackAt = nowNs + BigInt(ctx.config.delayedAckMs) * NS_PER_MS;
}

/** Step eight, once the FIN is in order: RCV.NXT covers it and the state moves on. */
export function takeFin(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  if (c.peerFinSeq === null || c.finReceived || c.peerFinSeq !== c.rcvNxt) return;
  c.finReceived = true;
  c.rcvNxt = seqAdd(c.rcvNxt, 1);
  c.ackNow = true;
  if (c.appHolds) {
    ctx.event({ type: "peer-closed", conn: c.id });
    ctx.event({ type: "readable", conn: c.id });
  }
  switch (c.state) {
    case "SYN-RECEIVED":
    case "ESTABLISHED":
      c.setState(ctx, "CLOSE-WAIT", nowNs);
      break;
    case "FIN-WAIT-1":
      // Our FIN not yet acknowledged: simultaneous close.
      c.setState(ctx, "CLOSING", nowNs);
      break;
    case "FIN-WAIT-2":
      enterTimeWait(c, nowNs, ctx);
      break;
    default:
      break;
  }
}
