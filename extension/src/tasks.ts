/**
 * The `morgana` task type: `{ "type": "morgana", "command": "build", "target": "unix" }` runs
 * `morgana build -t unix` in the project; the `$morgana` problem matcher puts each
 * `file:line:col: ...` line it prints into the Problems view.
 */
import { basename } from "node:path";
import * as vscode from "vscode";
import { cliPath } from "./cli.ts";
import { cliContext, findProjects } from "./workspace.ts";

export const TASK_TYPE = "morgana";

interface MorganaTaskDefinition extends vscode.TaskDefinition {
  command: "configure" | "build" | "run" | "clean";
  target?: string;
  project?: string;
}

export function morganaTask(
  def: MorganaTaskDefinition,
  currentTarget: string,
  scope?: vscode.WorkspaceFolder,
): vscode.Task | undefined {
  const ctx = cliContext();
  const project = def.project ?? scope?.uri.fsPath;
  if (!ctx || !project) return undefined;
  const target = def.target ?? currentTarget;
  const args = [
    cliPath(ctx.checkout),
    def.command,
    ...(def.command === "clean" ? [] : ["-t", target]),
  ];
  const execution = new vscode.ProcessExecution(ctx.node, args, {
    cwd: project,
    env: ctx.env as Record<string, string>,
  });
  const task = new vscode.Task(
    def,
    scope ?? vscode.TaskScope.Workspace,
    `${def.command} ${basename(project)}${def.command === "clean" ? "" : ` (${target})`}`,
    TASK_TYPE,
    execution,
    ["$morgana"],
  );
  if (def.command === "build") task.group = vscode.TaskGroup.Build;
  if (def.command === "run") task.isBackground = true;
  return task;
}

export class MorganaTaskProvider implements vscode.TaskProvider {
  constructor(private readonly currentTarget: () => string) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const project of await findProjects()) {
      const scope = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project));
      for (const command of ["build", "run", "configure", "clean"] as const) {
        const task = morganaTask(
          { type: TASK_TYPE, command, project },
          this.currentTarget(),
          scope,
        );
        if (task) tasks.push(task);
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as MorganaTaskDefinition;
    const scope = typeof task.scope === "object" ? task.scope : undefined;
    const resolved = morganaTask(def, this.currentTarget(), scope);
    // tasks.json owns the definition object: hand it back unchanged.
    if (resolved)
      return new vscode.Task(
        def,
        task.scope ?? vscode.TaskScope.Workspace,
        resolved.name,
        TASK_TYPE,
        resolved.execution,
        ["$morgana"],
      );
    return undefined;
  }
}
