import type { Clock } from "@morgana/stack/devices";
import { board } from "./host.ts";
import { timers } from "./timers.ts";

/** Reads the board's monotonic clock exactly (a u64 through 8 bytes, not a float). */
export function monotonicNs(): bigint {
  const buf = new ArrayBuffer(8);
  board().monotonic(buf);
  return new DataView(buf).getBigUint64(0, true);
}

/** The board's clock: the SoC's 64-bit counter, the RTC, and timers that wake WFI. */
export function createClock(): Clock {
  const host = board();
  return {
    monotonicNs,
    wallMs: () => host.wallMs(),
    sleepNs: (ns) =>
      new Promise((resolve) => {
        timers.add(monotonicNs() + (ns > 0n ? ns : 0n), () => resolve());
      }),
    timer: (ns, fire) => timers.add(monotonicNs() + (ns > 0n ? ns : 0n), fire),
  };
}
