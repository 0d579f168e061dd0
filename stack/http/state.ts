/**
 * The states of an HTTP/1.1 server connection (connection.ts), each holding only its own data
 * (as rustls's and ocaml-tls's per-state types do):
 *
 *   reading ──"Connection: close", an error response, peer FIN, shutdown──▶ draining
 *   reading ──idle deadline, nothing owed──────────────────────────────────▶ closed
 *   draining ──the last owed response taken──────────────────────────────▶ closed
 *   any ──send deadline passed while a write waits, or the flow failed────▶ closed (dropped)
 *
 * `closed` means: write what `takeOutput` already gave, then close the flow; a dropped
 * connection (send-timeout, aborted) closes at once, abandoning the write under way.
 */

/** Why a connection ended: a closed set, so a trace or a test can tell every way apart. */
export type CloseReason =
  /** The peer ended its stream; every request it sent was answered (RFC 9112 §9.6). */
  | "peer-closed"
  /** The server shut down; every request received was answered. */
  | "shutdown"
  /** A request or a response asked for "Connection: close" (RFC 9112 §9.6). */
  | "close-requested"
  /** An error response (400, 408, 413, ...) was sent, then the connection closed. */
  | "rejected"
  /** A keep-alive connection stayed idle past the idle timeout (RFC 9112 §9.5). */
  | "idle-timeout"
  /** A write waited past the send timeout: dropped, nothing more written. */
  | "send-timeout"
  /** The flow failed (reset, read or write rejected): dropped. */
  | "aborted";

/** Where the 100 (Continue) interim response of the request being read stands (RFC 9110 §10.1.1). */
export type ContinueState = "none" | "owed" | "sent";

export type ConnectionState =
  /** Parsing requests; `expect` tracks a 100 (Continue) for the one being read. */
  | { readonly kind: "reading"; readonly expect: ContinueState }
  /** No more requests; the owed responses go out, then `closed` with `reason`. */
  | { readonly kind: "draining"; readonly reason: DrainReason }
  | { readonly kind: "closed"; readonly reason: CloseReason };

/** The reasons a connection stops reading but still answers what it owes. */
export type DrainReason = "peer-closed" | "shutdown" | "close-requested" | "rejected";

/** The deadlines a connection keeps (smoltcp's timer enum): which one `tick` acts on. */
export type Deadline =
  /** The header section of a request is not complete (RFC 9110 §15.5.9: 408). */
  | "headers"
  /** A body has received nothing for the header timeout: stalled (408). */
  | "body-stall"
  /** A whole request is taking longer than the request timeout (408). */
  | "request"
  /** A keep-alive connection with nothing to do. */
  | "idle"
  /** A write the peer does not take. */
  | "send";

// Shared, since reading states with no 100 (Continue) pending are the common case.
export const READING: ConnectionState = Object.freeze({ kind: "reading", expect: "none" });
export const READING_CONTINUE_OWED: ConnectionState = Object.freeze({
  kind: "reading",
  expect: "owed",
});
export const READING_CONTINUE_SENT: ConnectionState = Object.freeze({
  kind: "reading",
  expect: "sent",
});

export function draining(reason: DrainReason): ConnectionState {
  return { kind: "draining", reason };
}

export function closedState(reason: CloseReason): ConnectionState {
  return { kind: "closed", reason };
}
