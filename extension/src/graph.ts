/**
 * Show Device Graph: `morgana describe -t TARGET --json` gives the graph in Graphviz dot,
 * each node labelled with the target's implementation; `dot -Tsvg` draws it; a webview shows it.
 */
import { execFile } from "node:child_process";
import { basename } from "node:path";
import * as vscode from "vscode";
import { type CliContext, runJson } from "./cli.ts";

export function renderSvg(dot: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(
      "dot",
      ["-Tsvg"],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          fail(new Error(stderr.trim() || `dot failed: ${err.message} (is Graphviz installed?)`));
        else done(stdout);
      },
    );
    child.stdin?.end(dot);
  });
}

let panel: vscode.WebviewPanel | undefined;

export async function showDeviceGraph(
  ctx: CliContext,
  project: string,
  target: string,
): Promise<void> {
  const result = await runJson(ctx, ["describe", "-t", target], project);
  const dot = typeof result.json.dot === "string" ? result.json.dot : undefined;
  if (!result.ok || !dot) {
    void vscode.window.showErrorMessage(
      `Morgana: describe failed: ${result.error ?? "no graph in its answer"}`,
    );
    return;
  }
  const svg = (await renderSvg(dot)).replace(/^[\s\S]*?(<svg)/, "$1");
  const title = `Device Graph: ${basename(project)} (${target})`;
  panel ??= vscode.window.createWebviewPanel(
    "morgana.deviceGraph",
    title,
    vscode.ViewColumn.Active,
    {
      enableScripts: false,
    },
  );
  panel.onDidDispose(() => {
    panel = undefined;
  });
  panel.title = title;
  panel.webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
  body { background: #fff; color: #000; padding: 1em; font-family: sans-serif; }
  h1 { font-size: 1.1em; font-weight: 600; }
  svg { max-width: 100%; height: auto; }
</style></head>
<body><h1>${escapeHtml(basename(project))} on ${escapeHtml(target)}</h1>
<div class="graph">${svg}</div></body></html>`;
  panel.reveal();
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
