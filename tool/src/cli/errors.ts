import type { ConfigDiagnostic } from "../config/index.ts";

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

/** An error the CLI reports in one clear message (no stack trace) and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.failed,
    readonly diagnostics: ConfigDiagnostic[] = [],
    readonly hint?: string,
    /** Lines that explain it, e.g. compiler errors as `file:line:col: message`. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, [], hint);
  }
}
