import { resolveTarget, unsupportedDevices } from "../check.ts";
import type { DeviceConfig, TargetName, UnikernelConfig } from "../config/index.ts";
import { openProject } from "../project.ts";
import { implementationOf, type Target } from "../targets/index.ts";
import { failure, type Outcome } from "./result.ts";

export interface DescribedDevice {
  name: string;
  type: DeviceConfig["type"];
  options: Record<string, unknown>;
  /** Dependency field -> device name. */
  deps: Record<string, string>;
  /** What it becomes on the target asked for. */
  implementation?: string;
}

export interface DescribeResult extends Outcome {
  name?: string;
  main?: string;
  target?: TargetName;
  devices?: DescribedDevice[];
  /** The device graph as text, one device a line (what `morgana describe` prints). */
  text?: string;
  /** The device graph in Graphviz dot. */
  dot?: string;
}

/** The device graph of a project, and what each device becomes on `target` when given. */
export function describe(options: { projectDir: string; target?: string }): DescribeResult {
  // The graph is shown even when the target lacks a device: that is what one looks for here,
  // so those become warnings, and the device shows without an implementation.
  const { project, diagnostics } = openProject(options.projectDir);
  if (!project) return failure(diagnostics);
  const { config } = project;
  let target: Target | undefined;
  if (options.target !== undefined) {
    const resolved = resolveTarget(options.target);
    if (!resolved.target) return failure([...diagnostics, ...resolved.diagnostics]);
    target = resolved.target;
    for (const d of unsupportedDevices(config, target))
      diagnostics.push({ ...d, severity: "warning" });
  }
  return {
    ok: true,
    diagnostics,
    name: config.name,
    main: config.main,
    ...(target ? { target: target.name } : {}),
    devices: config.devices.map((d) => ({
      name: d.name,
      type: d.type,
      options: { ...d.options },
      deps: { ...d.deps },
      ...(target ? { implementation: implementationOf(target, d)?.summary } : {}),
    })),
    text: toText(config, target),
    dot: toDot(config, target),
  };
}

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
    const impl = target ? implementationOf(target, d)?.summary : undefined;
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
    const impl = target ? implementationOf(target, d)?.summary : undefined;
    out.push(
      `  ${d.name.padEnd(width)}  ${d.type.padEnd(6)}  ${[optionsText(d), deps.length ? `uses ${deps.join(", ")}` : ""].filter(Boolean).join("; ")}${impl ? `\n  ${"".padEnd(width)}  -> ${impl}` : ""}`,
    );
  }
  const lines = out.join("\n").split("\n");
  return `${lines.map((l) => l.trimEnd()).join("\n")}\n`;
}
