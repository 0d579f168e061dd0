/** The connection states of RFC 9293 §3.3.2 (LISTEN belongs to listeners, not connections). */
export type TcpState =
  | "SYN-SENT"
  | "SYN-RECEIVED"
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "CLOSING"
  | "LAST-ACK"
  | "TIME-WAIT"
  | "CLOSED";

/** States after the handshake in which the peer's sequence numbers are known and checked. */
export function isSynchronized(s: TcpState): boolean {
  return s !== "SYN-SENT" && s !== "SYN-RECEIVED" && s !== "CLOSED";
}

/** States in which received text is delivered (RFC 9293 §3.10.7.4, seventh step). */
export function acceptsText(s: TcpState): boolean {
  return s === "ESTABLISHED" || s === "FIN-WAIT-1" || s === "FIN-WAIT-2";
}

/** States in which the application may still queue data. */
export function acceptsSend(s: TcpState): boolean {
  return s === "SYN-SENT" || s === "SYN-RECEIVED" || s === "ESTABLISHED" || s === "CLOSE-WAIT";
}
