/**
 * What a target is: how each device is realised on it, how the app is bundled for it, what
 * happens after bundling (boards link an image), and how the result is launched. build.ts and
 * run.ts only call these hooks, so a new target plugs in without a branch anywhere else.
 */
import type {
  DeviceConfig,
  DeviceConfigOf,
  DeviceType,
  Diagnostic,
  TargetName,
  TargetOptions,
  UnikernelConfig,
} from "../config/index.ts";

/** What configure knows while it writes one device's construction. */
export interface WiringContext {
  /** The generated variable holding a device, by device name. */
  ref(deviceName: string): string;
  /** The target's options from unikernel.yaml (ports, memory), defaults when absent. */
  options: TargetOptions;
  /** All devices, for implementations that look at their neighbours (e.g. who uses a port). */
  devices: readonly DeviceConfig[];
  /**
   * The expression for the runtime's tracer (WiringSpec.tracer), which the protocol cores take;
   * undefined on targets without a trace channel.
   */
  tracer?: string;
}

/** How one device type is realised on a target. */
export interface DeviceImplementation<T extends DeviceType = DeviceType> {
  /** One line for `morgana targets` and `describe`: what the device becomes. */
  summary: string;
  /**
   * A TypeScript expression that constructs the device in the generated wiring, from the
   * device's typed options: a misspelt option is a type error here, not a NaN at run time.
   */
  construct(device: DeviceConfigOf<T>, ctx: WiringContext): string;
}

/** The implementations a target has, each typed for its device type. */
export type DeviceImplementations = { [T in DeviceType]?: DeviceImplementation<T> };

/** The generated wiring's frame: what it imports and which boot function it calls. */
export interface WiringSpec {
  /** Imports (module specifier -> binding), besides the app's entry module. */
  imports: Record<string, string>;
  /** Statements at the top of the generated wiring, after the imports. */
  prelude: string[];
  /** The runtime's boot function, called with (info, makeDevices, start). */
  boot: string;
  /**
   * An expression yielding the runtime's tracer, or undefined when no trace was asked for (the
   * `trace` flag): devices whose cores report events pass it on. Absent: no trace channel.
   */
  tracer?: string;
}

/** How esbuild bundles the wiring, the app and the stack for this target. */
export interface BundleSpec {
  /** esbuild's platform: "node" for Node processes, "neutral" for a bare JS engine. */
  platform: "node" | "neutral";
  format: "esm" | "iife";
  /** esbuild's language target, e.g. "node20" or "es2022". */
  target: string;
  /** Imports left to the runtime (e.g. "node:*" on Node targets). */
  external?: string[];
  /** esbuild `supported` overrides, e.g. `{ "class-static-field": false }` for XS. */
  supported?: Record<string, boolean>;
  /** The bundle's file name in dist/TARGET/ for a unikernel called `name`. */
  file(name: string): string;
}

/**
 * Variants of a build and a boot that only some targets offer (`morgana build --debug`,
 * `--snapshot`; `morgana run --pcap FILE`). A target lists the ones it takes in `flags`; asking
 * another target for one is a usage error, not a silent no-op.
 */
export interface BuildFlags {
  /** Build the engine with its debugger on (the board: XS with xsbug). */
  debug?: boolean;
  /** Take a heap snapshot at build time and restore it at boot (the board: XS snapshots). */
  snapshot?: boolean;
}

export interface RunFlags extends BuildFlags {
  /** Capture the unikernel's network traffic into this pcap file (absolute). */
  pcap?: string;
  /**
   * Trace the protocol cores over the trace channel: into this file (absolute) as JSON lines,
   * or, with true, only to `RunningUnikernel.onTrace` listeners.
   */
  trace?: string | true;
}

export type FlagName = keyof RunFlags;

/** What a target's build hooks get. */
export interface BuildContext {
  config: UnikernelConfig;
  /** The project folder (absolute). */
  root: string;
  /** dist/TARGET/ (absolute); the hook writes its image here. */
  outDir: string;
  /** The bundle esbuild wrote (absolute). */
  bundle: string;
  /** The variants asked for (only those the target lists in `flags`). */
  flags: BuildFlags;
  /** Runs one step of the hook with progress shown (`failed` tells a failed value). */
  step<T>(label: string, work: () => Promise<T>, failed?: (value: T) => boolean): Promise<T>;
}

/** The outcome of a post-bundle step: the image it made, or why it could not. */
export interface LinkResult {
  diagnostics: Diagnostic[];
  /** The artifact that runs (absolute), when there were no errors. */
  artifact?: string;
}

/** What `launch` gets. */
export interface LaunchContext {
  config: UnikernelConfig;
  root: string;
  /** The built artifact (absolute): the bundle, or the image `link` made. */
  artifact: string;
  /** The target's options from unikernel.yaml. */
  options: TargetOptions;
  /** The variants asked for (only those the target lists in `flags`). */
  flags: RunFlags;
}

/** The process that runs a unikernel: a Node process, QEMU, ... */
export interface LaunchPlan {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Runs once the process has exited, however it ended (e.g. removes a network bridge). */
  cleanup?: () => Promise<void>;
}

export interface Target {
  name: TargetName;
  /** One line: what it runs as. */
  summary: string;
  /** Null when the target can be built here; otherwise why not, in one sentence. */
  unavailable: string | null;
  devices: DeviceImplementations;
  /** The build and run variants this target offers (see BuildFlags); none when absent. */
  flags?: readonly FlagName[];
  wiring: WiringSpec;
  bundle: BundleSpec;
  /**
   * After bundling, e.g. link the bundle with the JS engine into an image. Absent: the bundle
   * itself is what runs.
   */
  link?(ctx: BuildContext): Promise<LinkResult>;
  /** The artifact's file name in dist/TARGET/ (the bundle's when there is no link step). */
  artifact(name: string): string;
  /** How to start the built artifact, or why it cannot start here. */
  launch(ctx: LaunchContext): Promise<LaunchPlan | { diagnostics: Diagnostic[] }>;
  /**
   * What a non-zero exit code of the launched artifact means, in one line (where to look,
   * what to run next), or undefined when the target gives the code no meaning.
   */
  exitMeaning?(code: number, artifact: string): string | undefined;
}

/** The implementation of `device` on `target`, typed for the device's own type. */
export function implementationOf<T extends DeviceType>(
  target: Target,
  device: DeviceConfigOf<T>,
): DeviceImplementation<T> | undefined {
  // The mapped type pairs each type with its implementation; TypeScript cannot see through the
  // generic index, so this one cast says what the mapped type already guarantees.
  return target.devices[device.type] as DeviceImplementation<T> | undefined;
}
