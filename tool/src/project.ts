import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { checkConfig } from "./check.ts";
import type { Diagnostic, UnikernelConfig } from "./config/index.ts";
import type { Target } from "./targets/index.ts";

export const CONFIG_FILE = "unikernel.yaml";

/** A unikernel project: its folder and its validated config. */
export interface Project {
  root: string;
  /** Absolute path of unikernel.yaml. */
  file: string;
  config: UnikernelConfig;
  /** Warnings about the config (errors stop loading). */
  warnings: Diagnostic[];
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

export const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

export interface OpenedProject {
  project?: Project;
  /** The target asked for, resolved, when there was no error. */
  target?: Target;
  diagnostics: Diagnostic[];
}

/**
 * Reads and checks the project at or above `dir`, for `target` when one is given: the same
 * checks the language server makes (check.ts). `project` is there only without errors.
 */
export function openProject(dir: string, target?: string): OpenedProject {
  const root = findProjectRoot(dir);
  if (root === null) {
    return {
      diagnostics: [
        {
          severity: "error",
          code: "no-project",
          message: `no ${CONFIG_FILE} in ${resolve(dir)} or any folder above it`,
          hint: "Run this inside a unikernel project, pass --project DIR, or create one with `morgana new static-website DIR`.",
        },
      ],
    };
  }
  const file = join(root, CONFIG_FILE);
  // Diagnostics name the file as the user's shell sees it.
  const display = relative(process.cwd(), file) || CONFIG_FILE;
  const checked = checkConfig(readFileSync(file, "utf8"), display, {
    root,
    fileExists: isFile,
    ...(target === undefined ? {} : { target }),
  });
  const { config, diagnostics } = checked;
  if (!config || diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return {
    project: { root, file, config, warnings: diagnostics },
    ...(checked.target ? { target: checked.target } : {}),
    diagnostics,
  };
}
