/**
 * The receive side: in-order bytes waiting for the application, and out-of-order segments
 * waiting for the gap before them to fill (RFC 9293 §3.10.7.4, "seventh, process the segment
 * text"; RFC 9293 §3.8.6.2 the receive window). The out-of-order pieces are what SACK blocks
 * report (RFC 2018 §4): the block holding the most recently received segment first, then the
 * most recently reported ones.
 */
import { concatBytes } from "../../bytes/index.ts";
import type { SackBlock } from "./options.ts";
import { seqAdd, seqDiff } from "./seq.ts";

interface Piece {
  seq: number;
  data: Uint8Array;
}

/**
 * At most this many out-of-order pieces are kept: a peer sending tiny segments cannot make
 * reassembly cost more than this per segment. It holds a whole 256 KiB window of full-sized
 * segments behind one hole (181 of 1448 bytes). Past it, new out-of-order data is dropped
 * (the peer retransmits it).
 */
export const MAX_OOO_PIECES = 256;

export class ReceiveBuffer {
  private ready: Uint8Array[] = [];
  /** In-order bytes not yet read by the application. */
  readyBytes = 0;
  private ooo: Piece[] = [];
  /** Seqs of the latest out-of-order arrivals, newest first (RFC 2018 §4 block order). */
  private recent: number[] = [];

  constructor(readonly capacity: number) {}

  /** Space left: the most the receive window may offer. */
  get free(): number {
    return this.capacity - this.readyBytes;
  }

  get hasOutOfOrder(): boolean {
    return this.ooo.length > 0;
  }

  /**
   * Adds `data` at `seq` (already trimmed by the caller to [rcvNxt, rcvNxt + window)).
   * Returns how far RCV.NXT advances. `data` is copied: the segment's bytes may be reused.
   */
  insert(seq: number, data: Uint8Array, rcvNxt: number): number {
    if (data.length === 0) return 0;
    const rel = seqDiff(seq, rcvNxt);
    if (rel === 0) {
      this.pushReady(data.slice());
      let advanced = data.length;
      let nxt = seqAdd(rcvNxt, advanced);
      // Pull in out-of-order pieces the new bytes reach.
      while (this.ooo.length > 0) {
        const p = this.ooo[0] as Piece;
        const off = seqDiff(nxt, p.seq);
        if (off < 0) break;
        this.ooo.shift();
        if (off < p.data.length) {
          const tail = p.data.subarray(off);
          this.pushReady(tail);
          advanced += tail.length;
          nxt = seqAdd(nxt, tail.length);
        }
      }
      if (this.recent.length > 0) this.recent = this.recent.filter((s) => seqDiff(s, nxt) >= 0);
      return advanced;
    }
    this.insertOutOfOrder(rel, data, rcvNxt);
    return 0;
  }

  private pushReady(bytes: Uint8Array): void {
    this.ready.push(bytes);
    this.readyBytes += bytes.length;
  }

  private insertOutOfOrder(rel: number, data: Uint8Array, rcvNxt: number): void {
    // Keep only the parts of [rel, rel + len) no stored piece covers.
    let a = rel;
    const b = rel + data.length;
    const fresh: Piece[] = [];
    for (const p of this.ooo) {
      const x = seqDiff(p.seq, rcvNxt);
      const y = x + p.data.length;
      if (y <= a) continue;
      if (x >= b) break;
      if (a < x) fresh.push({ seq: seqAdd(rcvNxt, a), data: data.slice(a - rel, x - rel) });
      a = Math.max(a, y);
    }
    if (a < b) fresh.push({ seq: seqAdd(rcvNxt, a), data: data.slice(a - rel, b - rel) });
    if (fresh.length === 0) {
      this.noteRecent(seqAdd(rcvNxt, rel));
      return;
    }
    if (this.ooo.length + fresh.length > MAX_OOO_PIECES) return;
    this.ooo.push(...fresh);
    this.ooo.sort((p, q) => seqDiff(p.seq, rcvNxt) - seqDiff(q.seq, rcvNxt));
    this.noteRecent(seqAdd(rcvNxt, rel));
  }

  private noteRecent(seq: number): void {
    this.recent = [seq, ...this.recent.filter((s) => s !== seq)].slice(0, 8);
  }

  /** Contiguous out-of-order ranges, most recent first, at most `max` (RFC 2018 §4). */
  sackBlocks(rcvNxt: number, max: number): SackBlock[] {
    if (this.ooo.length === 0 || max <= 0) return [];
    const ranges: [number, number][] = [];
    for (const p of this.ooo) {
      const x = seqDiff(p.seq, rcvNxt);
      const y = x + p.data.length;
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last[1] >= x) last[1] = Math.max(last[1], y);
      else ranges.push([x, y]);
    }
    const out: SackBlock[] = [];
    const used = new Set<number>();
    const take = (i: number): void => {
      if (used.has(i) || out.length >= max) return;
      used.add(i);
      const r = ranges[i] as [number, number];
      out.push([seqAdd(rcvNxt, r[0]), seqAdd(rcvNxt, r[1])]);
    };
    for (const s of this.recent) {
      const x = seqDiff(s, rcvNxt);
      const i = ranges.findIndex((r) => r[0] <= x && x < r[1]);
      if (i >= 0) take(i);
    }
    for (let i = 0; i < ranges.length; i++) take(i);
    return out;
  }

  /** Takes up to `max` in-order bytes (all of them by default). */
  read(max = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (this.readyBytes === 0) return null;
    if (max >= this.readyBytes) {
      const out = this.ready.length === 1 ? (this.ready[0] as Uint8Array) : concatBytes(this.ready);
      this.ready = [];
      this.readyBytes = 0;
      return out;
    }
    const parts: Uint8Array[] = [];
    let want = max;
    while (want > 0) {
      const c = this.ready[0] as Uint8Array;
      if (c.length <= want) {
        parts.push(c);
        this.ready.shift();
        want -= c.length;
      } else {
        parts.push(c.subarray(0, want));
        this.ready[0] = c.subarray(want);
        want = 0;
      }
    }
    this.readyBytes -= max;
    return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
  }

  /** Frees everything (reset or abort). */
  clear(): void {
    this.ready = [];
    this.readyBytes = 0;
    this.ooo = [];
    this.recent = [];
  }
}
