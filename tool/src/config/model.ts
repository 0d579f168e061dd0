/** The validated model of a `unikernel.yaml`, as the CLI and the language server consume it. */
import type { SourceSpan } from "./diagnostics.ts";
import type { DeviceDeps, DeviceOptions, DeviceType, TargetName } from "./schema.ts";

/** A device of type T: its options and dependencies typed from the schema tables. */
export interface DeviceConfigOf<T extends DeviceType> {
  name: string;
  type: T;
  /** Span of the device's key in `devices:`. */
  span: SourceSpan;
  /** Dependency field -> device name, after auto-wiring, e.g. {stack: "net", clock: "clock"}. */
  deps: DeviceDeps<T>;
  /**
   * Validated options with defaults applied, e.g. kv_ro {path}, http {port},
   * net {ipv4: "dhcp" | {address, prefixLength}, gateway?}, tls {certificate, key}.
   */
  options: DeviceOptions<T>;
  /** Span of each field's value as written (absent for defaulted or auto-wired fields). */
  fieldSpans: Record<string, SourceSpan>;
}

/** Any device: narrow on `type` to get its typed options. */
export type DeviceConfig = { [T in DeviceType]: DeviceConfigOf<T> }[DeviceType];

export interface PortForward {
  host: number;
  guest: number;
  protocol: "tcp" | "udp";
  span: SourceSpan;
}

export interface TargetOptions {
  /** Guest memory in bytes, when given. */
  memoryBytes?: number;
  ports: PortForward[];
  /** Span of the target's key in `targets:`. */
  span: SourceSpan;
}

export interface UnikernelConfig {
  file: string;
  name: string;
  main: string;
  mainSpan: SourceSpan;
  /** Topological order: dependencies before dependents, else in the order written. */
  devices: DeviceConfig[];
  targets: Partial<Record<TargetName, TargetOptions>>;
}
