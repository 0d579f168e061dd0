/** Collects diagnostics for one file. */
import type { ConfigDiagnostic, DiagnosticCode, SourceSpan } from "./diagnostics.ts";

export interface Extra {
  expected?: string;
  suggestion?: string | undefined;
}

export class Reporter {
  readonly diagnostics: ConfigDiagnostic[] = [];

  constructor(readonly file: string) {}

  error(code: DiagnosticCode, span: SourceSpan, path: string, message: string, extra?: Extra) {
    this.add("error", code, span, path, message, extra);
  }

  warning(code: DiagnosticCode, span: SourceSpan, path: string, message: string, extra?: Extra) {
    this.add("warning", code, span, path, message, extra);
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === "error").length;
  }

  private add(
    severity: ConfigDiagnostic["severity"],
    code: DiagnosticCode,
    span: SourceSpan,
    path: string,
    message: string,
    extra?: Extra,
  ) {
    const d: ConfigDiagnostic = { severity, code, file: this.file, span, path, message };
    if (extra?.expected !== undefined) d.expected = extra.expected;
    if (extra?.suggestion !== undefined) d.suggestion = extra.suggestion;
    this.diagnostics.push(d);
  }
}
