import { configure } from "../../api/index.ts";
import { type Command, projectDir, TARGET_OPTION, targetOf } from "../command.ts";

export const configureCommand: Command = {
  spec: {
    name: "configure",
    usage: "configure [-t TARGET]",
    summary: "Generates the wiring and devices.d.ts for a target under .morgana/TARGET/.",
    details:
      "Resolves each device in unikernel.yaml to the target's implementation and writes the wiring\n" +
      "and devices.d.ts under .morgana/TARGET/, so the app type-checks against its declared devices.",
    positionals: [0, 0],
    options: { target: TARGET_OPTION },
    examples: ["morgana configure -t unix", "morgana configure -t unix --json"],
  },
  async run(args, out) {
    const result = configure({ projectDir: projectDir(args), target: targetOf(args) });
    if (result.ok) {
      out.info(`configured ${result.name} for ${result.target}`);
      for (const f of result.files ?? []) out.print(`  wrote ${f}`);
    }
    return out.finish(result);
  },
};
