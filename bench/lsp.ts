/**
 * Editor latency on a big unikernel.yaml (1,000+ lines): diagnostics, completion and hover,
 * first in-process (the model's own cost), then through the real language server over stdio
 * (what an editor waits for). The peer is the floor any YAML-based server pays: the `yaml`
 * library parsing the same text with positions, measured in the same run, interleaved.
 *
 *   npx tsx bench/lsp.ts [--rounds N] [--json]
 *
 * Prints p50/p95 per operation in ms and the ratio of p95s to the peer's. The goal (issue 9):
 * completion and diagnostics p95 under 20 ms. Never a timed test: the numbers are printed.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { LineCounter, parseDocument } from "yaml";
import { checkConfig } from "../tool/src/check.ts";
import { completionsAt, hoverAt } from "../tool/src/config/index.ts";
import { bigConfig } from "./lsp-config.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const json = args.includes("--json");
const roundsAt = args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 200;
if (!(ROUNDS >= 5)) {
  process.stderr.write("usage: npx tsx bench/lsp.ts [--rounds N (>= 5)] [--json]\n");
  process.exit(2);
}

const text = bigConfig();
const lineCount = text.split("\n").length - 1;
const lines = text.split("\n");
/** Cursor positions (1-based) spread through the file: a device field, a value, a device name. */
const fieldLine = lines.findIndex((l, n) => n > 500 && l === "    stack: net") + 1;
const portLine = lines.findIndex((l, n) => n > 700 && l.startsWith("    port: ")) + 1;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function time(work: () => unknown): number {
  const t = performance.now();
  work();
  return performance.now() - t;
}

interface Row {
  operation: string;
  where: "in-process" | "stdio";
  p50: number;
  p95: number;
  ratioP95: number;
}

const webDevices = lines.filter((l) => /^ {2}web\d+:$/.test(l)).length;
const peerTimes: number[] = [];
const ours: Record<string, number[]> = {
  diagnostics: [],
  completion: [],
  hover: [],
  "completion, text not yet parsed": [],
  "diagnostics, YAML broken": [],
};
const check = (t: string) =>
  checkConfig(t, "unikernel.yaml", { target: "unix", root: "/nowhere", fileExists: () => true });
const peer = (t: string) =>
  parseDocument(t, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: false });

for (let r = 0; r < ROUNDS + 10; r++) {
  const warm = r < 10;
  // Each round is a new version of the file, as after a keystroke: diagnostics parse it anew,
  // then completion and hover on the same version reuse that parse, as the server does.
  // The edit changes the value's length now and then, so the blocks after it move.
  const version = text.replace("    port: 1000\n", `    port: ${1 + 7 * r}\n`);
  const p = time(() => peer(version));
  const d = time(() => check(version));
  const c = time(() => completionsAt(version, fieldLine, 5));
  const h = time(() => hoverAt(version, portLine, 6));
  // Completion first on a version nobody parsed yet (as when diagnostics come later).
  const fresh = version.replace("    port: 1001\n", `    port: ${2 + 7 * r}\n`);
  const f = time(() => completionsAt(fresh, fieldLine, 5));
  // A keystroke that breaks the YAML (a key without its colon) in a device spread through the
  // file: that device is parsed with the next one, the other blocks are kept.
  const at = `  web${(r * 37) % webDevices}:\n    type: http\n`;
  const broken = fresh.replace(at, at.replace("type:", `type${r % 10}`));
  const b = time(() => check(broken));
  if (warm) continue;
  peerTimes.push(p);
  ours.diagnostics?.push(d);
  ours.completion?.push(c);
  ours.hover?.push(h);
  ours["completion, text not yet parsed"]?.push(f);
  ours["diagnostics, YAML broken"]?.push(b);
}
const peerP95 = percentile(peerTimes, 95);
const rows: Row[] = Object.entries(ours).map(([operation, v]) => ({
  operation,
  where: "in-process",
  p50: percentile(v, 50),
  p95: percentile(v, 95),
  ratioP95: percentile(v, 95) / peerP95,
}));

