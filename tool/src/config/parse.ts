/** `parseConfig`: YAML text to a validated `UnikernelConfig` plus every diagnostic found. */
import { type ConfigDiagnostic, sortDiagnostics } from "./diagnostics.ts";
import { resolveGraph } from "./graph.ts";
import type { DeviceConfig, UnikernelConfig } from "./model.ts";
import { Reporter } from "./report.ts";
import { type ParsedYaml, parseYaml } from "./tree.ts";
import { ConfigWalker } from "./validate.ts";

/**
 * Parses and validates the text of a `unikernel.yaml`. `file` is only used in diagnostics.
 * `config` is present if and only if there is no error diagnostic; warnings may come with it.
 * Diagnostics are sorted by position.
 */
export function parseConfig(
  text: string,
  file: string,
): { config?: UnikernelConfig; diagnostics: ConfigDiagnostic[] } {
  return configOf(parseYaml(text), file);
}

/** `parseConfig` of a text already parsed (tests compare the block parse with a whole one). */
export function configOf(
  { doc, pos }: ParsedYaml,
  file: string,
): { config?: UnikernelConfig; diagnostics: ConfigDiagnostic[] } {
  // Duplicate keys are reported by the walker, with our code and path.
  const out = new Reporter(file);
  for (const e of doc.errors) {
    out.error("yaml-syntax", pos.span(e.pos[0], e.pos[1]), "", e.message);
  }
  for (const w of doc.warnings) {
    out.warning("yaml-syntax", pos.span(w.pos[0], w.pos[1]), "", w.message);
  }
  // A document with syntax errors is still walked, so that the editor shows everything at once;
  // only the absence of keys is not trusted then.
  const raw = new ConfigWalker(doc, pos, out, doc.errors.length > 0).walk();
  const resolved = raw === undefined ? [] : resolveGraph(raw.devices, out);
  const diagnostics = sortDiagnostics(out.diagnostics);
  if (raw === undefined || out.errorCount > 0) return { diagnostics };
  const { name, main, mainSpan } = raw;
  if (name === undefined || main === undefined || mainSpan === undefined) return { diagnostics };
  const devices: DeviceConfig[] = [];
  for (const { device, deps } of resolved) {
    if (device.type === undefined) return { diagnostics };
    const { name: deviceName, type, span, options, fieldSpans } = device;
    // The walker checked every option against the same tables the types come from.
    devices.push({ name: deviceName, type, span, deps, options, fieldSpans } as DeviceConfig);
  }
  return { config: { file, name, main, mainSpan, devices, targets: raw.targets }, diagnostics };
}
