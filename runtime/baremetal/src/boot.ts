import { StackError } from "@morgana/stack/devices";
import { monotonicNs } from "./clock.ts";
import { board } from "./host.ts";
import { deferToSnapshot, takingSnapshot } from "./snapshot.ts";
import { devicePolls, timers } from "./timers.ts";

/** What the generated wiring tells the runtime about the unikernel it boots. */
export interface BootInfo {
  name: string;
  target: string;
}

interface Configurable {
  configured(): Promise<void>;
}

function isConfigurable(x: unknown): x is Configurable {
  return (
    typeof x === "object" && x !== null && typeof (x as Configurable).configured === "function"
  );
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;

/**
 * Gives the C event loop its turn function: poll devices, fire due timers, say when the next
 * one is due (ns) or -1 for none.
 */
export function installEventLoop(): void {
  globalThis.__morganaTick = () => {
    for (const poll of devicePolls) poll();
    timers.fireDue(monotonicNs());
    const next = timers.next();
    return next === null ? -1 : Number(next);
  };
}

/** One line for an error: a StackError's message, an Error's stack (or message). */
export function describeError(err: unknown): string {
  if (err instanceof StackError) return err.message;
  if (err instanceof Error) return err.stack ? `${err.message}\n${err.stack}` : String(err);
  return String(err);
}

/**
 * Boots a unikernel on the board, as runtime/unix's boot does on Node: builds its devices,
 * calls `start(devices)`, and exits when `start` settles (0 on success, 1 with a one-line
 * error on failure). The C event loop then runs promise jobs and timers until the exit.
 *
 * In the build's snapshot boot (`--snapshot`) it starts nothing: the devices hold the
 * board's state (timers, the EMAC, the clock, the seeded generator), so they are built at
 * every boot of the restored image, which calls `startDevices` then.
 */
export function boot<D extends object>(
  info: BootInfo,
  makeDevices: () => D,
  start: (devices: D) => unknown,
): void {
  installEventLoop();
  if (takingSnapshot()) deferToSnapshot(() => startDevices(info, makeDevices, start));
  else startDevices(info, makeDevices, start);
}

function startDevices<D extends object>(
  info: BootInfo,
  makeDevices: () => D,
  start: (devices: D) => unknown,
): void {
  const host = board();
  const fail = (err: unknown) => {
    host.write(`${info.name}: error: ${describeError(err)}\n`);
    host.exit(EXIT_FAILED);
  };
  let devices: D;
  try {
    devices = makeDevices();
  } catch (err) {
    fail(err);
    return;
  }
  Promise.resolve()
    .then(async () => {
      // As on the direct target: start runs once every network stack has its address.
      for (const d of Object.values(devices)) if (isConfigurable(d)) await d.configured();
      return start(devices);
    })
    .then(() => host.exit(EXIT_OK), fail);
}
