import { type ConfigDiagnostic, formatDiagnostic } from "../config/index.ts";
import type { CliError } from "./errors.ts";

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint("1");
export const red = paint("31");
export const green = paint("32");
export const dim = paint("2");

/**
 * Where the CLI speaks. Human text goes to stderr (progress, errors) and stdout (results);
 * with `--json`, stdout carries exactly one JSON document and stderr only errors.
 */
export class Output {
  constructor(readonly json: boolean) {}

  /** A result line on stdout (human mode only). */
  print(line = ""): void {
    if (!this.json) process.stdout.write(`${line}\n`);
  }

  /** A progress or status line on stderr (human mode only). */
  info(line: string): void {
    if (!this.json) process.stderr.write(`${line}\n`);
  }

  /** The JSON result (json mode only). */
  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Config warnings: on stderr in human mode (json results carry them themselves). */
  warnings(diagnostics: readonly ConfigDiagnostic[]): void {
    for (const d of diagnostics) this.info(formatDiagnostic(d));
  }

  error(err: CliError): void {
    if (this.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: false, exitCode: err.code, error: err.message, diagnostics: err.diagnostics, details: err.details }, null, 2)}\n`,
      );
      return;
    }
    for (const d of err.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    for (const line of err.details) process.stderr.write(`${line}\n`);
    if (err.message) process.stderr.write(`${red("error:")} ${err.message}\n`);
    if (err.hint) process.stderr.write(`${dim(err.hint)}\n`);
  }

  /**
   * Runs one step of a longer job. On a terminal a spinner shows after a second; elsewhere
   * one line announces steps that take over a second, and every step reports its time.
   */
  async step<T>(label: string, work: () => Promise<T>): Promise<T> {
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
      this.info(`${green("✓")} ${label} ${dim(`(${secs}s)`)}`);
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
