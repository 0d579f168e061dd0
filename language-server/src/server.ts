/**
 * The language server for `unikernel.yaml`: diagnostics as the CLI reports them, completion
 * and hover, all from `@morgana/tool/config`. The connection is the only I/O; the answers come
 * from the pure model and `convert.ts`.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkConfig } from "@morgana/tool/check";
import { completionsAt, hoverAt } from "@morgana/tool/config";
import {
  type Connection,
  createConnection,
  type Diagnostic,
  DidChangeConfigurationNotification,
  MarkupKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { toCompletionItem, toDiagnostic } from "./convert.ts";

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** The target named in `{ morgana: { target } }` settings or initialization options. */
function targetFrom(settings: unknown): string | undefined {
  const t = (settings as { morgana?: { target?: unknown } } | null)?.morgana?.target;
  return typeof t === "string" && t !== "" ? t : undefined;
}

/** The target checked against when the client names none (the CLI's default too). */
export const DEFAULT_TARGET = "unix";

/**
 * The diagnostics of one document for `target`: the same library call `morgana configure`
 * makes (tool/src/check.ts), so the editor and the terminal never disagree. Problems without a
 * place in the file (an unknown target name) go at its start.
 */
export function diagnose(doc: TextDocument, target: string = DEFAULT_TARGET): Diagnostic[] {
  const path = doc.uri.startsWith("file:") ? fileURLToPath(doc.uri) : undefined;
  const name = path ? basename(path) : doc.uri;
  const { diagnostics } = checkConfig(doc.getText(), name, {
    target,
    ...(path ? { root: dirname(path), fileExists: isFile } : {}),
  });
  return diagnostics.map(toDiagnostic);
}

/** Serves one client on `connection` (stdio when none is given). */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);

  // The selected target (the extension's status-bar choice): from the initialization options,
  // then from `morgana.target` settings as they change.
  let target = DEFAULT_TARGET;
  const publish = (document: TextDocument) =>
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: diagnose(document, target) });

  connection.onInitialize(({ initializationOptions }) => {
    target = targetFrom(initializationOptions) ?? DEFAULT_TARGET;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [":", " "] },
        hoverProvider: true,
      },
      serverInfo: { name: "morgana-language-server", version: "0.1.0" },
    };
  });

  connection.onNotification(DidChangeConfigurationNotification.type, ({ settings }) => {
    const next = targetFrom(settings) ?? DEFAULT_TARGET;
    if (next === target) return;
    target = next;
    for (const document of documents.all()) publish(document);
  });

  documents.onDidChangeContent(({ document }) => publish(document));
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
