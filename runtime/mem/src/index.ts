/**
 * `@morgana/runtime-mem`: Morgana's devices in memory. Wired flows with backpressure
 * (`flowPair`, `MemFlow`), a loopback `MemStack`, a `ManualClock` moved by hand, and `settle`
 * to let queued promise callbacks run. Unit tests serve HTTP over them; the emulator, the
 * debugger and TCP/IP simulations use them to run cores without a host network or real time.
 */
export { ManualClock, settle } from "./clock.ts";
export { flowPair, MemFlow } from "./flow.ts";
export { MemStack } from "./stack.ts";
