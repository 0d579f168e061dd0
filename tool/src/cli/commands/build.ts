import { build } from "../../api/index.ts";
import { type Command, projectDir, TARGET_OPTION, targetOf } from "../command.ts";

export const buildCommand: Command = {
  spec: {
    name: "build",
    usage: "build [-t TARGET]",
    summary: "Configures, type-checks and bundles the unikernel into dist/TARGET/.",
    positionals: [0, 0],
    options: { target: TARGET_OPTION },
    examples: ["morgana build -t unix", "morgana build -t unix --json"],
  },
  async run(args, out) {
    const result = await build({
      projectDir: projectDir(args),
      target: targetOf(args),
      progress: out,
    });
    if (result.ok)
      out.print(`built ${result.output} (${((result.bytes ?? 0) / 1024).toFixed(0)} KiB)`);
    return out.finish(result);
  },
};
