/**
 * Bytes the application has handed over and the peer has not yet acknowledged: the unacked
 * bytes from SND.UNA, then the unsent ones (RFC 9293 §3.3.1 send sequence space). Bounded by
 * `capacity`, which is the backpressure the `Flow` API sees. Chunks are kept as given
 * (`Flow.write`'s contract: the caller does not change them afterwards): no copy on write.
 */
import { concatBytes } from "../../bytes/index.ts";

const EMPTY = new Uint8Array(0);

export class SendBuffer {
  private chunks: Uint8Array[] = [];
  /** Bytes of `chunks[0]` already acknowledged. */
  private head = 0;
  /** Bytes held (from SND.UNA). */
  length = 0;

  constructor(readonly capacity: number) {}

  get free(): number {
    return this.capacity - this.length;
  }

  /** Takes as much of `bytes` as fits; returns how many bytes were taken. */
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.free);
    if (n === 0) return 0;
    this.chunks.push(n === bytes.length ? bytes : bytes.subarray(0, n));
    this.length += n;
    return n;
  }

  /** Bytes [offset, offset + len) from SND.UNA (a view when they lie in one chunk). */
  read(offset: number, len: number): Uint8Array {
    const n = Math.min(len, this.length - offset);
    if (n <= 0) return EMPTY;
    let skip = offset + this.head;
    const parts: Uint8Array[] = [];
    let want = n;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      const take = Math.min(c.length - skip, want);
      parts.push(c.subarray(skip, skip + take));
      want -= take;
      skip = 0;
      if (want === 0) break;
    }
    return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
  }

  /** Forgets the first `n` bytes (acknowledged). */
  drop(n: number): void {
    let left = Math.min(n, this.length);
    this.length -= left;
    while (left > 0) {
      const c = this.chunks[0] as Uint8Array;
      const rest = c.length - this.head;
      if (left < rest) {
        this.head += left;
        return;
      }
      left -= rest;
      this.chunks.shift();
      this.head = 0;
    }
  }
}
