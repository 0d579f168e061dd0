import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
export const MORGANA = join(REPO, "tool", "bin", "morgana.js");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `morgana ARGS` to completion in `cwd`. */
export function morgana(args: string[], cwd: string = REPO): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MORGANA, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        done({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

/** Runs any program to completion. */
export function exec(file: string, args: string[], cwd = REPO): Promise<Result> {
  return new Promise((done) => {
    execFile(file, args, { cwd, timeout: 30_000, encoding: "buffer" }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      done({
        code: typeof code === "number" ? code : 1,
        stdout: stdout.toString("latin1"),
        stderr: stderr.toString(),
      });
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `morgana-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A long-running `morgana run`, in its own process group so a test can Ctrl-C it. */
export class Running {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [MORGANA, ...args], {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.child.stdout?.on("data", (d) => {
      this.stdout += d;
    });
    this.child.stderr?.on("data", (d) => {
      this.stderr += d;
    });
    this.exited = new Promise((done) =>
      this.child.on("exit", (code, signal) => done({ code, signal })),
    );
  }

  /** Resolves with the first match of `re` in stdout+stderr; rejects if the process exits first. */
  waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    return new Promise((done, fail) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const m = re.exec(this.stdout + this.stderr);
        if (m) {
          clearInterval(poll);
          done(m);
        } else if (this.child.exitCode !== null || Date.now() - started > timeoutMs) {
          clearInterval(poll);
          fail(
            new Error(
              `never saw ${re}; exit ${this.child.exitCode}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
            ),
          );
        }
      }, 25);
    });
  }

  /** Ctrl-C: SIGINT to the whole process group, as a terminal does. */
  interrupt(): void {
    if (this.child.pid && this.child.exitCode === null) process.kill(-this.child.pid, "SIGINT");
  }

  /** Best-effort cleanup for after-hooks. */
  kill(): void {
    try {
      if (this.child.pid && this.child.exitCode === null) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * A copy of samples/NAME in a new temp folder (`PREFIX` in its name), as a user's project
 * outside the checkout: without build output (dist, .morgana, node_modules), its tsconfig's
 * `@morgana/stack/*` path pointing at this checkout's stack. Returns the project folder.
 */
export function copySample(name: string, prefix: string): string {
  const project = join(mkdtempSync(join(tmpdir(), prefix)), name);
  cpSync(join(REPO, "samples", name), project, {
    recursive: true,
    filter: (src) => !/[\\/](dist|\.morgana|node_modules)$/.test(src),
  });
  const tsconfig = join(project, "tsconfig.json");
  writeFileSync(
    tsconfig,
    readFileSync(tsconfig, "utf8").replace("../../stack/*", join(REPO, "stack", "*")),
  );
  return project;
}

/** Does something accept TCP connections on 127.0.0.1:`port`? */
export function isListening(port: number): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}
