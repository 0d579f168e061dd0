import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Forward,
  qemuArgs,
  seedFile,
  unbootableInQemu,
} from "@morgana/runtime-baremetal/build";
import { type BoardProfile, CUBIEBOARD2 } from "./profiles.ts";
import { Qmp, QmpError } from "./qmp.ts";
import { SerialSplitter, XsbugBridge } from "./xsbug.ts";

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
  /** Capture the board's network traffic (both directions) into this pcap file. */
  pcap?: string;
  /**
   * For a --debug image: split XS's debugger messages off the console onto a local TCP port
   * (127.0.0.1; `port`, or a free one), where one debugger at a time speaks xsbug's protocol
   * (emulator/src/xsbug.ts). `wait` (default true): the image waits at XS's login until a
   * debugger connects; false lets it run, and a debugger may connect later.
   */
  debug?: { port?: number; wait?: boolean };
}

/** What the board is doing, as QEMU reports it (`query-status`), or that QEMU has ended. */
export type BoardState = "running" | "paused" | "exited";

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
  /** Freezes the CPU (QMP `stop`): no instruction runs, no timer fires, until resume(). */
  pause(): Promise<void>;
  /** Lets a paused CPU run on (QMP `cont`). */
  resume(): Promise<void>;
  /** Asks QEMU to quit (QMP `quit`); resolves when it is gone, as stop() does. */
  quit(): Promise<ExitInfo>;
  state(): Promise<BoardState>;
  /** With `debug`: the xsbug port (`xsbug.listening` resolves with it), else null. */
  readonly xsbug: XsbugBridge | null;
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
  const unbootable = unbootableInQemu(options.image);
  if (unbootable) throw new EmulatorError(unbootable);
  const dir = mkdtempSync(join(tmpdir(), "morgana-board-"));
  let seedPath: string | null = null;
  if (options.seed !== false) {
    seedPath = join(dir, "seed.bin");
    writeFileSync(seedPath, seedFile(), { mode: 0o600 });
  }
  // QEMU connects to our socket as it starts (QMP: pause, resume, quit, state).
  const qmpListener = Qmp.listen(join(dir, "qmp.sock"));
  const started = performance.now();
  const args = qemuArgs(options.image, seedPath, options.net, {
    qmpSocket: join(dir, "qmp.sock"),
    pcap: options.pcap,
  });
  const child: ChildProcess = spawn(profile.qemu, args, { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let firstOutputMs: number | null = null;
  let stderr = "";
  let stopped = false;
  const consoleOutput = (chunk: Buffer) => {
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
  };
  // A --debug image's debugger shares the UART: its messages go to the bridge, not the console.
  let xsbug: XsbugBridge | null = null;
  let splitter: SerialSplitter | null = null;
  if (options.debug) {
    const bridge = new XsbugBridge({ ...options.debug, write: (b) => child.stdin?.write(b) });
    child.stdin?.on("error", () => {}); // QEMU gone: the board's exit reports it
    splitter = new SerialSplitter({
      console: consoleOutput,
      message: (m, machine) => bridge.fromBoard(m, machine),
      gone: () => bridge.machineGone(),
    });
    xsbug = bridge;
  }
  child.stdout?.on("data", (chunk: Buffer) => {
    firstOutputMs ??= performance.now() - started;
    if (splitter) splitter.push(chunk);
    else consoleOutput(chunk);
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<ExitInfo>((resolve, reject) => {
    child.once("error", (err) => {
      qmpListener.close();
      xsbug?.close();
      rmSync(dir, { recursive: true, force: true });
      reject(new EmulatorError(`cannot start ${profile.qemu}: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      qmpListener.close();
      void qmpListener.connected.then(
        (q) => q.end(),
        () => {},
      );
      rmSync(dir, { recursive: true, force: true });
      splitter?.flush();
      xsbug?.close();
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
  const alive = () => child.exitCode === null && child.signalCode === null;
  /** A QMP command on a running QEMU; a clear error once it has ended. */
  const qmp = async (command: string): Promise<unknown> => {
    if (!alive()) throw new EmulatorError(`the board has exited; cannot ${command}`);
    try {
      return await (await qmpListener.connected).command(command);
    } catch (err) {
      if (err instanceof QmpError) throw new EmulatorError(`QMP ${command}: ${err.message}`);
      throw err;
    }
  };
  const quit = async (): Promise<ExitInfo> => {
    if (!alive()) return exited;
    stopped = true;
    // QEMU answers, then exits; the connection may close before the answer arrives.
    await qmp("quit").catch(() => {});
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    try {
      return await exited;
    } finally {
      clearTimeout(kill);
    }
  };
  return {
    pid: child.pid,
    lines,
    get firstOutputMs() {
      return firstOutputMs;
    },
    exited,
    stop,
    xsbug,
    pause: async () => {
      await qmp("stop");
    },
    resume: async () => {
      await qmp("cont");
    },
    quit,
    state: async () => {
      try {
        const status = (await qmp("query-status")) as { running: boolean };
        return status.running ? "running" : "paused";
      } catch (err) {
        if (!alive()) return "exited"; // it ended before or while we asked
        throw err;
      }
    },
  };
}
