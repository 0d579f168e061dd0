/**
 * Morgana as a library: what the `morgana` CLI, the language server, the extension, the
 * emulator and the debugger call. Every function answers a result with `ok` and
 * `diagnostics` (one `Diagnostic` type for every problem: config, target, type-check, bundle,
 * link, launch); nothing throws for a user's mistake. Positions in diagnostics are 1-based,
 * with an exclusive end (see `SourceSpan`).
 */
export { type CheckOptions, type CheckResult, checkConfig, resolveTarget } from "../check.ts";
export type { Diagnostic, DiagnosticCode, SourceSpan } from "../config/index.ts";
export { diagnosticText, formatDiagnostic } from "../config/index.ts";
export { findProjectRoot } from "../project.ts";
export { type BuildOptions, type BuildResult, build } from "./build.ts";
export { type CertOptions, type CertResult, cert, devCaDir } from "./cert.ts";
export { type CleanResult, clean } from "./clean.ts";
export { type ConfigureOptions, type ConfigureResult, configure } from "./configure.ts";
export { type DescribedDevice, type DescribeResult, describe } from "./describe.ts";
export {
  type NewProjectResult,
  newProject,
  type TemplateInfo,
  templateInfos,
  templates,
  unikernelName,
} from "./new.ts";
export { type Progress, quietProgress } from "./progress.ts";
export { hasErrors, type Outcome } from "./result.ts";
export { type RunningUnikernel, type RunOptions, type RunResult, run } from "./run.ts";
export { listTargets, type TargetInfo } from "./targets.ts";
