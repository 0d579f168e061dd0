import { clean } from "../../api/index.ts";
import { type Command, projectDir } from "../command.ts";

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
    const result = clean({ projectDir: projectDir(args) });
    if (result.ok) out.print(`removed ${(result.removed ?? []).join(" and ")}`);
    return out.finish(result);
  },
};