/** The same over stdio: a real server process, didChange -> publishDiagnostics, completion. */
async function overStdio(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "morgana-lsp-bench-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "unikernel.ts"), "export async function start() {}\n");
  const uri = pathToFileURL(join(dir, "unikernel.yaml")).href;
  const server = spawn(
    process.execPath,
    [join(REPO, "language-server", "bin", "morgana-language-server.js"), "--stdio"],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const conn = createProtocolConnection(
    new StreamMessageReader(server.stdout),
    new StreamMessageWriter(server.stdin),
  );
  let waiting: ((p: PublishDiagnosticsParams) => void) | null = null;
  conn.onNotification(PublishDiagnosticsNotification.method, (p: PublishDiagnosticsParams) => {
    waiting?.(p);
  });
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: {},
  });
  await conn.sendNotification(InitializedNotification.type, {});
  const published = () => new Promise<PublishDiagnosticsParams>((r) => (waiting = r));
  let next = published();
  await conn.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "yaml", version: 1, text },
  });
  await next;
  const diag: number[] = [];
  const comp: number[] = [];
  const n = ROUNDS;
  // The edited value, as VS Code sends a keystroke to a server that syncs incrementally (ours
  // does): the range replaced and the new text, not the whole file.
  const line = lines.indexOf("    port: 1000");
  let value = "1000";
  for (let i = 0; i < n + 5; i++) {
    // Each edit changes one value, as typing does; the server answers with fresh diagnostics.
    const edited = `${1 + 7 * i}`;
    const range = {
      start: { line, character: 10 },
      end: { line, character: 10 + value.length },
    };
    value = edited;
    next = published();
    let t = performance.now();
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range, text: edited }],
    });
    const p = await next;
    const d = performance.now() - t;
    if (p.diagnostics.length !== 0)
      throw new Error(`unexpected diagnostics: ${p.diagnostics[0]?.message}`);
    t = performance.now();
    const items = await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: fieldLine - 1, character: 4 },
    });
    const c = performance.now() - t;
    if (!Array.isArray(items) || items.length === 0) throw new Error("no completion items");
    if (i >= 5) {
      diag.push(d);
      comp.push(c);
    }
  }
  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  conn.dispose();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
  return [
    {
      operation: "diagnostics",
      where: "stdio",
      p50: percentile(diag, 50),
      p95: percentile(diag, 95),
      ratioP95: percentile(diag, 95) / peerP95,
    },
    {
      operation: "completion",
      where: "stdio",
      p50: percentile(comp, 50),
      p95: percentile(comp, 95),
      ratioP95: percentile(comp, 95) / peerP95,
    },
  ];
}

rows.push(...(await overStdio()));
const result = {
  bench: "lsp",
  config: { lines: lineCount, rounds: ROUNDS },
  peer: { name: "yaml parseDocument (positions on)", p50: percentile(peerTimes, 50), p95: peerP95 },
  rows,
  goal: "completion and diagnostics p95 < 20 ms (edits that keep the YAML valid)",
  goalMet: rows
    .filter((r) => r.operation === "diagnostics" || r.operation.startsWith("completion"))
    .every((r) => r.p95 < 20),
};
if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const f = (n: number) => n.toFixed(2).padStart(7);
  process.stdout.write(`bench/lsp: a ${lineCount}-line unikernel.yaml, ${ROUNDS} rounds\n`);
  process.stdout.write(
    `peer: yaml parseDocument  p50 ${f(result.peer.p50)} ms  p95 ${f(peerP95)} ms\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${`${r.operation} (${r.where})`.padEnd(46)} p50 ${f(r.p50)} ms  p95 ${f(r.p95)} ms  p95 ratio to peer ${r.ratioP95.toFixed(2)}\n`,
    );
  }
  process.stdout.write(`goal (${result.goal}): ${result.goalMet ? "met" : "NOT met"}\n`);
}
