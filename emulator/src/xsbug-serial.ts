import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { SerialSplitter, XsbugBridge } from "./xsbug.ts";

/**
 * `node emulator/bin/xsbug-serial.js [--port N] [--no-wait] -- QEMU ARGS...`: runs QEMU (its
 * serial line on stdio) and splits a --debug image's xsbug messages off the console onto a
 * local TCP port, as the launcher's `debug` option does. The cubieboard2 target's launch plan
 * runs this for `morgana run --debug`, so the CLI and editors see the console on stdout as
 * for any boot, and read the port from one line on stderr:
 *
 *   xsbug on 127.0.0.1:PORT
 *
 * SIGINT and SIGTERM are passed to QEMU; the exit code is QEMU's (the image's own), or
 * 128 + the signal's number when QEMU was killed by one.
 */

/** The line that announces the port (stderr); editors match it. */
export const ANNOUNCE = /^xsbug on 127\.0\.0\.1:(\d+)/m;

interface Args {
  port: number;
  wait: boolean;
  command: string[];
}

function parse(argv: string[]): Args {
  const at = argv.indexOf("--");
  if (at < 0 || at === argv.length - 1) throw new Error("expected -- and a QEMU command line");
  const args: Args = { port: 0, wait: true, command: argv.slice(at + 1) };
  const own = argv.slice(0, at);
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    if (a === "--no-wait") args.wait = false;
    else if (a === "--port" && i + 1 < own.length) {
      args.port = Number(own[++i]);
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
        throw new Error(`--port takes a TCP port, not ${own[i]}`);
      }
    } else throw new Error(`unexpected ${a}`);
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(
      `xsbug-serial: ${(err as Error).message}\nusage: xsbug-serial [--port N] [--no-wait] -- QEMU ARGS...\n`,
    );
    return 2;
  }
  const [command, ...rest] = args.command as [string, ...string[]];
  const child: ChildProcess = spawn(command, rest, { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin?.on("error", () => {});
  const bridge = new XsbugBridge({
    port: args.port,
    wait: args.wait,
    write: (bytes) => child.stdin?.write(bytes),
  });
  const splitter = new SerialSplitter({
    console: (bytes) => process.stdout.write(bytes),
    message: (m, machine) => bridge.fromBoard(m, machine),
    gone: () => bridge.machineGone(),
  });
  child.stdout?.on("data", (chunk: Buffer) => splitter.push(chunk));
  bridge.listening.then(
    (port) => {
      const how = args.wait
        ? "the unikernel starts once a debugger connects"
        : "a debugger may connect at any time";
      process.stderr.write(`xsbug on 127.0.0.1:${port} (${how})\n`);
    },
    (err: Error) => {
      process.stderr.write(
        `xsbug-serial: cannot listen on 127.0.0.1:${args.port}: ${err.message}\n`,
      );
      child.kill("SIGTERM");
    },
  );
  const pass = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onInt = pass("SIGINT");
  const onTerm = pass("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const code = await new Promise<number>((resolve) => {
    child.on("error", (err) => {
      process.stderr.write(`xsbug-serial: cannot start ${command}: ${err.message}\n`);
      resolve(127);
    });
    child.on("close", (status, signal) =>
      resolve(status ?? 128 + (signal ? (constants.signals[signal] ?? 15) : 15)),
    );
  });
  process.off("SIGINT", onInt);
  process.off("SIGTERM", onTerm);
  splitter.flush();
  bridge.close();
  return code;
}
