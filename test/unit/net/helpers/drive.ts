import type { Random } from "../../../../stack/devices/random.ts";
import type { VirtualClock } from "../../../../stack/net/testing/clock.ts";
import { rng } from "../../../helpers/rng.ts";

/** Lets every promise continuation and immediate run (the stack's loop is promise-driven). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
}

/** Advances virtual time timer by timer until `done()` or `limitNs` (then throws). */
export async function runUntil(
  clock: VirtualClock,
  done: () => boolean,
  limitNs: bigint,
): Promise<void> {
  await settle();
  while (!done()) {
    if (clock.monotonicNs() >= limitNs)
      throw new Error(`not done after ${limitNs / 1_000_000n} ms of virtual time`);
    clock.step(limitNs);
    await settle();
  }
}

/** Advances virtual time to `t`, running everything due on the way. */
export async function runFor(clock: VirtualClock, ns: bigint): Promise<void> {
  const end = clock.monotonicNs() + ns;
  await settle();
  while (clock.step(end)) await settle();
}

/** A seeded Random device. */
export function seededRandom(seed: number): Random {
  const next = rng(seed);
  return {
    fill(buf) {
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(next() * 256);
      return buf;
    },
  };
}
