import { DEVICE_TYPES } from "../../config/index.ts";
import { TARGETS } from "../../targets/index.ts";
import type { Command } from "../command.ts";
import { EXIT } from "../errors.ts";
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
    for (const t of TARGETS) {
      out.print(
        `${bold(t.name)}  ${t.summary}${t.unavailable ? dim(` (not available: ${t.unavailable})`) : ""}`,
      );
      for (const type of DEVICE_TYPES) {
        const impl = t.devices[type];
        if (impl) out.print(`  ${type.padEnd(8)} ${impl.summary}`);
      }
      if (!t.unavailable) {
        const missing = DEVICE_TYPES.filter((type) => !t.devices[type]);
        if (missing.length > 0) out.print(dim(`  not yet: ${missing.join(", ")}`));
      }
      out.print();
    }
    out.result({
      ok: true,
      targets: TARGETS.map((t) => ({
        name: t.name,
        summary: t.summary,
        available: t.unavailable === null,
        unavailable: t.unavailable,
        devices: Object.fromEntries(
          Object.entries(t.devices).map(([type, impl]) => [type, impl.summary]),
        ),
      })),
    });
    return EXIT.ok;
  },
};
