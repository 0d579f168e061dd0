import { DEVICE_TYPES, type DeviceType, type TargetName } from "../config/index.ts";
import { type FlagName, TARGETS } from "../targets/index.ts";

export interface TargetInfo {
  name: TargetName;
  summary: string;
  available: boolean;
  /** Why it cannot be used here, when it cannot. */
  unavailable: string | null;
  /** Device type -> what it becomes on this target. */
  devices: Partial<Record<DeviceType, string>>;
  /** Device types this target does not provide. */
  missing: DeviceType[];
  /** The build and run variants it offers (`--debug`, `--snapshot`, `--pcap`). */
  flags: FlagName[];
}

/** Every target, in the schema's order, with what each device type becomes on it. */
export function listTargets(): TargetInfo[] {
  return TARGETS.map((t) => ({
    name: t.name,
    summary: t.summary,
    available: t.unavailable === null,
    unavailable: t.unavailable,
    devices: Object.fromEntries(
      DEVICE_TYPES.flatMap((type) => {
        const impl = t.devices[type];
        return impl ? [[type, impl.summary]] : [];
      }),
    ),
    missing: DEVICE_TYPES.filter((type) => !t.devices[type]),
    flags: [...(t.flags ?? [])],
  }));
}
