/**
 * The few host globals the stack's tests (and runtime/mem) use that XS lacks: timers over the
 * board's timer queue, and a TextEncoder some tests take as their reference. Tests only:
 * stack code uses none of them.
 */
import { monotonicNs, timers } from "../src/index.ts";
import { TextEncoderLite } from "./crypto.ts";

type Handle = { cancel: () => void };

const g = globalThis as Record<string, unknown>;
g.setTimeout = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]): Handle => ({
  cancel: timers.add(monotonicNs() + BigInt(Math.max(0, Math.ceil(ms))) * 1_000_000n, () =>
    fn(...args),
  ),
});
g.clearTimeout = (h: Handle | undefined) => h?.cancel();
g.setImmediate = (fn: (...a: unknown[]) => void, ...args: unknown[]): Handle => ({
  cancel: timers.add(0n, () => fn(...args)),
});
g.clearImmediate = g.clearTimeout;
g.TextEncoder ??= TextEncoderLite;
