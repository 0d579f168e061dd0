/**
 * Diagnostics: the one record for everything a user can get wrong, from a misspelt key in
 * unikernel.yaml to a type error in the app, a bundling error, and later link and emulator
 * errors. One closed set of codes, one shape, one formatter. The CLI prints them with
 * `formatDiagnostic` (or as data with --json); the language server maps them to LSP ranges.
 */

/**
 * A range in the source text. Lines and columns are 1-based; `endLine`/`endCol` point just
 * past the last character (exclusive end), so "80a" at column 11 has `endCol` 14.
 */
export interface SourceSpan {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** The closed set of things that can be wrong: first unikernel.yaml's, then the project's. */
export type DiagnosticCode =
  | "yaml-syntax"
  | "not-a-mapping"
  | "unknown-key"
  | "missing-key"
  | "wrong-type"
  | "bad-value"
  | "unknown-device-type"
  | "missing-dependency"
  | "ambiguous-dependency"
  | "wrong-dependency-type"
  | "dependency-cycle"
  | "duplicate-key"
  | "unknown-target"
  // The project around the config, and the selected target:
  | "no-project" // no unikernel.yaml in the folder or above
  | "missing-entry" // `main` names no file
  | "missing-start" // the entry module does not export `start`
  | "target-unavailable" // a planned target that cannot be built yet
  | "unsupported-device" // a device the selected target does not provide
  // Building, running and making projects:
  | "type-error" // the app does not type-check against its devices (message starts with TSnnnn)
  | "bundle-error" // esbuild could not bundle
  | "link-error" // linking an image failed (board targets)
  | "launch-error" // the target could not start the unikernel
  | "no-build" // run --no-build with nothing built
  | "unknown-template"
  | "project-exists"
  | "cert-failed" // a development certificate could not be made
  | "usage" // the command line was wrong
  | "tool-failed"; // a program we run (tsc, a linker) could not be run at all

/** One problem, located when it has a place: a file and a span in it. */
export interface Diagnostic {
  severity: "error" | "warning";
  code: DiagnosticCode;
  /** The file, as the user's command names it (relative to the working folder when inside it). */
  file?: string;
  span?: SourceSpan;
  /** Key path, e.g. "devices.http.port" or "targets.unix.ports[0]"; "" for the whole file. */
  path?: string;
  /** What is wrong, in words. */
  message: string;
  /** What was expected, e.g. "an integer from 1 to 65535". */
  expected?: string;
  /** Did-you-mean for a near miss, e.g. "port". */
  suggestion?: string;
  /** What to do about it, in one sentence, when that is not obvious from the message. */
  hint?: string;
}

/** A diagnostic of unikernel.yaml: always located, always with a key path. */
export interface ConfigDiagnostic extends Diagnostic {
  file: string;
  span: SourceSpan;
  path: string;
}

/**
 * One line, compiler style:
 * `unikernel.yaml:12:11: error: devices.http.port: expected an integer from 1 to 65535, got "80a"`
 * followed by ` (did you mean "port"?)` when there is a suggestion.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where =
    d.file === undefined
      ? "morgana"
      : d.span === undefined
        ? d.file
        : `${d.file}:${d.span.line}:${d.span.col}`;
  const path = d.path === undefined || d.path === "" ? "" : `${d.path}: `;
  const hint = d.suggestion === undefined ? "" : ` (did you mean "${d.suggestion}"?)`;
  return `${where}: ${d.severity}: ${path}${d.message}${hint}`;
}

/** The same words without the place, for tools that show the place themselves (editors). */
export function diagnosticText(d: Diagnostic): string {
  const path = d.path === undefined || d.path === "" ? "" : `${d.path}: `;
  const hint = d.suggestion === undefined ? "" : ` (did you mean "${d.suggestion}"?)`;
  return `${path}${d.message}${hint}`;
}

/** A span covering one point, for tools that report only a line and a column. */
export function pointSpan(line: number, col: number): SourceSpan {
  return { line, col, endLine: line, endCol: col };
}

/** Describes a parsed YAML value for a "got ..." clause. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

/** Orders diagnostics by position, keeping the discovery order for equal positions. */
export function sortDiagnostics<D extends Diagnostic>(list: D[]): D[] {
  const line = (d: Diagnostic) => d.span?.line ?? 0;
  const col = (d: Diagnostic) => d.span?.col ?? 0;
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => line(a.d) - line(b.d) || col(a.d) - col(b.d) || a.i - b.i)
    .map((x) => x.d);
}
