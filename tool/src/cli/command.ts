import { loadProject, type Project } from "../project.ts";
import type { CommandSpec, Parsed } from "./args.ts";
import type { Output } from "./output.ts";

export interface Command {
  spec: CommandSpec;
  /** Returns the exit code; throws CliError for failures it can explain. */
  run(args: Parsed, out: Output): Promise<number>;
}

/** The `-t/--target` option, shared by the commands that act on one target. */
export const TARGET_OPTION = {
  type: "string",
  short: "t",
  value: "TARGET",
  help: "unix (default), direct, cubieboard2 or xen; see `morgana targets`",
} as const;

export const projectDir = (args: Parsed) => String(args.values.project ?? process.cwd());
export const targetOf = (args: Parsed) => String(args.values.target ?? "unix");

/** Loads the project the command acts on and shows its config warnings. */
export function openProject(args: Parsed, out: Output): Project {
  const project = loadProject(projectDir(args));
  out.warnings(project.warnings);
  return project;
}
