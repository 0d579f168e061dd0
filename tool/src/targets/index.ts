import type { TargetName } from "../config/index.ts";
import type { Target } from "./types.ts";
import { unixTarget } from "./unix.ts";

export type { DeviceImplementation, Target, WiringContext } from "./types.ts";

/** A target that is designed but not built yet: listed, and refused with a reason. */
function planned(name: TargetName, summary: string): Target {
  return {
    name,
    summary,
    unavailable: `the ${name} target is not implemented yet`,
    boot: "",
    imports: {},
    prelude: [],
    devices: {},
  };
}

export const TARGETS: readonly Target[] = [
  unixTarget,
  planned("direct", "a Node process running Morgana's TCP/IP over a Linux tap"),
  planned("cubieboard2", "a bare-metal ARMv7 image for the Cubieboard2 (QEMU or the board)"),
  planned("xen", "a Xen/ARM guest image"),
];

export function findTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
