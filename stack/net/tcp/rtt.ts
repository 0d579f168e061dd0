/**
 * The retransmission timeout per RFC 6298. Times are milliseconds (numbers); the connection
 * turns them into nanosecond deadlines.
 *  - §2.1: before any sample, RTO = 1 s.
 *  - §2.2: first sample R: SRTT = R, RTTVAR = R/2.
 *  - §2.3: later samples: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.
 *  - RTO = SRTT + max(G, 4 RTTVAR), at least `minRtoMs` (§2.4: 1 s) and at most `maxRtoMs`
 *    (§2.5: at least 60 s).
 *  - §5.5: each expiry doubles RTO ("back off the timer"), up to the maximum.
 * Karn's algorithm (§3) is the caller's part: never sample a retransmitted segment, except
 * through timestamps (RFC 7323 §4), which tell which transmission an ACK answers.
 */

/** Clock granularity G: our timestamps tick in milliseconds. */
const GRANULARITY_MS = 1;
const INITIAL_RTO_MS = 1000;
const LOST_SYN_RTO_MS = 3000;

export class RttEstimator {
  /** Smoothed RTT in ms; null until the first sample. */
  srtt: number | null = null;
  rttvar = 0;
  /** The current timeout in ms, backoff included. */
  rto: number;

  constructor(
    readonly minRtoMs: number,
    readonly maxRtoMs: number,
  ) {
    this.rto = Math.min(Math.max(INITIAL_RTO_MS, minRtoMs), maxRtoMs);
  }

  sample(rttMs: number): void {
    const r = Math.max(rttMs, 0);
    if (this.srtt === null) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = this.clamp(this.srtt + Math.max(GRANULARITY_MS, 4 * this.rttvar));
  }

  /**
   * §5.7: the SYN (or SYN,ACK) needed a retransmission and no sample came of it: data
   * transmission starts with an RTO of 3 s.
   */
  synLost(): void {
    if (this.srtt === null) this.rto = this.clamp(LOST_SYN_RTO_MS);
  }

  backoff(): void {
    this.rto = this.clamp(this.rto * 2);
  }

  private clamp(ms: number): number {
    return Math.min(Math.max(ms, this.minRtoMs), this.maxRtoMs);
  }
}
