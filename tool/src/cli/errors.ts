import type { Diagnostic } from "../config/index.ts";

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** The build, the unikernel or an external tool failed. */
  failed: 1,
  /** The command line was wrong: unknown command or option, missing argument. */
  usage: 2,
  /** unikernel.yaml (or the project around it) is invalid. */
  config: 3,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** A wrong command line, found while parsing arguments (before any library call). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** Problems with the project itself: unikernel.yaml, its entry module, what the target lacks. */
const CONFIG_CODES = new Set<Diagnostic["code"]>([
  "yaml-syntax",
  "not-a-mapping",
  "unknown-key",
  "missing-key",
  "wrong-type",
  "bad-value",
  "unknown-device-type",
  "missing-dependency",
  "ambiguous-dependency",
  "wrong-dependency-type",
  "dependency-cycle",
  "duplicate-key",
  "no-project",
  "missing-entry",
  "missing-start",
  "unsupported-device",
]);

/** The exit code for a failed library call: by its first error. */
export function exitCodeFor(diagnostics: readonly Diagnostic[]): number {
  const first = diagnostics.find((d) => d.severity === "error");
  if (first === undefined) return EXIT.failed;
  // A target named in unikernel.yaml is a config problem; one named on the command line
  // (no file) is a usage problem.
  if (first.code === "unknown-target") return first.file === undefined ? EXIT.usage : EXIT.config;
  if (first.code === "unknown-template" || first.code === "usage") return EXIT.usage;
  return CONFIG_CODES.has(first.code) ? EXIT.config : EXIT.failed;
}
