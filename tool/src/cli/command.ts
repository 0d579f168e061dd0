import { TARGET_NAMES } from "../config/index.ts";
import type { CommandSpec, Parsed } from "./args.ts";
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
