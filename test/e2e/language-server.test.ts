import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type CodeAction,
  CodeActionRequest,
  type CompletionItem,
  CompletionRequest,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  type DocumentSymbol,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type Location,
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

  /** Replaces the document's text and waits for its diagnostics. */
  async function setText(version: number, text: string): Promise<PublishDiagnosticsParams> {
    const since = published.length;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return diagnosticsAfter(since);
  }

  it("flags a device the selected target lacks, and follows a target change", async () => {
    const text =
      "name: site\nmain: src/unikernel.ts\ndevices:\n  store: { type: kv_rw, path: data }\n";
    const { diagnostics } = await setText(10, text);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.code, "unsupported-device");
    assert.equal(
      diagnostics[0]?.message,
      'devices.store: device "store" (kv_rw) has no implementation on unix yet',
    );
    const since = published.length;
    await conn.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { morgana: { target: "xen" } },
    });
    const after = await diagnosticsAfter(since);
    assert.deepEqual(
      after.diagnostics.map((d) => d.code),
      ["target-unavailable"],
    );
    const back = published.length;
    await conn.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { morgana: { target: "unix" } },
    });
    assert.equal((await diagnosticsAfter(back)).diagnostics[0]?.code, "unsupported-device");
  });

  it("offers quick fixes: the did-you-mean, removing the key, adding a missing device", async () => {
    const text = "name: site\nmain: src/unikernel.ts\ndevics:\n  console: {}\n";
    const { diagnostics } = await setText(11, text);
    const [d] = diagnostics;
    assert.ok(d);
    const actions = (await conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred]),
      [
        ['Change to "devices"', true],
        ['Remove unknown key "devics"', false],
      ],
    );
    assert.deepEqual(actions[0]?.edit?.changes?.[uri], [
      {
        range: { start: { line: 2, character: 0 }, end: { line: 2, character: 6 } },
        newText: "devices",
      },
    ]);
    const missing = await setText(
      12,
      "name: site\nmain: src/unikernel.ts\ndevices:\n  clock: {}\n  http: { port: 80 }\n",
    );
    const need = missing.diagnostics.find((x) => x.code === "missing-dependency");
    assert.ok(need, JSON.stringify(missing.diagnostics));
    const add = (await conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: need.range,
      context: { diagnostics: [need] },
    })) as CodeAction[];
    assert.deepEqual(add[0]?.title, "Add a net device");
    assert.deepEqual(add[0]?.edit?.changes?.[uri]?.[0]?.newText, "  net: {}\n");
    assert.deepEqual(add[0]?.edit?.changes?.[uri]?.[0]?.range.start, { line: 5, character: 0 });
  });

  it("outlines devices and targets, and goes to definitions", async () => {
    const text =
      "name: site\nmain: src/unikernel.ts\ndevices:\n  clock: {}\n  net: { type: net }\n  http: { type: http, stack: net }\ntargets:\n  unix: {}\n";
    await setText(13, text);
    const symbols = (await conn.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri },
    })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.map((c) => `${c.name}:${c.detail}`) ?? []]),
      [
        ["name", []],
        ["main", []],
        ["devices", ["clock:clock", "net:net", "http:http"]],
        ["targets", ["unix:target"]],
      ],
    );
    const toDevice = (await conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: { line: 5, character: 31 },
    })) as Location;
    assert.equal(toDevice.uri, uri);
    assert.deepEqual(toDevice.range.start, { line: 4, character: 2 });
    const toEntry = (await conn.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: { line: 1, character: 10 },
    })) as Location;
    assert.equal(toEntry.uri, pathToFileURL(join(dir, "src", "unikernel.ts")).href);
  });

  it("completes paths from the project's folders, and offers whole-site snippets", async () => {
    mkdirSync(join(dir, "htdocs"), { recursive: true });
    const text = "name: site\nmain: src/\ndevices:\n  site: { type: kv_ro, path: h }\n  \n";
    await setText(14, text);
    const main = (await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 1, character: 10 },
    })) as CompletionItem[];
    assert.deepEqual(
      main.map((i) => i.label),
      ["src/unikernel.ts"],
    );
    const folder = (await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 3, character: 30 },
    })) as CompletionItem[];
    assert.deepEqual(
      folder.map((i) => i.label),
      ["htdocs"],
    );
    const atDevices = (await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 4, character: 2 },
    })) as CompletionItem[];
    const https = atDevices.find((i) => i.label === "https-site");
    assert.ok(https, atDevices.map((i) => i.label).join(" "));
    assert.equal(https.insertTextFormat, 2, "a snippet");
    assert.match(https.insertText ?? "", /tls: \{ type: tls, stack: net, keys: keys/);
  });
});
