/**
 * Time, as MirageOS splits it: a monotonic clock for intervals and timeouts, a wall clock
 * for dates, and sleeping. Protocol cores never read a clock: their hosts pass `now` in.
 */
export interface Clock {
  /** Monotonic nanoseconds since an arbitrary origin; never goes backwards. */
  monotonicNs(): bigint;
  /** Wall-clock milliseconds since the Unix epoch (may jump when the clock is set). */
  wallMs(): number;
  /** Resolves after at least `ns` nanoseconds of monotonic time. */
  sleepNs(ns: bigint): Promise<void>;
  /**
   * Calls `fire` once at least `ns` nanoseconds of monotonic time have passed, unless the
   * returned function is called first. For timeouts that usually do not fire (a handshake's):
   * cancelled when the work ends, a timer keeps nothing alive, where a pending `sleepNs`
   * would hold whatever its continuation holds until it wakes.
   */
  timer(ns: bigint, fire: () => void): () => void;
}

/** Nanoseconds per millisecond and per second, for readable arithmetic at call sites. */
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
