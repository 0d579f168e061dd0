/**
 * NewReno congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast
 * retransmit and fast recovery (RFC 5681 §3.2) with NewReno's partial-ACK handling
 * (RFC 6582 §3.2). Pure arithmetic over bytes; the connection decides what to send.
 */
import { seqGe } from "./seq.ts";

/** RFC 5681 §3.2: the third duplicate ACK triggers fast retransmit. */
export const DUPACK_THRESHOLD = 3;

/** RFC 5681 §3.1, equation (1): the initial window for a sender MSS. */
export function initialWindow(smss: number): number {
  if (smss > 2190) return 2 * smss;
  if (smss > 1095) return 3 * smss;
  return 4 * smss;
}

/** What a duplicate ACK asks of the sender. */
export type DupAckAction = "none" | "fast-retransmit" | "inflate";
/** What an ACK of new data means for recovery. */
export type NewAckKind = "normal" | "partial" | "full";

export class NewReno {
  cwnd: number;
  /** RFC 5681 §3.1: initially arbitrarily high. */
  ssthresh = 0x7fffffff;
  dupAcks = 0;
  inRecovery = false;
  /** RFC 6582 §3.2 "recover": snd.max when recovery (or the last timeout) began. */
  recover: number;

  constructor(
    /** RFC 5681 SMSS: the largest payload a segment carries. */
    public smss: number,
    iss: number,
  ) {
    this.cwnd = initialWindow(smss);
    this.recover = iss;
  }

  setMss(smss: number): void {
    this.smss = smss;
    this.cwnd = initialWindow(smss);
  }

  /** RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
  private halve(flight: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.smss);
  }

  /**
   * A duplicate ACK (RFC 5681 §2 definition, checked by the caller). RFC 6582 §3.2 step 2:
   * fast retransmit only if the ACK covers more than `recover` (no new recovery for losses
   * from the window that caused the previous one).
   */
  onDupAck(
    flight: number,
    ack: number,
    sndMax: number,
    threshold = DUPACK_THRESHOLD,
  ): DupAckAction {
    this.dupAcks++;
    if (this.inRecovery) {
      this.cwnd += this.smss; // RFC 5681 §3.2 step 4: inflate for the segment that left
      return "inflate";
    }
    if (this.dupAcks < threshold) return "none";
    if (!seqGe(ack, this.recover)) return "none"; // `recover` is snd.max, one past the highest sent
    this.halve(flight);
    this.cwnd = this.ssthresh + this.dupAcks * this.smss; // step 3: the segments that left
    this.inRecovery = true;
    this.recover = sndMax;
    return "fast-retransmit";
  }

  /** An ACK of `acked` new bytes up to `ack`, with `flight` bytes outstanding before it. */
  onNewAck(acked: number, ack: number, flight: number): NewAckKind {
    this.dupAcks = 0;
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // RFC 6582 §3.2 step 3, full ACK: deflate, option (1) of the two it offers.
        this.cwnd = Math.min(this.ssthresh, Math.max(flight - acked, this.smss) + this.smss);
        this.inRecovery = false;
        return "full";
      }
      // Partial ACK: deflate by the amount acked, add back one SMSS if at least that much.
      this.cwnd = Math.max(this.cwnd - acked, this.smss);
      if (acked >= this.smss) this.cwnd += this.smss;
      return "partial";
    }
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, this.smss); // slow start, RFC 5681 eq. (2)
    } else {
      // Congestion avoidance, RFC 5681 eq. (3): about one SMSS per RTT.
      this.cwnd += Math.max(1, Math.floor((this.smss * this.smss) / this.cwnd));
    }
    return "normal";
  }

  /** RFC 5681 §3.1 eq. (4) and (5), RFC 6582 §4: a retransmission timeout. */
  onRto(flight: number, sndMax: number): void {
    this.halve(flight);
    this.cwnd = this.smss; // loss window
    this.dupAcks = 0;
    this.inRecovery = false;
    this.recover = sndMax;
  }

  /**
   * RFC 3042 limited transmit: the first two duplicate ACKs each let one new segment out
   * beyond cwnd (cwnd itself unchanged), so a small window can still reach three.
   */
  get sendAllowance(): number {
    if (this.inRecovery || this.dupAcks === 0 || this.dupAcks >= DUPACK_THRESHOLD) return 0;
    return this.dupAcks * this.smss;
  }

  /** RFC 5681 §4.1: after an idle period longer than RTO, restart from the initial window. */
  restartAfterIdle(): void {
    this.cwnd = Math.min(this.cwnd, initialWindow(this.smss));
  }
}
