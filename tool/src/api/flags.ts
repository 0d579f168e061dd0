import type { Diagnostic } from "../config/index.ts";
import type { FlagName, RunFlags, Target } from "../targets/index.ts";

/** How each flag is spelt on the command line, for messages. */
const SPELLING: Record<FlagName, string> = {
  debug: "--debug",
  snapshot: "--snapshot",
  pcap: "--pcap",
  trace: "--trace",
};

/**
 * The flags asked for that `target` does not offer, one usage error each: a `--snapshot` on a
 * target without snapshots must say so, not build a plain image that looks like the one asked for.
 */
export function unsupportedFlags(target: Target, flags: RunFlags): Diagnostic[] {
  const offered = target.flags ?? [];
  const asked = (Object.keys(flags) as FlagName[]).filter(
    (f) => flags[f] !== undefined && flags[f] !== false,
  );
  return asked
    .filter((f) => !offered.includes(f))
    .map((f) => ({
      severity: "error" as const,
      code: "usage" as const,
      message: `${SPELLING[f]} is not available for the ${target.name} target`,
      hint:
        offered.length > 0
          ? `${target.name} takes ${offered.map((o) => SPELLING[o]).join(", ")}.`
          : `${target.name} takes no build or run variants.`,
    }));
}
