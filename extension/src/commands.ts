/** The Morgana commands: each asks the CLI (`--json`) and shows its answer in the editor. */
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import * as vscode from "vscode";
import { type CliContext, type CliResult, type Problem, runJson } from "./cli.ts";
import { showDeviceGraph } from "./graph.ts";
import type { Instance, Instances } from "./instances.ts";
import type { TargetPicker } from "./target.ts";
import { cliContext, pickProject } from "./workspace.ts";

export class Commands {
  constructor(
    private readonly problems: vscode.DiagnosticCollection,
    private readonly instances: Instances,
    private readonly target: TargetPicker,
  ) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r("morgana.newUnikernel", () => this.newUnikernel()),
      r("morgana.configure", (p?: unknown) => this.step("configure", "Configuring", p)),
      r("morgana.build", (p?: unknown) => this.step("build", "Building", p)),
      r("morgana.run", (p?: unknown) => this.run(p)),
      r("morgana.stop", (i?: unknown) => this.stop(instanceArg(i))),
      r("morgana.selectTarget", () => this.target.pick()),
      r("morgana.showDeviceGraph", (p?: unknown) => this.graph(p)),
      r("morgana.openInBrowser", (u?: unknown) => this.open(typeof u === "string" ? u : undefined)),
      r("morgana.showConsole", (i?: unknown) => instanceArg(i)?.terminal.show()),
    ];
  }

  /** Puts a result's problems in the Problems view, replacing the project's earlier ones. */
  setProblems(project: string, list: readonly Problem[]): void {
    for (const [uri] of this.problemsOf(project)) this.problems.delete(uri);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of list) {
      const file = resolve(project, p.file);
      const start = new vscode.Position(Math.max(p.line - 1, 0), Math.max(p.column - 1, 0));
      const end =
        p.endLine !== undefined && p.endColumn !== undefined
          ? new vscode.Position(Math.max(p.endLine - 1, 0), Math.max(p.endColumn - 1, 0))
          : start.translate(0, 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(start, end),
        p.message,
        p.severity === "warning"
          ? vscode.DiagnosticSeverity.Warning
          : p.severity === "info"
            ? vscode.DiagnosticSeverity.Information
            : vscode.DiagnosticSeverity.Error,
      );
      d.source = "morgana";
      if (p.code) d.code = p.code;
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    for (const [file, ds] of byFile) this.problems.set(vscode.Uri.file(file), ds);
  }

  private problemsOf(project: string): [vscode.Uri, readonly vscode.Diagnostic[]][] {
    const out: [vscode.Uri, readonly vscode.Diagnostic[]][] = [];
    this.problems.forEach((uri, ds) => {
      if (uri.fsPath.startsWith(`${project}/`)) out.push([uri, ds]);
    });
    return out;
  }

  /** configure or build, with a progress notification and the answer. */
  private async step(
    command: "configure" | "build",
    doing: string,
    arg: unknown,
  ): Promise<CliResult | undefined> {
    const ctx = cliContext();
    const project = ctx && (await pickProject(projectArg(arg)));
    if (!ctx || !project) return undefined;
    await vscode.workspace.saveAll(false);
    const target = targetArg(arg) ?? this.target.current;
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Morgana: ${doing} ${basename(project)} for ${target}...`,
      },
      () => runJson(ctx, [command, "-t", target], project),
    );
    this.setProblems(project, result.problems);
    if (result.ok) {
      const output = typeof result.json.output === "string" ? result.json.output : undefined;
      const bytes =
        typeof result.json.bytes === "number"
          ? ` (${Math.round(result.json.bytes / 1024)} KiB)`
          : "";
      void vscode.window.showInformationMessage(
        command === "build" && output
          ? `Morgana: built ${output}${bytes}`
          : `Morgana: configured ${basename(project)} for ${target}`,
      );
    } else {
      const count = result.problems.length;
      const action = count > 0 ? "Show Problems" : undefined;
      const pick = await vscode.window.showErrorMessage(
        `Morgana: ${command} failed: ${result.error ?? `exit ${result.exitCode}`}`,
        ...(action ? [action] : []),
      );
      if (pick) void vscode.commands.executeCommand("workbench.actions.view.problems");
    }
    return result;
  }

  private async run(arg: unknown): Promise<Instance | undefined> {
    const ctx = cliContext();
    const project = ctx && (await pickProject(projectArg(arg)));
    if (!ctx || !project) return undefined;
    await vscode.workspace.saveAll(false);
    const target = targetArg(arg) ?? this.target.current;
    const instance = this.instances.start(ctx, project, target);
    instance.terminal.show(true);
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Morgana: building and booting ${instance.name} on ${target}...`,
      },
      () => this.instances.ready(instance),
    );
    if (instance.state === "running" && instance.urls[0]) {
      const url = instance.urls[0];
      void vscode.window
        .showInformationMessage(
          `Morgana: ${instance.name} is listening on ${url}`,
          "Open in Browser",
        )
        .then((pick) => {
          if (pick) void this.open(url);
        });
    } else if (instance.state === "exited" && instance.exitCode !== 0) {
      void vscode.window.showErrorMessage(
        `Morgana: ${instance.name} exited (${instance.exitCode}); see its terminal and Problems.`,
      );
    }
    return instance;
  }

  private async stop(given?: Instance): Promise<void> {
    const running = this.instances.all;
    const instance =
      given ??
      (running.length <= 1
        ? running[0]
        : (
            await vscode.window.showQuickPick(
              running.map((i) => ({
                label: `${i.name} on ${i.target}`,
                description: i.urls.join(" "),
                i,
              })),
              { placeHolder: "Stop which unikernel?" },
            )
          )?.i);
    if (!instance) {
      void vscode.window.showInformationMessage("Morgana: no unikernel is running.");
      return;
    }
    await instance.stop();
    void vscode.window.showInformationMessage(
      `Morgana: stopped ${instance.name} (exit ${instance.exitCode})`,
    );
  }

  private async graph(arg: unknown): Promise<void> {
    const ctx = cliContext();
    const project = ctx && (await pickProject(projectArg(arg)));
    if (!ctx || !project) return;
    await showDeviceGraph(ctx, project, targetArg(arg) ?? this.target.current);
  }

  private async open(given?: string): Promise<void> {
    const urls = this.instances.all.flatMap((i) => i.urls);
    const url =
      given ??
      (urls.length <= 1
        ? urls[0]
        : await vscode.window.showQuickPick(urls, { placeHolder: "Open which URL?" }));
    if (!url) {
      void vscode.window.showInformationMessage(
        "Morgana: no running unikernel serves a URL. Run one first.",
      );
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  private async newUnikernel(): Promise<void> {
    const ctx = cliContext();
    if (!ctx) return;
    const template = await vscode.window.showQuickPick(templates(ctx), {
      title: "Morgana: New Unikernel",
      placeHolder: "Start from which template?",
    });
    if (!template) return;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
    const dir = await vscode.window.showInputBox({
      title: "Morgana: New Unikernel",
      prompt: "A new, empty folder for it",
      value: join(base, `my-${template.label}`),
      validateInput: (v) =>
        existsSync(v) && readdirSync(v).length > 0
          ? "That folder exists and is not empty"
          : undefined,
    });
    if (!dir) return;
    const result = await runJson(ctx, ["new", template.label, dir], base);
    if (!result.ok) {
      void vscode.window.showErrorMessage(
        `Morgana: new failed: ${result.error ?? `exit ${result.exitCode}`}`,
      );
      return;
    }
    const pick = await vscode.window.showInformationMessage(
      `Morgana: created ${dir}`,
      "Open Folder",
      "Add to Workspace",
    );
    if (pick === "Open Folder")
      await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(dir));
    if (pick === "Add to Workspace") {
      vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, {
        uri: vscode.Uri.file(dir),
      });
    }
  }
}

/**
 * The templates `morgana new` accepts: the checkout's samples. The CLI lists them only in
 * its help text today; a `--json` listing would let this ask it.
 */
function templates(ctx: CliContext): vscode.QuickPickItem[] {
  const dir = join(ctx.checkout, "samples");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "unikernel.yaml")))
    .map((e) => ({ label: e.name, description: `samples/${e.name}` }));
}

/** Commands invoked from the view get a node; from the palette, nothing. */
function projectArg(arg: unknown): string | undefined {
  if (typeof arg === "string") return arg;
  if (arg && typeof arg === "object" && "project" in arg && typeof arg.project === "string")
    return arg.project;
  return undefined;
}

/** A target node of the view carries its target. */
function targetArg(arg: unknown): string | undefined {
  if (arg && typeof arg === "object" && "target" in arg) {
    const t = arg.target;
    if (t && typeof t === "object" && "name" in t && typeof t.name === "string") return t.name;
  }
  return undefined;
}

function instanceArg(arg: unknown): Instance | undefined {
  if (arg && typeof arg === "object" && "instance" in arg) return arg.instance as Instance;
  if (arg && typeof arg === "object" && "terminal" in arg) return arg as Instance;
  return undefined;
}
