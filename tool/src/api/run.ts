import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { relative, resolve } from "node:path";
import type { Diagnostic, TargetName } from "../config/index.ts";
import { openProject, type Project } from "../project.ts";
import type { RunFlags, Target } from "../targets/index.ts";
import { artifactPath, buildOpened } from "./build.ts";
import { unsupportedFlags } from "./flags.ts";
import { type Progress, quietProgress } from "./progress.ts";
import { failure, hasErrors, type Outcome } from "./result.ts";
import { ENV_TRACE, type HostTraceChannel, openTraceChannel, type TraceListener } from "./trace.ts";

export interface RunOptions {
  projectDir: string;
  target: string;
  /** Boot the last build as it is. Default false: build first. */
  noBuild?: boolean;
  /**
   * "inherit": the unikernel's console is this process's terminal (the CLI).
   * "pipe": its output comes through `onOutput` (editors, tests). Default "pipe".
   */
  console?: "inherit" | "pipe";
  /**
   * Variants, for targets that offer them: `debug` and `snapshot` build (and boot) that kind of
   * image; `pcap` captures the traffic into a file (resolved against the current folder);
   * `trace` opens the trace channel: events into a file (resolved likewise) as JSON lines, or,
   * with true, only to `onTrace` listeners.
   */
  flags?: RunFlags;
  progress?: Progress;
}

/** A line the runtime prints when a service accepts connections: `listening on URL`. */
const ANNOUNCE = /listening on ((?:https?):\/\/\S+)/g;

