import { TARGET_DOCS, TARGET_NAMES, type TargetName } from "../config/index.ts";
import { cubieboard2Target } from "./cubieboard2.ts";
import { directTarget } from "./direct.ts";
import type { Target } from "./types.ts";
import { unixTarget } from "./unix.ts";

export type {
  BuildContext,
  BuildFlags,
  BundleSpec,
  DeviceImplementation,
  DeviceImplementations,
  FlagName,
  LaunchContext,
  LaunchPlan,
  LinkResult,
  RunFlags,
  Target,
  WiringContext,
  WiringSpec,
} from "./types.ts";
export { implementationOf } from "./types.ts";

/** A target that is designed but not built yet: listed, and refused with a reason. */
function planned(name: TargetName): Target {
  const unavailable = `the ${name} target is not implemented yet`;
  return {
    name,
    summary: TARGET_DOCS[name],
    unavailable,
    devices: {},
    wiring: { boot: "", imports: {}, prelude: [] },
    bundle: { platform: "neutral", format: "esm", target: "es2022", file: (n) => `${n}.js` },
    artifact: (n) => `${n}.js`,
    launch: async () => ({ diagnostics: [] }),
  };
}

/**
 * Every target by name. The names themselves are listed once, in the config schema
 * (TARGET_NAMES); this record must have one entry for each, or it does not type-check.
 */
const REGISTRY: Record<TargetName, Target> = {
  unix: unixTarget,
  direct: directTarget,
  cubieboard2: cubieboard2Target,
  xen: planned("xen"),
};

/** The targets in the schema's order. */
export const TARGETS: readonly Target[] = TARGET_NAMES.map((name) => REGISTRY[name]);

export function findTarget(name: string): Target | undefined {
  return Object.hasOwn(REGISTRY, name) ? REGISTRY[name as TargetName] : undefined;
}
