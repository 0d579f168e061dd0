import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Forward, qemuArgs, seedFile } from "@morgana/runtime-baremetal/build";
import { type BoardProfile, CUBIEBOARD2 } from "./profiles.ts";

export interface LaunchOptions {
  /** The ELF image to boot. */
  image: string;
  profile?: BoardProfile;
  /** Place a fresh seed (default true). False boots a board with no entropy, for tests. */
  seed?: boolean;
  /** Attach the EMAC to QEMU's user-mode network, with these host ports forwarded. */
  net?: { forwards: readonly Forward[] };
  /** Called with each console line (CR LF and LF both end a line; the ending is removed). */
  onLine?: (line: string) => void;
  /** Raw console bytes as they arrive, for a terminal. */
  onOutput?: (chunk: Buffer) => void;
}

export interface ExitInfo {
  /** The image's exit code (platform.h EXIT_*), or null when QEMU was stopped by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() ended QEMU (its own exit code then means nothing). */
  stopped: boolean;
  /** Milliseconds from spawning QEMU to its end. */
  ms: number;
}

/** A running board: its console, its end, and a way to stop it. */
export interface Board {
  readonly pid: number | undefined;
  /** Every console line so far. */
  readonly lines: string[];
  /** Milliseconds from spawn to the first console byte, once there is one. */
  readonly firstOutputMs: number | null;
  readonly exited: Promise<ExitInfo>;
  /** Ends QEMU (SIGTERM, then SIGKILL after a grace period); resolves when it is gone. */
  stop(): Promise<ExitInfo>;
}

export class EmulatorError extends Error {
  override name = "EmulatorError";
}

/** Null when the profile's QEMU is installed; otherwise the command that installs it. */
export function missingQemu(profile: BoardProfile = CUBIEBOARD2): string | null {
  const r = spawnSync(profile.qemu, ["--version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? "apt-get install -y qemu-system-arm" : null;
}

/** Boots an image in QEMU. The launcher owns QEMU: stop() or the image's exit ends it. */
export function launch(options: LaunchOptions): Board {
  const profile = options.profile ?? CUBIEBOARD2;
  const missing = missingQemu(profile);
  if (missing) throw new EmulatorError(`${profile.qemu} is not installed: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), "morgana-board-"));
  let seedPath: string | null = null;
  if (options.seed !== false) {
    seedPath = join(dir, "seed.bin");
    writeFileSync(seedPath, seedFile(), { mode: 0o600 });
  }
  const started = performance.now();
  const child: ChildProcess = spawn(profile.qemu, qemuArgs(options.image, seedPath, options.net), {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  let firstOutputMs: number | null = null;
  let stderr = "";
  let stopped = false;
  child.stdout?.on("data", (chunk: Buffer) => {
    firstOutputMs ??= performance.now() - started;
    options.onOutput?.(chunk);
    partial += chunk.toString("utf8");
    let nl = partial.indexOf("\n");
    while (nl >= 0) {
      const line = partial.slice(0, nl).replace(/\r$/, "");
      partial = partial.slice(nl + 1);
      lines.push(line);
      options.onLine?.(line);
      nl = partial.indexOf("\n");
    }
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<ExitInfo>((resolve, reject) => {
    child.once("error", (err) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new EmulatorError(`cannot start ${profile.qemu}: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      if (partial !== "") {
        lines.push(partial.replace(/\r$/, ""));
        options.onLine?.(lines[lines.length - 1] as string);
        partial = "";
      }
      // QEMU's own failures (bad image, bad option) come on stderr with exit 1.
      if (code === 1 && stderr.includes("qemu-system")) {
        reject(new EmulatorError(stderr.trim()));
        return;
      }
      resolve({ code: stopped ? null : code, signal, stopped, ms: performance.now() - started });
    });
  });
  const stop = async (): Promise<ExitInfo> => {
    if (child.exitCode === null && child.signalCode === null) {
      stopped = true;
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 2000);
      try {
        return await exited;
      } finally {
        clearTimeout(kill);
      }
    }
    return exited;
  };
  return {
    pid: child.pid,
    lines,
    get firstOutputMs() {
      return firstOutputMs;
    },
    exited,
    stop,
  };
}
