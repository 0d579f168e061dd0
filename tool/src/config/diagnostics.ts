/**
 * Diagnostics of the config model: one closed set of codes, one record shape, one formatter.
 * The CLI prints them with `formatDiagnostic`; the language server maps them to LSP ranges.
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

/** The closed set of things that can be wrong with a `unikernel.yaml`. */
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
  | "unknown-target";

export interface ConfigDiagnostic {
  severity: "error" | "warning";
  code: DiagnosticCode;
  file: string;
  span: SourceSpan;
  /** Key path, e.g. "devices.http.port" or "targets.unix.ports[0]"; "" for the whole file. */
  path: string;
  /** What is wrong, in words. */
  message: string;
  /** What was expected, e.g. "an integer from 1 to 65535". */
  expected?: string;
  /** Did-you-mean for a near miss, e.g. "port". */
  suggestion?: string;
}

/**
 * One line, compiler style:
 * `unikernel.yaml:12:11: error: devices.http.port: expected an integer from 1 to 65535, got "80a"`
 * followed by ` (did you mean "port"?)` when there is a suggestion.
 */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const where = `${d.file}:${d.span.line}:${d.span.col}`;
  const path = d.path === "" ? "" : `${d.path}: `;
  const hint = d.suggestion === undefined ? "" : ` (did you mean "${d.suggestion}"?)`;
  return `${where}: ${d.severity}: ${path}${d.message}${hint}`;
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
export function sortDiagnostics(list: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.span.line - b.d.span.line || a.d.span.col - b.d.span.col || a.i - b.i)
    .map((x) => x.d);
}
