/**
 * The sender's SACK scoreboard (RFC 2018 §4, RFC 6675 §3-4, simplified): which bytes above
 * SND.UNA the peer reported holding, so recovery resends only the holes. Ranges are kept
 * sorted and merged, as sequence numbers relative to nothing: every comparison goes through
 * seq.ts. RFC 2018 §8: SACKed bytes stay in the send buffer (the receiver may renege) and
 * the board is cleared on a retransmission timeout.
 */
import type { SackBlock } from "./options.ts";
import { seqGt, seqLe, seqLt, seqMax } from "./seq.ts";

/** Ranges kept at most: blocks beyond it are ignored (a peer cannot make us grow a list). */
const MAX_RANGES = 32;

export class Scoreboard {
  private ranges: [number, number][] = [];

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Adds the peer's blocks that lie within (una, max]. */
  update(blocks: readonly SackBlock[], una: number, max: number): void {
    for (const [l0, r] of blocks) {
      if (!seqLt(l0, r) || !seqGt(r, una) || seqGt(r, max)) continue; // not about our data
      this.add(seqMax(l0, una), r);
    }
  }

  private add(l: number, r: number): void {
    const out: [number, number][] = [];
    let nl = l;
    let nr = r;
    let placed = false;
    for (const g of this.ranges) {
      if (seqLt(g[1], nl)) out.push(g);
      else if (seqLt(nr, g[0])) {
        if (!placed) out.push([nl, nr]);
        placed = true;
        out.push(g);
      } else {
        if (seqLt(g[0], nl)) nl = g[0];
        if (seqGt(g[1], nr)) nr = g[1];
      }
    }
    if (!placed) out.push([nl, nr]);
    this.ranges = out.length > MAX_RANGES ? out.slice(0, MAX_RANGES) : out;
  }

  /** SND.UNA moved to `una`: forget what lies below it. */
  advance(una: number): void {
    if (this.ranges.length === 0) return;
    this.ranges = this.ranges.filter((g) => seqGt(g[1], una));
    const first = this.ranges[0];
    if (first !== undefined && seqLt(first[0], una)) first[0] = una;
  }

  clear(): void {
    this.ranges = [];
  }

  /** If `seq` lies in a SACKed range, where that range ends; else null. */
  sackedEnd(seq: number): number | null {
    for (const [l, r] of this.ranges) {
      if (seqLe(l, seq) && seqLt(seq, r)) return r;
      if (seqLt(seq, l)) break;
    }
    return null;
  }

  /**
   * The first hole at or after `from` that lies below some SACKed range (RFC 6675 NextSeg
   * rule 1: only bytes the peer has evidently skipped), at most `max` bytes; null if none.
   */
  nextHole(from: number, max: number): { seq: number; len: number } | null {
    let p = from;
    for (const [l, r] of this.ranges) {
      if (seqLe(r, p)) continue;
      if (seqLe(l, p)) {
        p = r;
        continue;
      }
      const len = Math.min(max, (l - p) >>> 0);
      return len > 0 ? { seq: p, len } : null;
    }
    return null;
  }
}
