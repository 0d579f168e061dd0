/**
 * The "Protocol" view: protocolTree.ts's rows as a VS Code tree, refreshed as events arrive,
 * at most every REFRESH_MS (a bulk transfer reports an event a segment; the tree needs far
 * fewer redraws than that).
 */
import * as vscode from "vscode";
import { ProtocolModel } from "./protocol.ts";
import { ProtocolChannel } from "./protocolChannel.ts";
import { children, type ProtocolNode, present } from "./protocolTree.ts";

const REFRESH_MS = 250;
/** The variable the unikernel's runtime reads (runtime/unix/src/trace.ts). */
const ENV_TRACE = "MORGANA_TRACE";

const STATE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export class ProtocolView implements vscode.TreeDataProvider<ProtocolNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly model: ProtocolModel) {
    model.onChange(() => this.schedule());
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, REFRESH_MS);
  }

  getChildren(node?: ProtocolNode): ProtocolNode[] {
    return children(this.model, node);
  }

  getTreeItem(node: ProtocolNode): vscode.TreeItem {
    const row = present(node);
    const item = new vscode.TreeItem(row.label, STATE[row.expandable]);
    item.id = row.id;
    if (row.description !== undefined) item.description = row.description;
    if (row.tooltip !== undefined) item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.contextValue = row.contextValue;
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}

/**
 * Sets the Protocol view up: the model, the tree, the Clear command and, unless `morgana.trace`
 * is off, the channel. Its path goes into this extension host's own environment, which every
 * process started from here inherits: `morgana run` (Run, tasks), js-debug's launches (F5), and
 * so the unikernels they boot. Only Morgana's runtime reads MORGANA_TRACE.
 */
export async function activateProtocolView(
  context: vscode.ExtensionContext,
  traceOn: boolean,
): Promise<void> {
  const model = new ProtocolModel();
  let opened = 0;
  const view = new ProtocolView(model);
  context.subscriptions.push(
    view,
    vscode.window.registerTreeDataProvider("morgana.protocol", view),
    vscode.commands.registerCommand("morgana.clearProtocol", () => model.clear()),
    vscode.commands.registerCommand("morgana.openTrace", async (uri?: vscode.Uri) => {
      const file =
        uri ??
        (
          await vscode.window.showOpenDialog({
            title: "Open a trace file (morgana run --trace FILE)",
            filters: { "Trace files": ["jsonl", "json", "trace"], "All files": ["*"] },
          })
        )?.[0];
      if (!file) return;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      const bad = model.load(`file-${++opened}`, file.fsPath, text);
      await vscode.commands.executeCommand("morgana.protocol.focus");
      if (bad > 0)
        void vscode.window.showWarningMessage(
          `Morgana: ${bad} lines of ${file.fsPath} are not trace events; the rest is shown.`,
        );
    }),
  );
  if (!traceOn) return;
  try {
    const channel = await ProtocolChannel.open(model);
    process.env[ENV_TRACE] = channel.path;
    context.subscriptions.push({
      dispose: () => {
        if (process.env[ENV_TRACE] === channel.path) delete process.env[ENV_TRACE];
        channel.dispose();
      },
    });
  } catch (e) {
    void vscode.window.showWarningMessage(
      `Morgana: the Protocol view gets no events: cannot open the trace channel (${(e as Error).message}).`,
    );
  }
}
