import type { Clock } from "@morgana/stack/devices";

/** setTimeout's milliseconds for `ns`, rounded up so a timer never fires early. */
export function timeoutMs(ns: bigint): number {
  return Math.max(0, Number((ns + 999_999n) / 1_000_000n));
}

/** The unix clock: `process.hrtime` for monotonic time, `Date` for the wall clock. */
export function createClock(): Clock {
  return {
    monotonicNs: () => process.hrtime.bigint(),
    wallMs: () => Date.now(),
    sleepNs: (ns) => new Promise((resolve) => setTimeout(resolve, timeoutMs(ns))),
    timer(ns, fire) {
      const t = setTimeout(fire, timeoutMs(ns));
      return () => clearTimeout(t);
    },
  };
}
