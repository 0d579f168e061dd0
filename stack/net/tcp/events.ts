/**
 * What the core tells the glue, drained with `TcpCore.takeEvents()`. Connections are named by
 * a `ConnId` handle. The glue (the Stack over a Netif) turns these into `Flow` promises.
 */

/** A connection handle: stable while the application holds it. */
export type ConnId = number;

/** Why a connection failed (maps to stack.ts `StackErrorCode`). */
export type TcpError =
  | "reset" // the peer reset a synchronized connection
  | "refused" // the peer answered our SYN with a reset
  | "timeout"; // retransmissions or keep-alive probes went unanswered

export type TcpEvent =
  /** `accept(port)` has a connection ready. */
  | { type: "incoming"; port: number }
  /** An active open (`connect`) reached ESTABLISHED. */
  | { type: "connected"; conn: ConnId }
  /** `recv` has bytes (or the end) to give. */
  | { type: "readable"; conn: ConnId }
  /** `send` refused bytes earlier and now has room. */
  | { type: "writable"; conn: ConnId }
  /** The peer sent FIN: after the buffered bytes, `recv` answers "end". */
  | { type: "peer-closed"; conn: ConnId }
  /** The connection failed; `recv` and `send` answer with the error from now on. */
  | { type: "error"; conn: ConnId; error: TcpError }
  /** The connection reached CLOSED (both sides done or failed): `close` frees the handle. */
  | { type: "closed"; conn: ConnId };

/** What `recv` returns: bytes, nothing yet, the peer's end of stream, or the failure. */
export type RecvResult = Uint8Array | "wait" | "end" | TcpError;
