/**
 * What the editor parts share: the checkout and CLI context from the settings, the projects
 * (folders holding unikernel.yaml) in the workspace, and the chosen target.
 */
import { dirname } from "node:path";
import * as vscode from "vscode";
import { type CliContext, findCheckout, runJson, type TargetInfo, targetsOf } from "./cli.ts";

export const setting = <T>(key: string, fallback: T): T =>
  vscode.workspace.getConfiguration("morgana").get<T>(key) ?? fallback;

export function checkout(): string | undefined {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return findCheckout(setting("checkout", ""), folders);
}

/** The CLI context, or undefined after telling the user how to set the checkout. */
export function cliContext(): CliContext | undefined {
  const dir = checkout();
  if (!dir) {
    void vscode.window
      .showErrorMessage(
        "Morgana: no Morgana checkout found. Set morgana.checkout to the folder holding tool/bin/morgana.js.",
        "Open Settings",
      )
      .then((pick) => {
        if (pick)
          void vscode.commands.executeCommand("workbench.action.openSettings", "morgana.checkout");
      });
    return undefined;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  const qemu = setting("qemuPath", "");
  const toolchain = setting("toolchainPath", "");
  if (qemu) env.MORGANA_QEMU = qemu;
  if (toolchain) env.MORGANA_TOOLCHAIN = toolchain;
  return { checkout: dir, node: setting("nodePath", "node") || "node", env };
}

/** Project folders: each folder in the workspace holding a unikernel.yaml. */
export async function findProjects(): Promise<string[]> {
  const files = await vscode.workspace.findFiles(
    "**/unikernel.yaml",
    "{**/node_modules/**,**/.morgana/**,**/dist/**}",
  );
  return [...new Set(files.map((f) => dirname(f.fsPath)))].sort();
}

/** The project a command applies to: the active editor's, the only one, or one the user picks. */
export async function pickProject(given?: string): Promise<string | undefined> {
  if (given) return given;
  const projects = await findProjects();
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const mine = active && projects.find((p) => active.startsWith(`${p}/`));
  if (mine) return mine;
  if (projects.length <= 1) {
    if (projects.length === 0)
      void vscode.window.showWarningMessage("Morgana: no unikernel.yaml in this workspace.");
    return projects[0];
  }
  return vscode.window.showQuickPick(projects, { placeHolder: "Which unikernel?" });
}

/** The targets the CLI knows, asked once per session. */
let targets: Promise<TargetInfo[]> | undefined;
export function listTargets(): Promise<TargetInfo[]> {
  const ctx = cliContext();
  if (!ctx) return Promise.resolve([]);
  targets ??= runJson(ctx, ["targets"], ctx.checkout).then((r) => {
    if (!r.ok) targets = undefined;
    return targetsOf(r.json);
  });
  return targets;
}
