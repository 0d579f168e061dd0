import { rmSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot } from "../../project.ts";
import { type Command, projectDir } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

export const cleanCommand: Command = {
  spec: {
    name: "clean",
    usage: "clean",
    summary: "Removes what configure and build wrote: .morgana/ and dist/.",
    positionals: [0, 0],
    options: {},
    examples: ["morgana clean"],
  },
  async run(args, out) {
    const root = findProjectRoot(projectDir(args));
    if (root === null)
      throw new CliError("no unikernel.yaml here or above: nothing to clean", EXIT.config);
    const removed = [".morgana", "dist"].map((d) => join(root, d));
    for (const dir of removed) rmSync(dir, { recursive: true, force: true });
    out.print(`removed ${removed.join(" and ")}`);
    out.result({ ok: true, removed });
    return EXIT.ok;
  },
};
