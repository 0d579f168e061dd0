import type { DeviceConfig, DeviceType, TargetName, TargetOptions } from "../config/index.ts";

/** What configure knows while it writes one device's construction. */
export interface WiringContext {
  /** The generated variable holding a device, by device name. */
  ref(deviceName: string): string;
  /** The target's options from unikernel.yaml (ports, memory), defaults when absent. */
  options: TargetOptions;
  /** All devices, for implementations that look at their neighbours (e.g. who uses a port). */
  devices: readonly DeviceConfig[];
}

/** How one device type is realised on a target. */
export interface DeviceImplementation {
  /** One line for `morgana targets` and `describe`: what the device becomes. */
  summary: string;
  /** A TypeScript expression that constructs the device in the generated wiring. */
  construct(device: DeviceConfig, ctx: WiringContext): string;
}

export interface Target {
  name: TargetName;
  /** One line: what it runs as. */
  summary: string;
  /** Null when the target can be built here; otherwise why not, in one sentence. */
  unavailable: string | null;
  /** Imports the generated wiring needs (module specifier -> binding), besides the app. */
  imports: Record<string, string>;
  devices: Partial<Record<DeviceType, DeviceImplementation>>;
  /** The runtime's boot function the wiring calls with (info, makeDevices, start). */
  boot: string;
  /** Statements at the top of the generated wiring, after the imports. */
  prelude: string[];
}
