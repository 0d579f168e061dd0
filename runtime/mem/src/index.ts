/**
 * `@morgana/runtime-mem`: Morgana's devices in memory. Wired flows with backpressure
 * (`flowPair`, `MemFlow`), a loopback `MemStack`, a `ManualClock` moved by hand, and `settle`
 * to let queued promise callbacks run; `MemKv`, `MemBlock` and `MemDns` for the kv_rw, block
 * and dns interfaces, which no target provides yet. Unit tests serve HTTP over them; the emulator, the
 * debugger and TCP/IP simulations use them to run cores without a host network or real time.
 */
export { MemBlock } from "./block.ts";
export { ManualClock, settle } from "./clock.ts";
export { MemDns } from "./dns.ts";
export { flowPair, MemFlow } from "./flow.ts";
export { MemKv } from "./kv.ts";
export { MemStack } from "./stack.ts";
