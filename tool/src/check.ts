/**
 * The checks of a project's config that the CLI and the language server share, so that a
 * terminal and an editor never disagree: unikernel.yaml itself, its entry module, and what the
 * selected target provides. Pure but for `fileExists`, which the caller supplies.
 */
import { resolve } from "node:path";
import {
  type Diagnostic,
  parseConfig,
  sortDiagnostics,
  suggest,
  TARGET_NAMES,
  type UnikernelConfig,
} from "./config/index.ts";
import { findTarget, implementationOf, type Target } from "./targets/index.ts";

export interface CheckOptions {
  /** The project folder (absolute): with `fileExists`, the entry module is checked. */
  root?: string;
  fileExists?: (absolutePath: string) => boolean;
  /** The selected target: each device must have an implementation on it. */
  target?: string;
}

export interface CheckResult {
  /** Present when unikernel.yaml itself has no error (target problems may remain). */
  config?: UnikernelConfig;
  /** The selected target, when it exists and can be built here. */
  target?: Target;
  diagnostics: Diagnostic[];
}

/** Resolves a target name, or says why it cannot be used (no file: it came from the caller). */
export function resolveTarget(name: string): { target?: Target; diagnostics: Diagnostic[] } {
  const target = findTarget(name);
  if (!target) {
    const guess = suggest(name, TARGET_NAMES);
    return {
      diagnostics: [
        {
          severity: "error",
          code: "unknown-target",
          message: `unknown target "${name}"`,
          ...(guess ? { suggestion: guess } : {}),
          hint: "See `morgana targets` for the list.",
        },
      ],
    };
  }
  if (target.unavailable) {
    return {
      diagnostics: [{ severity: "error", code: "target-unavailable", message: target.unavailable }],
    };
  }
  return { target, diagnostics: [] };
}

/** The devices of `config` that `target` does not provide, one diagnostic each, at the device. */
export function unsupportedDevices(config: UnikernelConfig, target: Target): Diagnostic[] {
  return config.devices
    .filter((d) => implementationOf(target, d) === undefined)
    .map((d) => ({
      severity: "error",
      code: "unsupported-device",
      file: config.file,
      span: d.span,
      path: `devices.${d.name}`,
      message: `device "${d.name}" (${d.type}) has no implementation on ${target.name} yet`,
      hint: "`morgana targets` lists what each target provides.",
    }));
}

/** The entry module must exist: `main` is resolved against the project folder. */
export function missingEntry(
  config: UnikernelConfig,
  root: string,
  fileExists: (absolutePath: string) => boolean,
): Diagnostic[] {
  const main = resolve(root, config.main);
  if (fileExists(main)) return [];
  return [
    {
      severity: "error",
      code: "missing-entry",
      file: config.file,
      span: config.mainSpan,
      path: "main",
      message: `the entry module ${config.main} does not exist`,
    },
  ];
}

/** Every check of the config text for one target, sorted by position. */
export function checkConfig(text: string, file: string, options: CheckOptions = {}): CheckResult {
  const { config, diagnostics } = parseConfig(text, file);
  const out: Diagnostic[] = [...diagnostics];
  if (config && options.root !== undefined && options.fileExists) {
    out.push(...missingEntry(config, options.root, options.fileExists));
  }
  let target: Target | undefined;
  if (options.target !== undefined) {
    const resolved = resolveTarget(options.target);
    out.push(...resolved.diagnostics);
    target = resolved.target;
    if (config && target) out.push(...unsupportedDevices(config, target));
  }
  return {
    ...(config ? { config } : {}),
    ...(target ? { target } : {}),
    diagnostics: sortDiagnostics(out),
  };
}
