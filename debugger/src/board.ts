/**
 * Boots a board image for debugging through the tool's library (the same `run` as
 * `morgana run -t cubieboard2 --debug`), and finds what the adapter needs: XS's debugger port
 * (the `xsbug on 127.0.0.1:PORT` line the target's launch prints on stderr), the bundle, the
 * path XS records for it, and its source map.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import {
  type Diagnostic,
  findProjectRoot,
  formatDiagnostic,
  type Progress,
  type RunningUnikernel,
  run,
} from "@morgana/tool/api";
import { BundleMap } from "./sourcemap.ts";

/** Board targets whose images carry XS's debugger. */
export const BOARD_TARGETS = ["cubieboard2"] as const;

/** The line that announces the port (emulator/src/xsbug-serial.ts). */
export const ANNOUNCE = /^xsbug on 127\.0\.0\.1:(\d+)/m;

export interface BootOptions {
  /** The project folder (or one inside it). */
  project: string;
  target: string;
  /** Boot the last `--debug` build as it is. */
  noBuild?: boolean;
  /** The local port for XS's debugger; default a free one. */
  xsbugPort?: number;
  progress?: Progress;
  /** Console output (stdout) and the launcher's messages (stderr), as they come. */
  output(text: string, stream: "stdout" | "stderr"): void;
}

export interface BootedBoard {
  instance: RunningUnikernel;
  port: number;
  /** The bundle (absolute) and the path XS records for it (its file name). */
  bundle: string;
  scriptPath: string;
  /** The bundle's source map; undefined when the build left none. */
  map: BundleMap | undefined;
}

export class BootError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

/** Builds (unless `noBuild`) with XS's debugger and boots; the image waits for a debugger. */
export async function bootForDebug(options: BootOptions): Promise<BootedBoard> {
  if (!(BOARD_TARGETS as readonly string[]).includes(options.target)) {
    throw new BootError(
      `the board debugger runs board images (${BOARD_TARGETS.join(", ")}), not ${options.target}: Node targets are debugged with VS Code's JavaScript debugger`,
    );
  }
  const root = findProjectRoot(resolve(options.project));
  if (root === null) throw new BootError(`no unikernel.yaml in ${options.project} or above it`);
  if (options.xsbugPort !== undefined) process.env.MORGANA_XSBUG_PORT = String(options.xsbugPort);
  const started = await run({
    projectDir: root,
    target: options.target,
    noBuild: options.noBuild === true,
    console: "pipe",
    flags: { debug: true },
    progress: options.progress,
  });
  const problems = started.diagnostics.filter((d) => d.severity === "error");
  if (!started.ok || !started.instance) {
    const text = problems.map(formatDiagnostic).join("\n") || "the board did not boot";
    throw new BootError(text, started.diagnostics);
  }
  const instance = started.instance;
  let stderr = "";
  const port = new Promise<number>((resolvePort, reject) => {
    instance.onOutput((text, stream) => {
      options.output(text, stream);
      if (stream !== "stderr") return;
      stderr += text;
      const m = ANNOUNCE.exec(stderr);
      if (m) resolvePort(Number(m[1]));
    });
    void instance.exited.then((code) =>
      reject(
        new BootError(`the board exited (code ${code}) before serving its debugger\n${stderr}`),
      ),
    );
  });
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(
      () =>
        reject(new BootError(`the board did not announce its debugger port in 60 s\n${stderr}`)),
      60_000,
    );
    t.unref();
  });
  let announced: number;
  try {
    announced = await Promise.race([port, timeout]);
  } catch (err) {
    await instance.stop();
    throw err;
  }
  // The bundle beside the image: dist/TARGET/NAME.js, which XS records as NAME.js.
  const bundle = join(root, dirname(instance.artifact), `${instance.name}.js`);
  const map = existsSync(bundle) ? BundleMap.load(bundle) : undefined;
  return { instance, port: announced, bundle, scriptPath: basename(bundle), map };
}
