import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CliError, EXIT } from "./cli/errors.ts";
import { type ConfigDiagnostic, parseConfig, type UnikernelConfig } from "./config/index.ts";

export const CONFIG_FILE = "unikernel.yaml";

/** A unikernel project: its folder and its validated config. */
export interface Project {
  root: string;
  /** Absolute path of unikernel.yaml. */
  file: string;
  config: UnikernelConfig;
  /** Warnings about the config (errors stop loading): printed by the commands. */
  warnings: ConfigDiagnostic[];
}

/** The folder holding unikernel.yaml: `dir` itself or its nearest ancestor, like git. */
export function findProjectRoot(dir: string): string | null {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(join(at, CONFIG_FILE))) return at;
    const up = dirname(at);
    if (up === at) return null;
    at = up;
  }
}

/** Reads and validates the project at or above `dir`; every problem becomes one CliError. */
export function loadProject(dir: string): Project {
  const root = findProjectRoot(dir);
  if (root === null) {
    throw new CliError(
      `no ${CONFIG_FILE} in ${resolve(dir)} or any folder above it`,
      EXIT.config,
      [],
      "Run this inside a unikernel project, pass --project DIR, or create one with `morgana new static-website DIR`.",
    );
  }
  const file = join(root, CONFIG_FILE);
  const display = relative(process.cwd(), file) || CONFIG_FILE;
  const { config, diagnostics } = parseConfig(readFileSync(file, "utf8"), display);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (!config || errors.length > 0) {
    const n = errors.length;
    throw new CliError(`${display} has ${n} error${n === 1 ? "" : "s"}`, EXIT.config, diagnostics);
  }
  const main = resolve(root, config.main);
  if (!existsSync(main) || !statSync(main).isFile()) {
    const { line, col } = config.mainSpan;
    throw new CliError(
      `${display}:${line}:${col}: main: the entry module ${config.main} does not exist (looked for ${main})`,
      EXIT.config,
    );
  }
  return { root, file, config, warnings: diagnostics.filter((d) => d.severity === "warning") };
}
