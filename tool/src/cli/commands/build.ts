import { buildProject } from "../../build/build.ts";
import { type Command, openProject, TARGET_OPTION, targetOf } from "../command.ts";
import { EXIT } from "../errors.ts";

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
    const project = openProject(args, out);
    const result = await buildProject(project, targetOf(args), out);
    out.print(`built ${result.output} (${(result.bytes / 1024).toFixed(0)} KiB)`);
    out.result({ ok: true, ...result, warnings: project.warnings });
    return EXIT.ok;
  },
};
