/** A timer: what to run, and when (monotonic ns). */
interface Timer {
  at: bigint;
  seq: number;
  fire: () => void;
}

/**
 * The board's timers, as data (smoltcp's poll_at shape): the event loop asks for the next
 * deadline, sleeps until then, and calls `fireDue(now)`. Ordered by deadline, then by the
 * order they were added, so equal deadlines fire first-in first-out. Pure: no clock inside.
 */
export class TimerQueue {
  private timers: Timer[] = [];
  private seq = 0;

  /** Adds a timer; returns a function that cancels it. */
  add(at: bigint, fire: () => void): () => void {
    const timer: Timer = { at, seq: this.seq++, fire };
    // Binary search for the first timer due strictly later: insertion keeps FIFO among equals.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.timers[mid] as Timer).at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Runs every timer due at `now`, in order; returns how many ran. */
  fireDue(now: bigint): number {
    let n = 0;
    while (this.timers.length > 0 && (this.timers[0] as Timer).at <= now) {
      const t = this.timers.shift() as Timer;
      n++;
      t.fire();
    }
    return n;
  }

  /** The earliest deadline, or null when no timer is set. */
  next(): bigint | null {
    return this.timers[0]?.at ?? null;
  }

  get size(): number {
    return this.timers.length;
  }
}

/** The one timer queue of the board's event loop. */
export const timers = new TimerQueue();

/**
 * Device polls the event loop runs on every turn, before timers: each checks its device
 * (after an interrupt woke the core) and wakes whoever waits on it.
 */
export const devicePolls = new Set<() => void>();
