/**
 * F5 on Node targets: the `morgana` debug type builds the unikernel with the CLI, then
 * resolves to VS Code's built-in JavaScript debugger (`type: node`), with source maps
 * reaching the app, the runtime and the stack, so breakpoints bind in all three.
 *
 * On unix the target's launch is only `node <bundle>`: js-debug runs the bundle itself. On
 * direct the launch sets up the tap bridge (socat, dnsmasq), hands the unikernel its
 * MORGANA_DIRECT_PORT/PEER and tears the bridge down when it exits; js-debug then runs
 * `morgana run -t direct --no-build` and attaches to the unikernel the CLI spawns (it
 * inherits js-debug's NODE_OPTIONS), so the target's own launch plan boots it.
 * On board targets (cubieboard2) F5 builds the image with XS's debugger (`build --debug`, its
 * problems in the Problems view) and keeps the `morgana` type: the checkout's debug adapter
 * (board-debug.ts, debugger/) boots that build in QEMU and maps XS's positions to TypeScript.
 */
import { join } from "node:path";
import * as vscode from "vscode";
import { BOARD_TARGETS } from "./board-debug.ts";
import { type CliContext, cliPath, type Problem, runJson } from "./cli.ts";
import { cliContext, pickProject } from "./workspace.ts";

export const DEBUG_TYPE = "morgana";
/** Targets whose unikernel is a Node process js-debug can launch. */
const NODE_TARGETS = new Set(["unix", "direct"]);
/**
 * Node targets whose launch does more than `node <bundle>` (a bridge, env, a cleanup): F5
 * boots them through the CLI. Unix keeps the bundle as js-debug's program: one process,
 * nothing to set up, and Stop ends it directly.
 */
const LAUNCHED_BY_CLI = new Set(["direct"]);

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
    if (!NODE_TARGETS.has(target) && !BOARD_TARGETS.has(target)) {
      void vscode.window.showErrorMessage(
        `Morgana: F5 debugging runs ${[...NODE_TARGETS, ...BOARD_TARGETS].join(", ")}; ${target} is not one yet.`,
      );
      return undefined;
    }
    await vscode.workspace.saveAll(false);
    const board = BOARD_TARGETS.has(target);
    const output = await this.build(ctx, project, target, board);
    if (output === undefined) return undefined;
    if (board) {
      // The adapter boots what was just built; its launch arguments (debugger/src/session.ts).
      return {
        type: DEBUG_TYPE,
        request: "launch",
        name: config.name ?? `Morgana: ${target}`,
        project,
        target,
        noBuild: true,
        stopOnEntry: config.stopOnEntry === true,
        ...(typeof config.xsbugPort === "number" ? { xsbugPort: config.xsbugPort } : {}),
      };
    }
    const program = LAUNCHED_BY_CLI.has(target)
      ? {
          program: cliPath(ctx.checkout),
          args: ["run", "-t", target, "--no-build"],
          runtimeExecutable: ctx.node,
          env: ctx.env,
          // The unikernel is the CLI's child: js-debug attaches to it as a child session.
          autoAttachChildProcesses: true,
          // Stop sends SIGTERM down the tree (SIGKILL would skip the bridge's cleanup).
          killBehavior: "polite",
        }
      : { program: join(project, output) };
    return {
      type: "node",
      request: "launch",
      name: config.name ?? `Morgana: ${target}`,
      ...program,
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

  /** Builds (`--debug` for a board) with a notification; the output's path, or undefined. */
  private async build(
    ctx: CliContext,
    project: string,
    target: string,
    debug: boolean,
  ): Promise<string | undefined> {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Morgana: building for ${target} to debug...`,
      },
      () => runJson(ctx, ["build", "-t", target, ...(debug ? ["--debug"] : [])], project),
    );
    this.setProblems(project, result.problems);
    const output = typeof result.json.output === "string" ? result.json.output : undefined;
    if (!result.ok || !output) {
      void vscode.window.showErrorMessage(
        `Morgana: build failed: ${result.error ?? `exit ${result.exitCode}`}`,
      );
      return undefined;
    }
    return output;
  }
}
