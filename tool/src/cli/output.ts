import type { Outcome } from "../api/index.ts";
import type { Progress } from "../api/progress.ts";
import { type Diagnostic, formatDiagnostic } from "../config/index.ts";
import { exitCodeFor } from "./errors.ts";

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint("1");
export const red = paint("31");
export const green = paint("32");
export const dim = paint("2");

/** Why a library call failed, in one line, from its diagnostics. */
function summary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const n = errors.length;
  const s = n === 1 ? "" : "s";
  const first = errors[0];
  if (first === undefined) return "failed";
  if (first.code === "type-error") return `type-check failed with ${n} error${s}`;
  if (first.code === "bundle-error") return `bundling failed with ${n} error${s}`;
  if (first.file !== undefined && errors.every((e) => e.file === first.file)) {
    return `${first.file} has ${n} error${s}`;
  }
  return `${n} error${s}`;
}

/**
 * Where the CLI speaks. Human text goes to stderr (progress, diagnostics) and stdout (results);
 * with `--json`, stdout carries exactly one JSON document and nothing else.
 */
export class Output implements Progress {
  constructor(readonly json: boolean) {}

  /** A result line on stdout (human mode only). */
  print(line = ""): void {
    if (!this.json) process.stdout.write(`${line}\n`);
  }

  /** A progress or status line on stderr (human mode only). */
  info(line: string): void {
    if (!this.json) process.stderr.write(`${line}\n`);
  }

  /** Diagnostics on stderr, compiler style, each with its hint (human mode only). */
  diagnostics(list: readonly Diagnostic[]): void {
    if (this.json) return;
    for (const d of list) {
      process.stderr.write(`${formatDiagnostic(d)}\n`);
      if (d.hint) process.stderr.write(`${dim(d.hint)}\n`);
    }
  }

  /**
   * Ends a command with a library result: on success the JSON result (the text was printed by
   * the command); on failure the diagnostics and a summary, or the JSON with them as data.
   * Returns the exit code.
   */
  finish(result: Outcome, fields: object = result): number {
    if (result.ok) {
      if (this.json) this.writeJson({ ...fields, ok: true, diagnostics: result.diagnostics });
      else this.diagnostics(result.diagnostics.filter((d) => d.severity === "warning"));
      return 0;
    }
    // A command that knows its exit code says so in `fields` (run: the unikernel's own).
    const { exitCode: own, exitMeaning } = fields as { exitCode?: unknown; exitMeaning?: unknown };
    const code = typeof own === "number" ? own : exitCodeFor(result.diagnostics);
    const ownExit =
      typeof own === "number" && !result.diagnostics.some((d) => d.severity === "error");
    const meaning = typeof exitMeaning === "string" ? exitMeaning : undefined;
    const message = ownExit
      ? `the unikernel exited with ${own}${meaning ? `: ${meaning}` : ""}`
      : summary(result.diagnostics);
    if (this.json) {
      this.writeJson({
        ...fields,
        ok: false,
        exitCode: code,
        error: message,
        diagnostics: result.diagnostics,
      });
      return code;
    }
    this.diagnostics(result.diagnostics);
    // One error line says it all; several get a count after them.
    const errors = result.diagnostics.filter((d) => d.severity === "error").length;
    if (errors > 1 || (ownExit && meaning)) process.stderr.write(`${red("error:")} ${message}\n`);
    return code;
  }

  /** A usage error from argument parsing. */
  usage(message: string, hint?: string): void {
    if (this.json) {
      this.writeJson({
        ok: false,
        exitCode: 2,
        error: message,
        diagnostics: [{ severity: "error", code: "usage", message }],
      });
      return;
    }
    process.stderr.write(`${red("error:")} ${message}\n`);
    if (hint) process.stderr.write(`${dim(hint)}\n`);
  }

  private writeJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Runs one step of a longer job. On a terminal a spinner shows after a second; elsewhere
   * one line announces steps that take over a second, and every step reports its time.
   */
  async step<T>(label: string, work: () => Promise<T>, failed?: (value: T) => boolean): Promise<T> {
    const started = performance.now();
    const tty = process.stderr.isTTY === true && !this.json;
    let announced = false;
    let frame = 0;
    const frames = ["|", "/", "-", "\\"];
    const timer = setInterval(() => {
      if (this.json) return;
      if (tty) {
        process.stderr.write(`\r${frames[frame++ % frames.length]} ${label}...`);
      } else if (!announced) {
        process.stderr.write(`${label}...\n`);
      }
      announced = true;
    }, 1000);
    try {
      const value = await work();
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      if (tty && announced) process.stderr.write("\r\x1b[K");
      if (failed?.(value)) this.info(`${red("✗")} ${label} ${dim(`(${secs}s)`)}`);
      else this.info(`${green("✓")} ${label} ${dim(`(${secs}s)`)}`);
      return value;
    } catch (err) {
      if (tty && announced) process.stderr.write("\r\x1b[K");
      this.info(`${red("✗")} ${label}`);
      throw err;
    } finally {
      clearInterval(timer);
    }
  }
}
