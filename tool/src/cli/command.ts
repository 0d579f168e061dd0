import { TARGET_NAMES } from "../config/index.ts";
import type { BuildFlags } from "../targets/index.ts";
import type { CommandSpec, OptionSpec, Parsed } from "./args.ts";
import type { Output } from "./output.ts";

export interface Command {
  spec: CommandSpec;
  /** Calls the library, prints its result, and returns the exit code. */
  run(args: Parsed, out: Output): Promise<number>;
}

/** The `-t/--target` option, shared by the commands that act on one target. */
export const TARGET_OPTION = {
  type: "string",
  short: "t",
  value: "TARGET",
  help: `${TARGET_NAMES.map((t, i) => (i === 0 ? `${t} (default)` : t)).join(", ")}; see \`morgana targets\``,
} as const;

export const projectDir = (args: Parsed) => String(args.values.project ?? process.cwd());
export const targetOf = (args: Parsed) => String(args.values.target ?? "unix");

/** The build variants `build` and `run` both take (targets that lack one refuse it). */
export const BUILD_FLAG_OPTIONS = {
  debug: {
    type: "boolean",
    help: "build with the engine's debugger on (cubieboard2: XS with xsbug on a local port)",
  },
  snapshot: {
    type: "boolean",
    help: "take a heap snapshot at build time, restore it at boot (cubieboard2: fast boot)",
  },
} as const satisfies Record<string, OptionSpec>;

export const buildFlagsOf = (args: Parsed): BuildFlags => ({
  ...(args.values.debug === true ? { debug: true } : {}),
  ...(args.values.snapshot === true ? { snapshot: true } : {}),
});
