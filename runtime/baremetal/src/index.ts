/** The cubieboard2 target: Morgana's devices on the bare-metal board, under XS. */
export { type BootInfo, boot, describeError, installEventLoop } from "./boot.ts";
export { createClock, monotonicNs } from "./clock.ts";
export { createConsole } from "./console.ts";
export { createCryptoProvider } from "./crypto.ts";
export { createKvRo } from "./kv_ro.ts";
export { type BoardStackOptions, createNetStack } from "./net.ts";
export { BoardNetif, DEFAULT_MAC } from "./netif.ts";
export { createRandom } from "./random.ts";
export { devicePolls, TimerQueue, timers } from "./timers.ts";
