/** The chosen target: a status-bar item and its picker, fed by `morgana targets --json`. */
import * as vscode from "vscode";
import { listTargets, setting } from "./workspace.ts";

const KEY = "morgana.target";

export class TargetPicker implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "morgana.target",
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {
    this.item.name = "Morgana Target";
    this.item.command = "morgana.selectTarget";
    this.show();
  }

  get current(): string {
    return this.state.get<string>(KEY) ?? setting("target", "unix");
  }

  private show(): void {
    this.item.text = `$(server-process) ${this.current}`;
    this.item.tooltip = `Morgana target: ${this.current} (click to change)`;
    this.item.show();
  }

  async pick(): Promise<string | undefined> {
    const items = (await listTargets()).map((t) => ({
      label: t.name,
      description: t.available ? (t.name === this.current ? "current" : "") : "not available yet",
      detail: t.available ? t.summary : `${t.summary.replace(/\.$/, "")}. ${t.unavailable ?? ""}`,
      target: t,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: "Morgana: Select Target",
      placeHolder: "Where Build, Run and Show Device Graph go",
    });
    if (!picked) return undefined;
    if (!picked.target.available) {
      void vscode.window.showWarningMessage(
        `Morgana: ${picked.target.name}: ${picked.target.unavailable ?? "not available"}`,
      );
      return undefined;
    }
    await this.state.update(KEY, picked.label);
    this.show();
    this.changed.fire(picked.label);
    return picked.label;
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}
