/**
 * F5 on Node targets: the `morgana` debug type builds the unikernel with the CLI, then
 * resolves to VS Code's built-in JavaScript debugger (`type: node`) on the bundle, with
 * source maps reaching the app, the runtime and the stack, so breakpoints bind in all three.
 * Board targets will hand over to their own adapter; until then F5 says so.
 */
import { join } from "node:path";
import * as vscode from "vscode";
import { type Problem, runJson } from "./cli.ts";
import { cliContext, pickProject } from "./workspace.ts";

export const DEBUG_TYPE = "morgana";
/** Targets whose unikernel is a Node process js-debug can launch. */
const NODE_TARGETS = new Set(["unix", "direct"]);

export class MorganaDebugProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly currentTarget: () => string,
    private readonly setProblems: (project: string, list: Problem[]) => void,
  ) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: "launch", name: "Morgana: debug the unikernel" }];
  }

  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 with no launch.json: an empty configuration.
    if (!config.type && !config.request && !config.name) {
      config = { type: DEBUG_TYPE, request: "launch", name: "Morgana: debug the unikernel" };
    }
    const ctx = cliContext();
    const given = typeof config.project === "string" ? config.project : undefined;
    const project = ctx && (await pickProject(given ?? undefined));
    if (!ctx || !project) return undefined;
    const target = typeof config.target === "string" ? config.target : this.currentTarget();
    if (!NODE_TARGETS.has(target)) {
      void vscode.window.showErrorMessage(
        `Morgana: F5 debugging runs Node targets (unix, direct); ${target} is not one yet.`,
      );
      return undefined;
    }
    await vscode.workspace.saveAll(false);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Morgana: building for ${target} to debug...`,
      },
      () => runJson(ctx, ["build", "-t", target], project),
    );
    this.setProblems(project, result.problems);
    const output = typeof result.json.output === "string" ? result.json.output : undefined;
    if (!result.ok || !output) {
      void vscode.window.showErrorMessage(
        `Morgana: build failed: ${result.error ?? `exit ${result.exitCode}`}`,
      );
      return undefined;
    }
    return {
      type: "node",
      request: "launch",
      name: config.name ?? `Morgana: ${target}`,
      program: join(project, output),
      cwd: project,
      sourceMaps: true,
      outFiles: [join(project, "dist", target, "**", "*.mjs")],
      resolveSourceMapLocations: [
        join(project, "**"),
        join(ctx.checkout, "**"),
        "!**/node_modules/**",
      ],
      skipFiles: ["<node_internals>/**"],
      console: "internalConsole",
      outputCapture: "std",
    };
  }
}
