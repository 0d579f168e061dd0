/**
 * Timers are data: each connection keeps absolute deadlines (retransmission, persist,
 * delayed ACK, TIME-WAIT, FIN-WAIT-2, keep-alive) and the core sleeps until the earliest.
 * `runTimers` does what each expired one asks; the segments follow in `dispatch`.
 */
import { NS_PER_MS } from "../../devices/clock.ts";
import type { Connection, CoreContext } from "./connection.ts";
import { closeDone, fail } from "./lifecycle.ts";

/** The connection's earliest deadline, or null when it waits only for packets or calls. */
export function nextDeadline(c: Connection): bigint | null {
  // Written out, not looped over an array: this runs for every connection on every scan.
  let at = c.rtxAt;
  if (c.persistAt !== null && (at === null || c.persistAt < at)) at = c.persistAt;
  if (c.ackAt !== null && (at === null || c.ackAt < at)) at = c.ackAt;
  if (c.timeWaitAt !== null && (at === null || c.timeWaitAt < at)) at = c.timeWaitAt;
  if (c.finWait2At !== null && (at === null || c.finWait2At < at)) at = c.finWait2At;
  if (c.keepAliveAt !== null && (at === null || c.keepAliveAt < at)) at = c.keepAliveAt;
  return at;
}

const due = (t: bigint | null, now: bigint): boolean => t !== null && now >= t;

export function runTimers(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  const cfg = ctx.config;
  if (due(c.timeWaitAt, nowNs) || due(c.finWait2At, nowNs)) {
    closeDone(c, nowNs, ctx);
    return;
  }
  if (due(c.rtxAt, nowNs)) {
    onRetransmitTimeout(c, nowNs, ctx);
    if (c.state === "CLOSED") return;
  }
  if (due(c.persistAt, nowNs)) {
    c.persistAt = null;
    if (c.probesUnanswered >= cfg.maxRetransmits) {
      fail(c, "timeout", nowNs, ctx);
      return;
    }
    c.probesUnanswered++;
    c.persistCount++;
    c.probeNow = true; // output re-arms the persist timer with the backed-off interval
  }
  if (due(c.ackAt, nowNs)) {
    c.ackAt = null;
    c.ackNow = true;
  }
  if (due(c.keepAliveAt, nowNs)) {
    const idle = c.sndMax === c.sndUna && c.sendBuf.length === 0;
    const quietNs = nowNs - c.lastRecvNs;
    const idleNs = BigInt(cfg.keepAliveIdleMs) * NS_PER_MS;
    if (!c.keepAlive || (c.state !== "ESTABLISHED" && c.state !== "CLOSE-WAIT")) {
      c.keepAliveAt = null;
    } else if (!idle || quietNs < idleNs) {
      // Traffic since: wait a whole idle period from the last segment received.
      c.keepAliveAt = c.lastRecvNs + idleNs > nowNs ? c.lastRecvNs + idleNs : nowNs + idleNs;
      c.probesUnanswered = 0;
    } else if (c.probesUnanswered >= cfg.keepAliveProbes) {
      fail(c, "timeout", nowNs, ctx);
      return;
    } else {
      c.probesUnanswered++;
      c.probeNow = true;
      c.keepAliveAt = nowNs + BigInt(cfg.keepAliveIntervalMs) * NS_PER_MS;
    }
  }
}

/**
 * RFC 6298 §5.4-5.6 and RFC 5681 §3.1: retransmit the earliest unacknowledged segment (here:
 * go back to SND.UNA and send again from there), back off the timer, collapse cwnd to one
 * segment. After R2 (RFC 9293 §3.8.3) the connection is given up.
 */
function onRetransmitTimeout(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  c.rtxAt = null;
  if (c.sndMax === c.sndUna) return; // nothing outstanding any more
  const limit =
    c.state === "SYN-SENT" || c.state === "SYN-RECEIVED"
      ? ctx.config.maxSynRetransmits
      : ctx.config.maxRetransmits;
  if (c.rtxCount >= limit) {
    fail(c, "timeout", nowNs, ctx);
    return;
  }
  c.rtxCount++;
  const flight = c.flight;
  c.cc.onRto(flight, c.sndMax);
  c.rtt.backoff();
  c.sndNxt = c.sndUna;
  c.rtxOne = false;
  c.rtxHole = false;
  c.holeBytesOut = 0;
  c.scoreboard.clear(); // RFC 2018 §8: the receiver may have reneged
  c.rttSeq = null; // Karn: nothing sent before now may be timed
  c.rtxTsFloor = c.tsNow(nowNs); // (timestamps may be negotiated only by the SYN,ACK)
  if (ctx.tracer !== undefined) {
    c.trace(ctx, "rto", nowNs, { count: c.rtxCount, rto: c.rtt.rto });
    c.trace(ctx, "congestion", nowNs, { event: "rto", cwnd: c.cc.cwnd, ssthresh: c.cc.ssthresh });
  }
}
