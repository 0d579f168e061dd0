/** A clock moved by hand, and a way to let queued promise callbacks run. */

import { type Clock, NS_PER_MS } from "@morgana/stack/devices";

/** A Clock that only moves when its owner says so (a test, a simulation, a replay). */
export class ManualClock implements Clock {
  nowNs = 0n;
  wallOriginMs = Date.UTC(2024, 0, 2, 3, 4, 5);
  private sleepers: { at: bigint; resolve: () => void }[] = [];

  monotonicNs(): bigint {
    return this.nowNs;
  }

  wallMs(): number {
    return this.wallOriginMs + Number(this.nowNs / NS_PER_MS);
  }

  sleepNs(ns: bigint): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.nowNs + ns, resolve });
    });
  }

  timer(ns: bigint, fire: () => void): () => void {
    const sleeper = { at: this.nowNs + ns, resolve: fire };
    this.sleepers.push(sleeper);
    return () => {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper);
    };
  }

  /** Number of sleeps not yet over. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Moves time forward, waking sleepers due by then, and lets promise callbacks run. */
  advanceMs(ms: number): Promise<void> {
    return this.advanceNs(BigInt(ms) * NS_PER_MS);
  }

  /** `advanceMs` in nanoseconds, for simulations that step finer than a millisecond. */
  async advanceNs(ns: bigint): Promise<void> {
    this.nowNs += ns;
    const due = this.sleepers.filter((s) => s.at <= this.nowNs);
    this.sleepers = this.sleepers.filter((s) => s.at > this.nowNs);
    for (const s of due) s.resolve();
    await settle();
  }
}

/** Lets queued promise callbacks (and a few rounds of them) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
