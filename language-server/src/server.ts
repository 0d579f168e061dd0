/**
 * The language server for `unikernel.yaml`: diagnostics as the CLI reports them, completion
 * and hover, all from `@morgana/tool/config`. The connection is the only I/O; the answers come
 * from the pure model and `convert.ts`.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ConfigDiagnostic, completionsAt, hoverAt, parseConfig } from "@morgana/tool/config";
import {
  type Connection,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  MarkupKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { toCompletionItem, toDiagnostic, toRange } from "./convert.ts";

/** Checks that need the file system: the entry module must exist, as `morgana` demands. */
function entryDiagnostics(uri: string, main: string, span: ConfigDiagnostic["span"]): Diagnostic[] {
  if (!uri.startsWith("file:")) return [];
  const path = join(dirname(fileURLToPath(uri)), main);
  if (existsSync(path) && statSync(path).isFile()) return [];
  return [
    {
      range: toRange(span),
      severity: DiagnosticSeverity.Error,
      code: "missing-entry",
      source: "morgana",
      message: `main: the entry module ${main} does not exist`,
    },
  ];
}

export function diagnose(doc: TextDocument): Diagnostic[] {
  const name = doc.uri.startsWith("file:") ? basename(fileURLToPath(doc.uri)) : doc.uri;
  const { config, diagnostics } = parseConfig(doc.getText(), name);
  const out = diagnostics.map(toDiagnostic);
  if (config) out.push(...entryDiagnostics(doc.uri, config.main, config.mainSpan));
  return out;
}

/** Serves one client on `connection` (stdio when none is given). */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [":", " "] },
      hoverProvider: true,
    },
    serverInfo: { name: "morgana-language-server", version: "0.1.0" },
  }));

  documents.onDidChangeContent(({ document }) => {
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: diagnose(document) });
  });
  documents.onDidClose(({ document }) => {
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onCompletion(({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return completionsAt(doc.getText(), position.line + 1, position.character + 1).map(
      toCompletionItem,
    );
  });

  connection.onHover(({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const hover = hoverAt(doc.getText(), position.line + 1, position.character + 1);
    return hover ? { contents: { kind: MarkupKind.Markdown, value: hover.contents } } : null;
  });

  documents.listen(connection);
  connection.listen();
}
