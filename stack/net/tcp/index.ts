/**
 * Morgana's TCP (RFC 9293), sans-IO: one `TcpCore` owns every connection and listener of a
 * host. It never reads a clock, sets a timer or touches a device: the IP layer and the glue
 * pass `nowNs` in, collect segments and events out, and sleep until `pollAt()`.
 *
 * RFCs to read alongside: 9293 (the protocol), 5961 (RST/SYN/ACK attack mitigations), 6528
 * (ISNs), 7323 (window scale, timestamps, PAWS), 6298 (RTO), 5681 and 6582 (NewReno), 2018
 * (SACK), 1122 §4.2 (delayed ACK, keep-alive), 6691 (MSS).
 *
 * Addresses: `IpAddr` is `{ v: 4, n: uint32 }` (addr.ts); IPv6 will add `{ v: 6, ... }`.
 *
 * The IP side:
 *   receive(src, dst, segment, nowNs)  a whole TCP segment (IPv4 payload); the checksum is
 *                                      checked over the pseudo-header; malformed segments are
 *                                      counted in `counters` and dropped, never thrown.
 *   poll(nowNs) -> OutSegment[]        segments to send ({src, dst, segment}, checksums filled),
 *                                      after running every timer that is due.
 *   pollAt() -> bigint | null          the next deadline (retransmission, delayed ACK, persist,
 *                                      keep-alive, TIME-WAIT, FIN-WAIT-2); "now" if output waits.
 *
 * The socket side (for the glue that implements stack.ts `Flow`; handles are `ConnId`):
 *   listen(port, backlog) / unlisten(port)
 *   accept(port) -> ConnId | null      after an "incoming" event
 *   connect(src, dst, port, nowNs, localPort?) -> ConnId   then "connected" or "error"
 *   send(h, bytes) -> number           bytes taken (backpressure; "writable" when room appears)
 *   recv(h, max?) -> bytes | "wait" | "end" | "reset" | "refused" | "timeout"
 *   shutdown(h)                        FIN after queued data; receiving goes on
 *   close(h)                           both directions; the handle is released (a reset if
 *                                      received data was never read)
 *   abort(h)                           RST now, handle released
 *   setNoDelay(h, on), setKeepAlive(h, on), info(h)
 *   takeEvents() -> TcpEvent[]         incoming, connected, readable, writable, peer-closed,
 *                                      error (reset | refused | timeout), closed
 * After socket calls, call `poll` to collect what they made sendable.
 *
 * Tracing (DESIGN.md "Tracing"): with a tracer, each connection (id
 * "tcp:LOCAL:PORT-REMOTE:PORT#N") reports "segment-in", "segment-out", "state", "retransmit",
 * "rto", "congestion" and "challenge-ack" events. `state` is the summary {state, sndUna,
 * sndNxt, sndWnd, rcvNxt, rcvWnd, cwnd, ssthresh, srtt (ms or null), rto (ms), flight};
 * a segment's `detail` is {flags, seq, ack, len, window, options}. "segment-in" carries the
 * summary as the segment arrives; the events it causes follow it. Without a tracer nothing
 * is built.
 */
export { formatIp, type IpAddr, type Ipv4Addr, ipv4, parseIpv4, sameIp } from "./addr.ts";
export { DEFAULT_TCP_CONFIG, type TcpConfig, type TcpCoreOptions } from "./config.ts";
export { type ConnInfo, type OutSegment, stackErrorCode, TcpCore } from "./core.ts";
export type { TcpCounters } from "./counters.ts";
export type { ConnId, RecvResult, TcpError, TcpEvent } from "./events.ts";
export type { TcpState } from "./state.ts";
export {
  ACK,
  emitSegment,
  FIN,
  flagsText,
  PSH,
  parseSegment,
  RST,
  SYN,
  type TcpSegment,
  TcpView,
} from "./wire.ts";
