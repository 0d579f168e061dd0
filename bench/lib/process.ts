import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createServer, Socket } from "node:net";
import { delimiter, join } from "node:path";

/** Raised when the bench cannot run at all (missing tool, busy port, server died). */
export class BenchSetupError extends Error {}

/** Absolute path of `tool` on PATH, or a BenchSetupError saying how to install it. */
export function requireTool(tool: string, installHint: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new BenchSetupError(
    `'${tool}' is not installed (not found on PATH). Install it with:\n  ${installHint}`,
  );
}

/** Progress for humans: always stderr, so `--json` output on stdout stays clean. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A free TCP port on 127.0.0.1, as the kernel hands it out now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function portAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * Fails if a server already listens on host:port: the bench would measure that one instead
 * of the one it starts.
 */
export async function assertPortFree(host: string, port: number, who: string): Promise<void> {
  if (await portAccepts(host, port)) {
    throw new BenchSetupError(
      `port ${host}:${port} (for ${who}) already accepts connections: another server is running there. ` +
        "Stop it (or configure another port) and run again.",
    );
  }
}

export interface Server {
  name: string;
  child: ChildProcess;
  host: string;
  port: number;
  /** Last lines the process wrote, for error messages. */
  output(): string;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  host: string;
  port: number;
  /** How long to wait for the port to accept connections. */
  timeoutMs?: number;
}

/**
 * Starts a server process and resolves once its port accepts connections. Rejects (and
 * kills it) if it exits first or the port stays closed past the timeout.
 */
export async function startServer(o: StartOptions): Promise<Server> {
  await assertPortFree(o.host, o.port, o.name);
  const child = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: string | null = null;
  child.once("exit", (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
  });
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  spawnError.catch(() => {});
  const server: Server = { name: o.name, child, host: o.host, port: o.port, output: () => tail };
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  try {
    for (;;) {
      if (exited !== null) {
        throw new BenchSetupError(
          `${o.name} exited (${exited}) before accepting connections on ${o.host}:${o.port}. Its output:\n${tail}`,
        );
      }
      const ok = await Promise.race([portAccepts(o.host, o.port), spawnError]);
      if (ok) break;
      if (Date.now() > deadline) {
        throw new BenchSetupError(
          `${o.name} did not accept connections on ${o.host}:${o.port} within ${(o.timeoutMs ?? 15_000) / 1000} s. Its output:\n${tail}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stopServer(server);
    throw e;
  }
  return server;
}

/** Fails if the server has exited since it started (e.g. crashed under load). */
export function assertAlive(server: Server): void {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new BenchSetupError(
      `${server.name} has exited (${server.child.signalCode ?? `code ${server.child.exitCode}`})${server.child.exitCode === 143 ? ": something outside the bench sent it SIGTERM" : ""}. Its output:\n${server.output()}`,
    );
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopServer(server: Server, graceMs = 3000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Runs a command to completion with inherited stderr; throws with its output on failure. */
export function runCommand(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new BenchSetupError(
      `'${[command, ...args].join(" ")}' (in ${cwd}) failed with status ${err.status}:\n${err.stdout ?? ""}${err.stderr ?? ""}`,
    );
  }
}
