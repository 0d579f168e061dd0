import { writeWiring } from "../build/configure.ts";
import type { TargetName } from "../config/index.ts";
import { openProject } from "../project.ts";
import { failure, type Outcome } from "./result.ts";

export interface ConfigureOptions {
  /** The project folder, or any folder inside it. */
  projectDir: string;
  target: string;
}

export interface ConfigureResult extends Outcome {
  name?: string;
  target?: TargetName;
  /** Files written, relative to the project root. */
  files?: string[];
}

/** Checks the project for a target and writes the wiring, `devices.d.ts` and a tsconfig. */
export function configure(options: ConfigureOptions): ConfigureResult {
  const { project, target, diagnostics } = openProject(options.projectDir, options.target);
  if (!project || !target) return failure(diagnostics);
  const files = writeWiring(project, target);
  return { ok: true, diagnostics, name: project.config.name, target: target.name, files };
}
