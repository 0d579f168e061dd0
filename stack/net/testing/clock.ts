/**
 * A virtual clock for tests and benchmarks of the stack: time moves only when the driver
 * says so, so a run is exact and reproducible (smoltcp's tests pass explicit timestamps).
 */
import { type Clock, NS_PER_MS } from "../../devices/clock.ts";

interface Timer {
  at: bigint;
  seq: number;
  fire: () => void;
}

export class VirtualClock implements Clock {
  private now = 0n;
  private seq = 0;
  private timers: Timer[] = [];

  monotonicNs(): bigint {
    return this.now;
  }

  wallMs(): number {
    return 1_700_000_000_000 + Number(this.now / NS_PER_MS);
  }

  sleepNs(ns: bigint): Promise<void> {
    return new Promise((resolve) => this.at(this.now + (ns > 0n ? ns : 0n), resolve));
  }

  timer(ns: bigint, fire: () => void): () => void {
    return this.at(this.now + (ns > 0n ? ns : 0n), fire);
  }

  /** Runs `fire` when the clock reaches `at`, unless the returned function is called first. */
  at(at: bigint, fire: () => void): () => void {
    const t = { at, seq: this.seq++, fire };
    // Keep sorted by (at, seq); insertion from the back is cheap for mostly-increasing times.
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1] as Timer).at > at) i--;
    this.timers.splice(i, 0, t);
    return () => {
      const j = this.timers.indexOf(t);
      if (j >= 0) this.timers.splice(j, 1);
    };
  }

  /** The earliest pending timer, or null. */
  nextAt(): bigint | null {
    return this.timers[0]?.at ?? null;
  }

  /** Moves to the earliest timer (if not past `limit`) and fires every timer due then. */
  step(limit: bigint): boolean {
    const first = this.timers[0];
    if (!first || first.at > limit) {
      if (limit > this.now) this.now = limit;
      return false;
    }
    if (first.at > this.now) this.now = first.at;
    while (this.timers.length > 0 && (this.timers[0] as Timer).at <= this.now) {
      (this.timers.shift() as Timer).fire();
    }
    return true;
  }
}
