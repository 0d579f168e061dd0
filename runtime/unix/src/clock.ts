import type { Clock } from "@morgana/stack/devices";

/** The unix clock: `process.hrtime` for monotonic time, `Date` for the wall clock. */
export function createClock(): Clock {
  return {
    monotonicNs: () => process.hrtime.bigint(),
    wallMs: () => Date.now(),
    sleepNs: (ns) =>
      new Promise((resolve) => {
        // setTimeout has millisecond resolution: round up so we never wake early.
        const ms = Number((ns + 999_999n) / 1_000_000n);
        setTimeout(resolve, Math.max(0, ms));
      }),
  };
}
