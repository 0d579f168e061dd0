/** Transitions shared by segment arrival, timers and application calls. */
import type { Connection, CoreContext } from "./connection.ts";
import type { TcpError } from "./events.ts";

function stopTimers(c: Connection): void {
  c.rtxAt = null;
  c.persistAt = null;
  c.ackAt = null;
  c.finWait2At = null;
  c.keepAliveAt = null;
  c.timeWaitAt = null;
  c.ackNow = false;
  c.rtxOne = false;
  c.probeNow = false;
}

/** The connection ends normally (both FINs acknowledged, TIME-WAIT over). */
export function closeDone(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  stopTimers(c);
  c.setState(ctx, "CLOSED", nowNs);
  if (c.appHolds) ctx.event({ type: "closed", conn: c.id });
}

/**
 * The connection fails (RFC 9293 §3.10.7.4: on RST "all segment queues should be flushed";
 * on R2 timeout the connection is closed). The application sees the error on its next call.
 */
export function fail(c: Connection, error: TcpError, nowNs: bigint, ctx: CoreContext): void {
  stopTimers(c);
  c.error = error;
  c.recvBuf.clear();
  c.sendBuf.drop(c.sendBuf.length);
  if (error === "timeout") ctx.counters.timeouts++;
  c.setState(ctx, "CLOSED", nowNs);
  if (c.appHolds) {
    ctx.event({ type: "error", conn: c.id, error });
    ctx.event({ type: "closed", conn: c.id });
  }
}

/** RFC 9293 §3.10.7.4: TIME-WAIT holds the 4-tuple for 2 MSL; only its own timer runs. */
export function enterTimeWait(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  const ackOwed = c.ackNow; // the FIN that led here is still to be acknowledged
  stopTimers(c);
  c.ackNow = ackOwed;
  c.setState(ctx, "TIME-WAIT", nowNs);
  c.timeWaitAt = nowNs + BigInt(ctx.config.timeWaitMs) * 1_000_000n;
}

/** Our FIN is acknowledged in FIN-WAIT-1: FIN-WAIT-2, bounded if the application is gone. */
export function enterFinWait2(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  c.setState(ctx, "FIN-WAIT-2", nowNs);
  c.rtxAt = null;
  if (c.appClosed) c.finWait2At = nowNs + BigInt(ctx.config.finWait2TimeoutMs) * 1_000_000n;
}

/** The handshake completed; a FIN queued during it now follows the data. */
export function enterEstablished(c: Connection, nowNs: bigint, ctx: CoreContext): void {
  c.setState(ctx, "ESTABLISHED", nowNs);
  if (c.keepAlive) c.keepAliveAt = nowNs + BigInt(ctx.config.keepAliveIdleMs) * 1_000_000n;
  ctx.established(c);
  if (c.finQueued) c.setState(ctx, "FIN-WAIT-1", nowNs);
}
