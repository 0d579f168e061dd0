/** What the core counts: drops by reason, RFC 5961 answers, SYN-flood pressure. */
export interface TcpCounters {
  segmentsIn: number;
  segmentsOut: number;
  /** Malformed segments, dropped before any connection saw them (each reason apart). */
  truncated: number;
  badDataOffset: number;
  badOptions: number;
  badChecksum: number;
  /** Segments with port 0 as source or destination. */
  badPort: number;
  /** Segments for no connection and no listener (answered with RST unless they were RST). */
  noConnection: number;
  /** Segments outside the receive window or failing PAWS (answered with an ACK). */
  outOfWindow: number;
  /** RFC 5961 challenge ACKs sent, and those suppressed by the rate limit. */
  challengeAcks: number;
  challengeAcksSuppressed: number;
  /** RSTs that reset a connection. */
  resetsAccepted: number;
  /** SYNs dropped because a listener's accept queue was full. */
  listenOverflows: number;
  /** Half-open connections evicted to make room for new SYNs (cookies off). */
  halfOpenEvicted: number;
  /** SYN,ACKs sent with a cookie because the half-open queue was full (RFC 4987). */
  synCookiesSent: number;
  /** Connections opened by a returning cookie. */
  synCookiesAccepted: number;
  /** ACKs to a listener that were not a valid cookie (forged, or expired): answered with RST. */
  synCookiesRejected: number;
  retransmits: number;
  timeouts: number;
}

export function newCounters(): TcpCounters {
  return {
    segmentsIn: 0,
    segmentsOut: 0,
    truncated: 0,
    badDataOffset: 0,
    badOptions: 0,
    badChecksum: 0,
    badPort: 0,
    noConnection: 0,
    outOfWindow: 0,
    challengeAcks: 0,
    challengeAcksSuppressed: 0,
    resetsAccepted: 0,
    listenOverflows: 0,
    halfOpenEvicted: 0,
    synCookiesSent: 0,
    synCookiesAccepted: 0,
    synCookiesRejected: 0,
    retransmits: 0,
    timeouts: 0,
  };
}
