/** The unix target: Morgana's devices as Node implementations. */
export { type BootInfo, boot, describeError } from "./boot.ts";
export { createClock } from "./clock.ts";
export { createConsole } from "./console.ts";
export { createNodeCryptoProvider } from "./crypto.ts";
export { keyLogFromEnv } from "./keylog.ts";
export { createKvRo } from "./kv_ro.ts";
export { loadNativeAead, NATIVE_AEAD_FILE, type NativeAead } from "./native_aead.ts";
export { createPortableCryptoProvider } from "./portable_crypto.ts";
export { createRandom } from "./random.ts";
export { createHostStack, type HostStackOptions } from "./stack.ts";
export { closeTrace, ENV_TRACE, openTrace, type TraceHello, tracer } from "./trace.ts";
