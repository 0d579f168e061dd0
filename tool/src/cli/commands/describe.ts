import { resolveTarget } from "../../build/configure.ts";
import type { DeviceConfig, UnikernelConfig } from "../../config/index.ts";
import type { Target } from "../../targets/index.ts";
import type { Command } from "../command.ts";
import { openProject } from "../command.ts";
import { EXIT } from "../errors.ts";

/** A device's options in one short line: `port=80`, `path=htdocs`. */
function optionsText(d: DeviceConfig): string {
  return Object.entries(d.options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
}

const quote = (s: string) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The device graph in Graphviz dot, like `mirage describe --dot`: the app on top, edges to what each uses. */
export function toDot(config: UnikernelConfig, target?: Target): string {
  const lines = [
    `digraph ${quote(config.name)} {`,
    "  rankdir=TB;",
    '  node [shape=box, fontname="monospace"];',
  ];
  lines.push(
    `  ${quote(`app:${config.name}`)} [label=${quote(`${config.name}\n${config.main}`)}, shape=doubleoctagon];`,
  );
  for (const d of config.devices) {
    const impl = target?.devices[d.type]?.summary;
    const label = [`${d.name}: ${d.type}`, optionsText(d), impl ? `(${impl})` : ""]
      .filter(Boolean)
      .join("\n");
    lines.push(`  ${quote(d.name)} [label=${quote(label)}];`);
  }
  for (const d of config.devices)
    lines.push(`  ${quote(`app:${config.name}`)} -> ${quote(d.name)};`);
  for (const d of config.devices) {
    for (const [field, dep] of Object.entries(d.deps))
      lines.push(`  ${quote(d.name)} -> ${quote(dep)} [label=${quote(field)}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

export function toText(config: UnikernelConfig, target?: Target): string {
  const out = [`${config.name} (${config.main})${target ? ` on ${target.name}` : ""}`];
  const width = Math.max(...config.devices.map((d) => d.name.length), 4);
  for (const d of config.devices) {
    const deps = Object.entries(d.deps).map(([f, n]) => `${f}=${n}`);
    const impl = target?.devices[d.type]?.summary;
    out.push(
      `  ${d.name.padEnd(width)}  ${d.type.padEnd(6)}  ${[optionsText(d), deps.length ? `uses ${deps.join(", ")}` : ""].filter(Boolean).join("; ")}${impl ? `\n  ${"".padEnd(width)}  -> ${impl}` : ""}`,
    );
  }
  const lines = out.join("\n").split("\n");
  return `${lines.map((l) => l.trimEnd()).join("\n")}\n`;
}

export const describeCommand: Command = {
  spec: {
    name: "describe",
    usage: "describe [-t TARGET] [--dot]",
    summary: "Prints the unikernel's device graph, as text or as Graphviz dot.",
    positionals: [0, 0],
    options: {
      target: {
        type: "string",
        short: "t",
        value: "TARGET",
        help: "also show what each device becomes on TARGET",
      },
      dot: { type: "boolean", help: "print Graphviz dot (render with `dot -Tsvg`)" },
    },
    examples: ["morgana describe", "morgana describe -t unix --dot | dot -Tsvg > graph.svg"],
  },
  async run(args, out) {
    const { config } = openProject(args, out);
    const target = args.values.target ? resolveTarget(String(args.values.target)) : undefined;
    if (!out.json)
      process.stdout.write(args.values.dot ? toDot(config, target) : toText(config, target));
    out.result({
      ok: true,
      name: config.name,
      main: config.main,
      devices: config.devices.map((d) => ({
        name: d.name,
        type: d.type,
        options: d.options,
        deps: d.deps,
        implementation: target?.devices[d.type]?.summary,
      })),
      dot: toDot(config, target),
    });
    return EXIT.ok;
  },
};
