import { type BootInfo, boot as unixBoot } from "@morgana/runtime-unix";

interface Configurable {
  configured(): Promise<void>;
}

function isConfigurable(x: unknown): x is Configurable {
  return (
    typeof x === "object" && x !== null && typeof (x as Configurable).configured === "function"
  );
}

/**
 * Boots a unikernel on the direct target: the unix boot (devices, start, exit codes,
 * signals), except that `start` runs only once every network stack has its address (with
 * DHCP, after the lease; a StackError "timeout" if none comes).
 */
export function boot<D extends object>(
  info: BootInfo,
  makeDevices: () => D,
  start: (devices: D) => unknown,
): Promise<void> {
  return unixBoot(info, makeDevices, async (devices) => {
    for (const d of Object.values(devices)) if (isConfigurable(d)) await d.configured();
    return start(devices);
  });
}
