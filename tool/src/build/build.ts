import { statSync } from "node:fs";
import { join, relative } from "node:path";
import { CliError, EXIT } from "../cli/errors.ts";
import type { Output } from "../cli/output.ts";
import type { TargetName } from "../config/index.ts";
import type { Project } from "../project.ts";
import { type BundleProblem, bundle } from "./bundle.ts";
import { configure, generatedDir } from "./configure.ts";
import { typecheck } from "./typecheck.ts";

export interface BuildResult {
  target: TargetName;
  /** The runnable image, relative to the project root. */
  output: string;
  bytes: number;
}

/** Where a target's image goes: `<project>/dist/<target>/<name>.mjs`. */
export const outputPath = (project: Project, target: string) =>
  join(project.root, "dist", target, `${project.config.name}.mjs`);

/** Configures (always: it is cheap and keeps the wiring in step with the yaml), type-checks, bundles. */
export async function buildProject(
  project: Project,
  targetName: string,
  out: Output,
): Promise<BuildResult> {
  const { target } = configure(project, targetName);
  const dir = generatedDir(project, target);
  await out.step("type-check the app against its devices", async () => {
    const errors = await typecheck(project.root, join(dir, "tsconfig.json")).catch((e) => {
      throw new CliError(`could not run the type-checker: ${(e as Error).message}`);
    });
    if (errors.length > 0) {
      throw new CliError(
        `type-check failed with ${errors.length} error${errors.length === 1 ? "" : "s"}`,
        EXIT.failed,
        [],
        undefined,
        errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`),
      );
    }
  });
  const outfile = outputPath(project, target);
  await out.step(`bundle for ${target}`, async () => {
    const problems = await bundle(join(dir, "main.ts"), outfile, project.root);
    if (problems.length > 0) throw bundleError(project, problems);
  });
  return { target, output: relative(project.root, outfile), bytes: statSync(outfile).size };
}

/** The entry module without `start` is a config mistake; anything else is a build failure. */
function bundleError(project: Project, problems: BundleProblem[]): CliError {
  const noStart = problems.find(
    (p) => /No matching export/.test(p.message) && /"start"/.test(p.message),
  );
  if (noStart) {
    const { line, col } = project.config.mainSpan;
    return new CliError(
      `${project.config.file}:${line}:${col}: main: the entry module ${project.config.main} does not export a \`start\` function`,
      EXIT.config,
      [],
      "Add `export async function start(devices: Devices) { ... }` to it.",
    );
  }
  return new CliError(
    `bundling failed with ${problems.length} error${problems.length === 1 ? "" : "s"}`,
    EXIT.failed,
    [],
    undefined,
    problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`),
  );
}
