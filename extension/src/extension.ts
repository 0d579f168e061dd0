/**
 * Morgana for VS Code: the language client for unikernel.yaml, plus commands, a target
 * picker, a task type and the Unikernels view, all over the checkout's `morgana` CLI.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { BoardDebugAdapterFactory } from "./board-debug.ts";
import { setTarget, startLanguageClient } from "./client.ts";
import { Commands } from "./commands.ts";
import { DEBUG_TYPE, MorganaDebugProvider } from "./debug.ts";
import { declareDevices } from "./declare.ts";
import { Instances } from "./instances.ts";
import { activateProtocolView } from "./protocolView.ts";
import { TargetPicker } from "./target.ts";
import { MorganaTaskProvider, TASK_TYPE } from "./tasks.ts";
import { UnikernelsView } from "./view.ts";
import { checkout, cliContext, setting } from "./workspace.ts";

let client: LanguageClient | undefined;
let instances: Instances | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const problems = vscode.languages.createDiagnosticCollection("morgana-build");
  const target = new TargetPicker(context.workspaceState);
  let commands: Commands | undefined;
  instances = new Instances((project, list) => commands?.setProblems(project, list));
  commands = new Commands(problems, instances, target);
  const view = new UnikernelsView(instances, () => target.current);
  target.onDidChange(() => view.refresh());
  const watcher = vscode.workspace.createFileSystemWatcher("**/unikernel.yaml", false, true, false);
  watcher.onDidCreate(() => view.refresh());
  watcher.onDidDelete(() => view.refresh());
  context.subscriptions.push(
    problems,
    target,
    instances,
    watcher,
    ...commands.register(),
    vscode.commands.registerCommand("morgana.refresh", () => view.refresh()),
    vscode.window.registerTreeDataProvider("morgana.unikernels", view),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new MorganaTaskProvider(() => target.current)),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new MorganaDebugProvider(
        () => target.current,
        (project, list) => commands?.setProblems(project, list),
      ),
    ),
    // Board targets keep the morgana type: the checkout's adapter (debugger/) runs them.
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new BoardDebugAdapterFactory()),
  );
  await activateProtocolView(context, setting("trace", true));
  const dir = checkout();
  if (!dir) {
    cliContext(); // says how to set morgana.checkout
    return;
  }
  client = await startLanguageClient(context, dir, target.current);
  void declareDevices(target.current);
  target.onDidChange((name) => {
    if (client) void setTarget(client, name);
  });
}

export async function deactivate(): Promise<void> {
  await instances?.stopAll();
  await client?.stop();
}