/** A booted unikernel. */
export interface RunningUnikernel {
  readonly name: string;
  readonly target: TargetName;
  readonly pid: number | undefined;
  /** The artifact booted, relative to the project root. */
  readonly artifact: string;
  /** URLs it announced so far (`listening on ...`), in order. */
  readonly urls: string[];
  /** Resolves with its exit code once it has exited (128 + n when killed by signal n). */
  readonly exited: Promise<number>;
  /** Console output (console "pipe" only), as it comes: stdout and stderr, decoded as UTF-8. */
  onOutput(listener: (text: string, stream: "stdout" | "stderr") => void): void;
  /**
   * What an exit code means on this target (a crash, out of memory, ...), in one line; undefined
   * for 0, for a stop by signal, and for codes the target gives no meaning.
   */
  exitMeaning(code: number): string | undefined;
  /** Called for each announced URL, including those announced before. */
  onUrl(listener: (url: string) => void): void;
  /** Called for each trace event as it arrives (with the `trace` flag; never otherwise). */
  onTrace(listener: TraceListener): void;
  /**
   * With the `trace` flag: events received and events the unikernel dropped (the host fell
   * behind), final once `exited` has resolved.
   */
  readonly trace: { readonly events: number; readonly dropped: number } | undefined;
  /** Asks it to stop (SIGTERM; it closes its devices) and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface RunResult extends Outcome {
  instance?: RunningUnikernel;
}

/** Builds (unless `noBuild`) and boots a unikernel with its target's launcher. */
export async function run(options: RunOptions): Promise<RunResult> {
  const progress = options.progress ?? quietProgress;
  const { project, target, diagnostics } = openProject(options.projectDir, options.target);
  if (!project || !target) return failure(diagnostics);
  const flags: RunFlags = { ...options.flags };
  if (flags.pcap !== undefined) flags.pcap = resolve(flags.pcap);
  if (typeof flags.trace === "string") flags.trace = resolve(flags.trace);
  const refused = unsupportedFlags(target, flags);
  if (refused.length > 0) return failure([...diagnostics, ...refused]);
  const all = [...diagnostics];
  const artifact = artifactPath(project, target);
  if (options.noBuild) {
    if (!existsSync(artifact)) {
      all.push({
        severity: "error",
        code: "no-build",
        message: `no build to boot: ${relative(project.root, artifact)} does not exist`,
        hint: `Build it with \`morgana build -t ${target.name}\`, or drop --no-build.`,
      });
      return failure(all);
    }
  } else {
    const built = await buildOpened(project, target, progress, [], {
      debug: flags.debug,
      snapshot: flags.snapshot,
    });
    all.push(...built.diagnostics);
    if (!built.ok) return failure(all);
  }
  const booted = await boot(project, target, artifact, options.console ?? "pipe", flags);
  return { ...booted, diagnostics: [...all, ...booted.diagnostics] };
}

/** Launches a built artifact with its target's launch hook and hands back the running instance. */
export async function boot(
  project: Project,
  target: Target,
  artifact: string,
  consoleMode: "inherit" | "pipe",
  flags: RunFlags = {},
): Promise<RunResult> {
  const all: Diagnostic[] = [];
  const plan = await target.launch({
    config: project.config,
    root: project.root,
    artifact,
    options: project.config.targets[target.name] ?? {
      ports: [],
      span: { line: 1, col: 1, endLine: 1, endCol: 1 },
    },
    flags,
  });
  if ("diagnostics" in plan) {
    all.push(...plan.diagnostics);
    if (!hasErrors(plan.diagnostics)) {
      all.push({ severity: "error", code: "launch-error", message: "the target did not launch" });
    }
    return failure(all);
  }
  let trace: HostTraceChannel | undefined;
  if (flags.trace !== undefined) {
    try {
      trace = await openTraceChannel(typeof flags.trace === "string" ? flags.trace : undefined);
    } catch (e) {
      await plan.cleanup?.().catch(() => {});
      all.push({
        severity: "error",
        code: "launch-error",
        message: `cannot open the trace: ${(e as Error).message}`,
      });
      return failure(all);
    }
  }
  const pipe = consoleMode === "pipe";
  const child = spawn(plan.command, plan.args, {
    cwd: plan.cwd,
    env: { ...process.env, ...plan.env, ...(trace ? { [ENV_TRACE]: trace.path } : {}) },
    stdio: pipe ? ["ignore", "pipe", "pipe"] : "inherit",
  });
  const urls: string[] = [];
  const outputListeners: ((text: string, stream: "stdout" | "stderr") => void)[] = [];
  const urlListeners: ((url: string) => void)[] = [];
  const seen = (text: string) => {
    for (const m of text.matchAll(ANNOUNCE)) {
      const url = m[1] as string;
      urls.push(url);
      for (const l of urlListeners) l(url);
    }
  };
  for (const stream of ["stdout", "stderr"] as const) {
    const s = child[stream];
    if (!s) continue;
    s.setEncoding("utf8");
    let line = "";
    s.on("data", (text: string) => {
      for (const l of outputListeners) l(text, stream);
      // URLs are matched on whole lines, so a chunk boundary cannot split one.
      line += text;
      const end = line.lastIndexOf("\n");
      if (end >= 0) {
        seen(line.slice(0, end + 1));
        line = line.slice(end + 1);
      }
    });
  }
  const exited = new Promise<number>((resolve) => {
    child.on("error", (err) => {
      all.push({ severity: "error", code: "launch-error", message: err.message });
      resolve(1);
    });
    child.on("exit", (status, signal) => {
      // Killed by a signal: the shell's convention, 128 + its number (SIGINT: 130).
      resolve(status ?? 128 + (signal ? (constants.signals[signal] ?? 15) : 15));
    });
  }).then(async (code) => {
    await plan.cleanup?.().catch(() => {});
    await trace?.close();
    return code;
  });
  const instance: RunningUnikernel = {
    name: project.config.name,
    target: target.name,
    pid: child.pid,
    artifact: relative(project.root, artifact),
    urls,
    exited,
    onOutput: (l) => {
      outputListeners.push(l);
    },
    exitMeaning: (code) =>
      code === 0 || code > 128
        ? undefined
        : target.exitMeaning?.(code, relative(project.root, artifact)),
    onUrl: (l) => {
      urlListeners.push(l);
      for (const u of urls) l(u);
    },
    onTrace: (l) => trace?.onEvent(l),
    get trace() {
      return trace && { events: trace.events, dropped: trace.dropped };
    },
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return { ok: true, diagnostics: all, instance };
}
