import { StackError } from "@morgana/stack/devices";
import { closeTrace, openTrace } from "./trace.ts";

/** What the generated wiring tells the runtime about the unikernel it boots. */
export interface BootInfo {
  name: string;
  target: string;
}

/** Anything a device may need to release at shutdown. */
interface Closable {
  close(): Promise<void>;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_SIGINT = 130;
const EXIT_SIGTERM = 143;

function isClosable(x: unknown): x is Closable {
  return typeof x === "object" && x !== null && typeof (x as Closable).close === "function";
}

/** One line for an error: a StackError or Error message, never a stack trace for known errors. */
export function describeError(err: unknown): string {
  if (err instanceof StackError) return err.message;
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

/**
 * Boots a unikernel on the unix target: builds its devices, calls `start(devices)`, and
 * exits when `start` settles (0 on success, 1 on failure). SIGINT and SIGTERM close every
 * device and exit with 130 and 143. With MORGANA_TRACE set, the trace channel opens before the
 * devices are built (they take its tracer) and closes after them, so their last events go out.
 */
export async function boot<D extends object>(
  info: BootInfo,
  makeDevices: () => D,
  start: (devices: D) => unknown,
): Promise<void> {
  let devices: D;
  openTrace(info);
  try {
    devices = makeDevices();
  } catch (err) {
    process.stderr.write(`${info.name}: error: ${describeError(err)}\n`);
    process.exit(EXIT_FAILED);
  }
  // Close dependents before what they depend on: the wiring lists dependencies first.
  const closables = Object.values(devices).filter(isClosable).reverse();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => process.exit(code), 3000);
    deadline.unref();
    for (const c of closables) await c.close().catch(() => {});
    await closeTrace();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(EXIT_SIGINT));
  process.once("SIGTERM", () => void stop(EXIT_SIGTERM));
  try {
    await start(devices);
    await stop(EXIT_OK);
  } catch (err) {
    if (stopping) return;
    process.stderr.write(`${info.name}: error: ${describeError(err)}\n`);
    await stop(EXIT_FAILED);
  }
}
