import { mkdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { bundle } from "../build/bundle.ts";
import { generatedDir, writeWiring } from "../build/configure.ts";
import { typecheck } from "../build/typecheck.ts";
import type { Diagnostic, TargetName } from "../config/index.ts";
import { openProject, type Project } from "../project.ts";
import type { BuildFlags, Target } from "../targets/index.ts";
import { ensureDevCertificates } from "./cert.ts";
import { unsupportedFlags } from "./flags.ts";
import { type Progress, quietProgress } from "./progress.ts";
import { failure, hasErrors, type Outcome } from "./result.ts";

export interface BuildOptions {
  projectDir: string;
  target: string;
  /** Build variants (`--debug`, `--snapshot`), for targets that offer them. */
  flags?: BuildFlags;
  progress?: Progress;
}

export interface BuildResult extends Outcome {
  name?: string;
  target?: TargetName;
  /** What runs (the bundle, or the image a board target links), relative to the project root. */
  output?: string;
  bytes?: number;
}

/** dist/TARGET/ of a project (absolute). */
export const distDir = (root: string, target: string) => join(root, "dist", target);

/** Where the artifact that runs lives (absolute), built or not. */
export const artifactPath = (project: Project, target: Target) =>
  join(distDir(project.root, target.name), target.artifact(project.config.name));

/**
 * Configures (always: it is cheap and keeps the wiring in step with the yaml), type-checks,
 * bundles, then lets the target finish the artifact (boards link an image).
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const progress = options.progress ?? quietProgress;
  const { project, target, diagnostics } = openProject(options.projectDir, options.target);
  if (!project || !target) return failure(diagnostics);
  const flags = options.flags ?? {};
  const refused = unsupportedFlags(target, flags);
  if (refused.length > 0) return failure([...diagnostics, ...refused]);
  return buildOpened(project, target, progress, diagnostics, flags);
}

/** The build of a project already opened and checked for `target`. */
export async function buildOpened(
  project: Project,
  target: Target,
  progress: Progress,
  warnings: Diagnostic[],
  flags: BuildFlags = {},
): Promise<BuildResult> {
  const diagnostics = [...warnings];
  const certificates = ensureDevCertificates(project);
  diagnostics.push(...certificates.diagnostics);
  if (hasErrors(certificates.diagnostics)) return failure(diagnostics);
  for (const made of certificates.made) {
    await progress.step(
      `made a development certificate: ${relative(project.root, made)}`,
      async () => {},
    );
  }
  writeWiring(project, target);
  const dir = generatedDir(project, target.name);
  const shownRoot = process.cwd();
  const typeErrors = await progress.step(
    "type-check the app against its devices",
    () =>
      typecheck(join(dir, "tsconfig.json"), shownRoot).catch((e): Diagnostic[] => [
        {
          severity: "error",
          code: "tool-failed",
          message: `could not run the type-checker: ${(e as Error).message}`,
        },
      ]),
    hasErrors,
  );
  diagnostics.push(...typeErrors);
  if (hasErrors(typeErrors)) return failure(diagnostics);

  const outDir = distDir(project.root, target.name);
  mkdirSync(outDir, { recursive: true });
  const bundlePath = join(outDir, target.bundle.file(project.config.name));
  const bundleErrors = await progress.step(
    `bundle for ${target.name}`,
    () => bundle(join(dir, "main.ts"), bundlePath, project.root, target.bundle),
    hasErrors,
  );
  if (bundleErrors.length > 0) {
    diagnostics.push(...explainMissingStart(project, bundleErrors));
    return failure(diagnostics);
  }

  let artifact = bundlePath;
  if (target.link) {
    const linked = await target.link({
      config: project.config,
      root: project.root,
      outDir,
      bundle: bundlePath,
      flags,
      step: (label, work, failed) => progress.step(label, work, failed),
    });
    diagnostics.push(...linked.diagnostics);
    if (hasErrors(linked.diagnostics) || linked.artifact === undefined) return failure(diagnostics);
    artifact = linked.artifact;
  }
  return {
    ok: true,
    diagnostics,
    name: project.config.name,
    target: target.name,
    output: relative(project.root, artifact),
    bytes: statSync(artifact).size,
  };
}

/**
 * An entry module without `start` is a config mistake: esbuild's "No matching export" for
 * `start` becomes one diagnostic at `main:` in unikernel.yaml. Other bundle errors stay as they are.
 */
function explainMissingStart(project: Project, problems: Diagnostic[]): Diagnostic[] {
  const noStart = problems.find(
    (p) => /No matching export/.test(p.message) && /"start"/.test(p.message),
  );
  if (!noStart) return problems;
  return [
    {
      severity: "error",
      code: "missing-start",
      file: project.config.file,
      span: project.config.mainSpan,
      path: "main",
      message: `the entry module ${project.config.main} does not export a \`start\` function`,
      hint: "Add `export async function start(devices: Devices) { ... }` to it.",
    },
  ];
}
