import { listTargets } from "../../api/index.ts";
import type { Command } from "../command.ts";
import { bold, dim } from "../output.ts";

export const targetsCommand: Command = {
  spec: {
    name: "targets",
    usage: "targets",
    summary: "Lists the targets and what each device type becomes on each.",
    positionals: [0, 0],
    options: {},
    examples: ["morgana targets", "morgana targets --json"],
  },
  async run(_args, out) {
    const targets = listTargets();
    for (const t of targets) {
      out.print(
        `${bold(t.name)}  ${t.summary}${t.unavailable ? dim(` (not available: ${t.unavailable})`) : ""}`,
      );
      for (const [type, summary] of Object.entries(t.devices)) {
        out.print(`  ${type.padEnd(8)} ${summary}`);
      }
      if (t.available && t.missing.length > 0) out.print(dim(`  not yet: ${t.missing.join(", ")}`));
      out.print();
    }
    return out.finish({ ok: true, diagnostics: [] }, { targets });
  },
};
