/**
 * Between the config model and the protocol: the model counts lines and columns from 1, LSP
 * from 0; the model's kinds become LSP's enums. Pure: no connection, no documents.
 */
import type { Completion, ConfigDiagnostic, SourceSpan } from "@morgana/tool/config";
import {
  type CompletionItem,
  CompletionItemKind,
  type Diagnostic,
  DiagnosticSeverity,
  MarkupKind,
  type Range,
} from "vscode-languageserver";

export function toRange(span: SourceSpan): Range {
  const start = { line: span.line - 1, character: span.col - 1 };
  let end = { line: span.endLine - 1, character: span.endCol - 1 };
  // An empty span (a missing value) still gets one character, so the editor can show it.
  if (end.line < start.line || (end.line === start.line && end.character <= start.character)) {
    end = { line: start.line, character: start.character + 1 };
  }
  return { start, end };
}

/** The same words as the CLI prints, minus the file:line:col the editor shows by itself. */
export function toDiagnostic(d: ConfigDiagnostic): Diagnostic {
  const where = d.path === "" ? "" : `${d.path}: `;
  const hint = d.suggestion ? ` (did you mean "${d.suggestion}"?)` : "";
  return {
    range: toRange(d.span),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "morgana",
    message: `${where}${d.message}${hint}`,
  };
}

const KINDS: Record<Completion["kind"], CompletionItemKind> = {
  field: CompletionItemKind.Property,
  "device-type": CompletionItemKind.Class,
  device: CompletionItemKind.Reference,
  target: CompletionItemKind.Module,
  keyword: CompletionItemKind.Value,
};

export function toCompletionItem(c: Completion): CompletionItem {
  return {
    label: c.label,
    kind: KINDS[c.kind],
    detail: c.detail,
    ...(c.documentation
      ? { documentation: { kind: MarkupKind.Markdown, value: c.documentation } }
      : {}),
  };
}
