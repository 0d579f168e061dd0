/**
 * The language server for `unikernel.yaml`: diagnostics as the CLI reports them, completion
 * and hover, all from `@morgana/tool/config`. The connection is the only I/O; the answers come
 * from the pure model and `convert.ts`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { checkConfig } from "@morgana/tool/check";
import {
  completionsAt,
  type DirEntry,
  definitionAt,
  documentSymbols,
  hoverAt,
  type Diagnostic as MorganaDiagnostic,
  quickFixes,
} from "@morgana/tool/config";
import {
  type CodeAction,
  CodeActionKind,
  type Connection,
  createConnection,
  type Diagnostic,
  DidChangeConfigurationNotification,
  MarkupKind,
  ProposedFeatures,
  type Range,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  toCompletionItem,
  toDiagnostic,
  toDocumentSymbol,
  toRange,
  toTextEdit,
} from "./convert.ts";

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
  return check(doc, target).map(toDiagnostic);
}

/** The folder of a document on disk, or undefined for an unsaved one. */
const folderOf = (uri: string) =>
  uri.startsWith("file:") ? dirname(fileURLToPath(uri)) : undefined;

/** The model's diagnostics of a document for `target` (one checkConfig call). */
function check(doc: TextDocument, target: string): MorganaDiagnostic[] {
  const root = folderOf(doc.uri);
  const name = root ? basename(fileURLToPath(doc.uri)) : doc.uri;
  return checkConfig(doc.getText(), name, {
    target,
    ...(root ? { root, fileExists: isFile } : {}),
  }).diagnostics;
}

/** Lists a folder relative to `root` for path completion; null when it is not a folder. */
function lister(root: string | undefined) {
  if (root === undefined) return undefined;
  return (relative: string): DirEntry[] | null => {
    const dir = resolve(root, relative);
    // Completion stays inside the project: unikernel.yaml's paths must be relative anyway.
    if (dir !== root && !dir.startsWith(`${root}${sep}`)) return null;
    try {
      return readdirSync(dir, { withFileTypes: true }).map((e) => ({
        name: e.name,
        folder: e.isDirectory(),
      }));
    } catch {
      return null;
    }
  };
}

const overlaps = (a: Range, b: Range) =>
  !(
    a.end.line < b.start.line ||
    (a.end.line === b.start.line && a.end.character < b.start.character) ||
    b.end.line < a.start.line ||
    (b.end.line === a.start.line && b.end.character < a.start.character)
  );

/** The quick fixes for the diagnostics under `range`, as LSP code actions. */
export function codeActions(doc: TextDocument, range: Range, target: string): CodeAction[] {
  const text = doc.getText();
  const actions: CodeAction[] = [];
  for (const d of check(doc, target)) {
    const lsp = toDiagnostic(d);
    if (!overlaps(lsp.range, range)) continue;
    for (const fix of quickFixes(text, d)) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [lsp],
        isPreferred: fix.preferred,
        edit: { changes: { [doc.uri]: fix.edits.map(toTextEdit) } },
      });
    }
  }
  return actions;
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
        completionProvider: { triggerCharacters: [":", " ", "/"] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        definitionProvider: true,
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
    const listDir = lister(folderOf(doc.uri));
    return completionsAt(
      doc.getText(),
      position.line + 1,
      position.character + 1,
      listDir ? { listDir } : {},
    ).map(toCompletionItem);
  });

  connection.onCodeAction(({ textDocument, range }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? codeActions(doc, range, target) : [];
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? documentSymbols(doc.getText()).map(toDocumentSymbol) : [];
  });

  connection.onDefinition(({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const found = definitionAt(doc.getText(), position.line + 1, position.character + 1);
    if (!found) return null;
    if (found.kind === "span") return { uri: doc.uri, range: toRange(found.span) };
    const root = folderOf(doc.uri);
    if (root === undefined) return null;
    const path = resolve(root, found.path);
    if (!existsSync(path)) return null;
    const start = { line: 0, character: 0 };
    return { uri: pathToFileURL(path).href, range: { start, end: start } };
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
