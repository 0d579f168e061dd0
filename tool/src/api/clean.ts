import { rmSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_FILE, findProjectRoot } from "../project.ts";
import type { Outcome } from "./result.ts";

export interface CleanResult extends Outcome {
  /** The folders removed (absolute). */
  removed?: string[];
}

/** Removes what configure and build wrote: `.morgana/` and `dist/`. */
export function clean(options: { projectDir: string }): CleanResult {
  const root = findProjectRoot(options.projectDir);
  if (root === null) {
    return {
      ok: false,
      diagnostics: [
        {
          severity: "error",
          code: "no-project",
          message: `no ${CONFIG_FILE} here or above: nothing to clean`,
        },
      ],
    };
  }
  const removed = [".morgana", "dist"].map((d) => join(root, d));
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  return { ok: true, diagnostics: [], removed };
}
