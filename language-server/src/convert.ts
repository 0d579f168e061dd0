/**
 * Between the config model and the protocol: the model counts lines and columns from 1, LSP
 * from 0; the model's kinds become LSP's enums. Pure: no connection, no documents.
 */
import {
  type Completion,
  type ConfigSymbol,
  diagnosticText,
  type Diagnostic as MorganaDiagnostic,
  type TextEdit as MorganaTextEdit,
  type SourceSpan,
} from "@morgana/tool/config";
import {
  type CompletionItem,
  CompletionItemKind,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  InsertTextFormat,
  MarkupKind,
  type Range,
  SymbolKind,
  type TextEdit,
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

/** Where a problem with no place of its own is shown: the start of the file. */
const FILE_START: SourceSpan = { line: 1, col: 1, endLine: 1, endCol: 1 };

/** The same words as the CLI prints, minus the file:line:col the editor shows by itself. */
export function toDiagnostic(d: MorganaDiagnostic): Diagnostic {
  return {
    range: toRange(d.span ?? FILE_START),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "morgana",
    message: diagnosticText(d),
  };
}

const KINDS: Record<Completion["kind"], CompletionItemKind> = {
  field: CompletionItemKind.Property,
  "device-type": CompletionItemKind.Class,
  device: CompletionItemKind.Reference,
  target: CompletionItemKind.Module,
  keyword: CompletionItemKind.Value,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
  snippet: CompletionItemKind.Snippet,
};

export function toCompletionItem(c: Completion): CompletionItem {
  return {
    label: c.label,
    kind: KINDS[c.kind],
    detail: c.detail,
    ...(c.documentation
      ? { documentation: { kind: MarkupKind.Markdown, value: c.documentation } }
      : {}),
    ...(c.insertText === undefined ? {} : { insertText: c.insertText }),
    ...(c.kind === "snippet" ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
  };
}

/** A model edit (1-based, exclusive end) as an LSP text edit; empty ranges stay empty. */
export function toTextEdit(e: MorganaTextEdit): TextEdit {
  const s = e.span;
  return {
    range: {
      start: { line: s.line - 1, character: s.col - 1 },
      end: { line: s.endLine - 1, character: s.endCol - 1 },
    },
    newText: e.newText,
  };
}

const SYMBOL_KINDS: Record<ConfigSymbol["kind"], SymbolKind> = {
  name: SymbolKind.String,
  main: SymbolKind.File,
  devices: SymbolKind.Namespace,
  device: SymbolKind.Object,
  targets: SymbolKind.Namespace,
  target: SymbolKind.Module,
};

export function toDocumentSymbol(s: ConfigSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: SYMBOL_KINDS[s.kind],
    range: toRange(s.span),
    selectionRange: toRange(s.selection),
    children: s.children.map(toDocumentSymbol),
  };
}
