/** The "Unikernels" view: projects, their targets, running instances and the URLs they serve. */
import { basename } from "node:path";
import * as vscode from "vscode";
import type { TargetInfo } from "./cli.ts";
import type { Instance, Instances } from "./instances.ts";
import { findProjects, listTargets } from "./workspace.ts";

export type Node =
  | { kind: "project"; project: string }
  | { kind: "target"; project: string; target: TargetInfo }
  | { kind: "instance"; instance: Instance }
  | { kind: "url"; instance: Instance; url: string };

export class UnikernelsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly instances: Instances,
    private readonly currentTarget: () => string,
  ) {
    instances.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (await findProjects()).map((project) => ({ kind: "project", project }));
    if (node.kind === "project") {
      const running = this.instances.all
        .filter((i) => i.project === node.project)
        .map((instance): Node => ({ kind: "instance", instance }));
      const targets = (await listTargets()).map(
        (target): Node => ({ kind: "target", project: node.project, target }),
      );
      return [...running, ...targets];
    }
    if (node.kind === "instance")
      return node.instance.urls.map((url) => ({ kind: "url", instance: node.instance, url }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case "project": {
        const item = new vscode.TreeItem(
          basename(node.project),
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.description = node.project;
        item.iconPath = new vscode.ThemeIcon("package");
        item.contextValue = "project";
        item.resourceUri = vscode.Uri.file(node.project);
        return item;
      }
      case "target": {
        const t = node.target;
        const current = t.name === this.currentTarget();
        const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.None);
        item.description = t.available ? (current ? "current target" : "") : "not available yet";
        item.tooltip = t.available ? t.summary : `${t.summary}\n${t.unavailable ?? ""}`;
        item.iconPath = new vscode.ThemeIcon(
          current ? "pass-filled" : t.available ? "circle-large-outline" : "circle-slash",
        );
        item.contextValue = t.available ? "target" : "target-unavailable";
        return item;
      }
      case "instance": {
        const i = node.instance;
        const item = new vscode.TreeItem(
          `${i.name} on ${i.target}`,
          i.urls.length > 0
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.None,
        );
        item.description = i.state;
        item.iconPath = new vscode.ThemeIcon(i.state === "running" ? "vm-running" : "loading~spin");
        item.contextValue = "instance";
        item.command = { command: "morgana.showConsole", title: "Show Console", arguments: [i] };
        return item;
      }
      case "url": {
        const item = new vscode.TreeItem(node.url, vscode.TreeItemCollapsibleState.None);
        item.description = "open";
        item.tooltip = `Open ${node.url} in the browser`;
        item.iconPath = new vscode.ThemeIcon("globe");
        item.contextValue = "url";
        item.command = {
          command: "morgana.openInBrowser",
          title: "Open in Browser",
          arguments: [node.url],
        };
        return item;
      }
    }
  }
}
