import { build } from "../../api/index.ts";
import {
  BUILD_FLAG_OPTIONS,
  buildFlagsOf,
  type Command,
  projectDir,
  TARGET_OPTION,
  targetOf,
} from "../command.ts";

export const buildCommand: Command = {
  spec: {
    name: "build",
    usage: "build [-t TARGET] [--debug] [--snapshot]",
    summary: "Configures, type-checks and bundles the unikernel into dist/TARGET/.",
    positionals: [0, 0],
    options: { target: TARGET_OPTION, ...BUILD_FLAG_OPTIONS },
    examples: [
      "morgana build -t unix",
      "morgana build -t unix --json",
      "morgana build -t cubieboard2 --snapshot",
    ],
  },
  async run(args, out) {
    const result = await build({
      projectDir: projectDir(args),
      target: targetOf(args),
      flags: buildFlagsOf(args),
      progress: out,
    });
    if (result.ok)
      out.print(`built ${result.output} (${((result.bytes ?? 0) / 1024).toFixed(0)} KiB)`);
    return out.finish(result);
  },
};
