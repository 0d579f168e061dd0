import type { Devices } from "morgana:devices";
import { NS_PER_MS } from "@morgana/stack/devices";

const TICKS = 4;
const INTERVAL_NS = 250n * NS_PER_MS;

/** Greets, ticks a few times on the monotonic clock, and returns: the unikernel exits 0. */
export async function start({ console, clock }: Devices): Promise<void> {
  await console.log("hello from a Morgana unikernel");
  const begin = clock.monotonicNs();
  for (let tick = 1; tick <= TICKS; tick++) {
    await clock.sleepNs(INTERVAL_NS);
    const elapsedMs = (clock.monotonicNs() - begin) / NS_PER_MS;
    await console.log(`tick ${tick}/${TICKS} at ${elapsedMs} ms`);
  }
  await console.log("goodbye");
}
