import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type CompletionItem,
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type MarkupContent,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { REPO, removeDir, tempDir } from "./lib/morgana.ts";

/**
 * The language server as an editor drives it: a real process over stdio, spoken to in LSP.
 * Its diagnostics must read as the CLI's do, at the same positions (0-based here).
 */
describe("e2e: the unikernel.yaml language server over stdio", function () {
  this.timeout(60_000);
  let server: ChildProcess;
  let conn: ProtocolConnection;
  let dir: string;
  let uri: string;
  const published: PublishDiagnosticsParams[] = [];

  /** The next diagnostics published for `uri` after `since` earlier ones. */
  async function diagnosticsAfter(since: number): Promise<PublishDiagnosticsParams> {
    for (let i = 0; i < 200; i++) {
      const next = published.slice(since).find((p) => p.uri === uri);
      if (next) return next;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("no diagnostics published");
  }

  before(async () => {
    dir = tempDir("lsp");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "unikernel.ts"), "export async function start() {}\n");
    uri = pathToFileURL(join(dir, "unikernel.yaml")).href;
    server = spawn(
      process.execPath,
      [join(REPO, "language-server", "bin", "morgana-language-server.js"), "--stdio"],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    conn = createProtocolConnection(
      new StreamMessageReader(server.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(server.stdin as NodeJS.WritableStream),
    );
    conn.onNotification(PublishDiagnosticsNotification.method, (p: PublishDiagnosticsParams) => {
      published.push(p);
    });
    conn.listen();
    const init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: {}, textDocument: {} },
    });
    assert.equal(init.capabilities.hoverProvider, true);
    await conn.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    try {
      await conn.sendRequest(ShutdownRequest.type);
      await conn.sendNotification(ExitNotification.type);
    } finally {
      conn.dispose();
      server.kill();
      removeDir(dir);
    }
  });

  it("publishes the config model's errors, with the CLI's words and positions", async () => {
    const since = published.length;
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: {
        uri,
        languageId: "yaml",
        version: 1,
        text: "name: site\nmain: src/unikernel.ts\ndevics:\n  console: {}\n",
      },
    });
    const { diagnostics } = await diagnosticsAfter(since);
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d?.message, 'devics: unknown key "devics" (did you mean "devices"?)');
    assert.deepEqual(d?.range.start, { line: 2, character: 0 });
    assert.equal(d?.code, "unknown-key");
    assert.equal(d?.severity, 1);
  });

  it("clears them when the text is fixed, and checks that the entry module exists", async () => {
    let since = published.length;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { text: "name: site\nmain: src/unikernel.ts\ndevices:\n  console: {}\n  clock: {}\n" },
      ],
    });
    assert.deepEqual((await diagnosticsAfter(since)).diagnostics, []);
    since = published.length;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [
        { text: "name: site\nmain: src/nope.ts\ndevices:\n  console: {}\n  clock: {}\n" },
      ],
    });
    const { diagnostics } = await diagnosticsAfter(since);
    assert.equal(diagnostics[0]?.message, "main: the entry module src/nope.ts does not exist");
    assert.deepEqual(diagnostics[0]?.range.start, { line: 1, character: 6 });
  });

  it("completes a device's fields and answers hover from the schema", async () => {
    const text =
      "name: site\nmain: src/unikernel.ts\ndevices:\n  clock: {}\n  net: { type: net }\n  http:\n    type: http\n    \n";
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 4 },
      contentChanges: [{ text }],
    });
    const items = (await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 7, character: 4 },
    })) as CompletionItem[];
    const labels = items.map((i) => i.label).sort();
    assert.deepEqual(labels, [
      "clock",
      "header_timeout",
      "idle_timeout",
      "port",
      "request_timeout",
      "send_timeout",
      "stack",
    ]);
    const hover = await conn.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 4, character: 3 },
    });
    assert.ok(hover, "a hover over the device name");
    assert.match((hover.contents as MarkupContent).value, /^\*\*net\*\*: net device\./);
  });
});
