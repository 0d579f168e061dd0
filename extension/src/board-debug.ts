/**
 * F5 on board targets: VS Code talks DAP to the checkout's debug adapter (debugger/), which
 * boots the image in QEMU and speaks xsbug to XS. The adapter runs as a program of the
 * checkout, `node debugger/bin/morgana-debug-adapter.js`, like the CLI and the language
 * server: the extension ships no part of the tool.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import { cliContext } from "./workspace.ts";

/** Targets whose images the adapter debugs (XS's debugger on the board's UART). */
export const BOARD_TARGETS = new Set(["cubieboard2"]);

export const adapterPath = (checkout: string) =>
  join(checkout, "debugger", "bin", "morgana-debug-adapter.js");

/** Starts the adapter for each board session (Node targets resolve to js-debug before this). */
export class BoardDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(
    session: vscode.DebugSession,
  ): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const ctx = cliContext();
    if (!ctx) return undefined;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    const project = session.configuration.project;
    // A bare "node" VS Code would fork as its own runtime and `require` the script, which an
    // ES module with top-level await is not: name the program by its path instead.
    return new vscode.DebugAdapterExecutable(
      onPath(ctx.node, env.PATH),
      [adapterPath(ctx.checkout)],
      {
        env,
        ...(typeof project === "string" ? { cwd: project } : {}),
      },
    );
  }
}

/** `command`'s absolute path, looked up in `path` like a shell does; as given if not found. */
export function onPath(command: string, path = ""): string {
  if (isAbsolute(command) || command.includes("/")) return command;
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return command;
}
