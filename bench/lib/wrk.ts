import { execFile } from "node:child_process";
import { BenchSetupError, requireTool } from "./process.ts";

export const WRK_INSTALL = "sudo apt-get install wrk";

export interface WrkOptions {
  threads: number;
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  seconds: number;
  bytesRead: number;
  transferPerSec: number;
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with status >= 400 (wrk's "Non-2xx or 3xx responses"). */
  non2xx3xx: number;
}

export class WrkError extends Error {}

const timeUnits: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const sizeUnits: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

function time(value: string, unit: string): number {
  const factor = timeUnits[unit];
  if (factor === undefined) throw new WrkError(`unknown wrk time unit '${unit}'`);
  return Number(value) * factor;
}

function size(value: string, unit: string): number {
  const factor = sizeUnits[unit];
  if (factor === undefined) throw new WrkError(`unknown wrk size unit '${unit}'`);
  return Number(value) * factor;
}

/** Parses wrk 4's text report. Throws WrkError if a line it needs is missing. */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(text);
  if (!rps) throw new WrkError(`no 'Requests/sec' line in wrk's output:\n${text}`);
  const total =
    /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read\s*$/m.exec(text);
  if (!total) throw new WrkError(`no 'N requests in T, B read' line in wrk's output:\n${text}`);
  const transfer = /^Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB|TB)\s*$/m.exec(text);
  const latency = /^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m|h)/m.exec(
    text,
  );
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const [, reqs = "0", t = "0", tUnit = "s", b = "0", bUnit = "B"] = total;
  return {
    requestsPerSec: Number(rps[1]),
    requests: Number(reqs),
    seconds: time(t, tUnit) / 1000,
    bytesRead: size(b, bUnit),
    transferPerSec: transfer ? size(transfer[1] ?? "0", transfer[2] ?? "B") : 0,
    latencyAvgMs: latency ? time(latency[1] ?? "0", latency[2] ?? "ms") : null,
    latencyMaxMs: latency ? time(latency[3] ?? "0", latency[4] ?? "ms") : null,
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
    non2xx3xx: Number(non2xx?.[1] ?? 0),
  };
}

/**
 * Throws WrkError if the run had any error response or socket error, or served nothing: a
 * server answering errors fast is not fast.
 */
export function assertCleanRun(result: WrkResult, who: string, raw: string): void {
  const problems: string[] = [];
  if (result.non2xx3xx > 0) problems.push(`${result.non2xx3xx} responses with status >= 400`);
  const s = result.socketErrors;
  if (s.connect + s.read + s.write + s.timeout > 0) {
    problems.push(
      `socket errors: connect ${s.connect}, read ${s.read}, write ${s.write}, timeout ${s.timeout}`,
    );
  }
  if (result.requests === 0) problems.push("no request completed");
  if (problems.length > 0) {
    throw new WrkError(
      `wrk against ${who} reported errors; the figure would be meaningless:\n  ${problems.join("\n  ")}\nwrk's output:\n${raw}`,
    );
  }
}

/** Runs wrk against `url` and returns the parsed report plus its raw text. */
export function runWrk(url: string, o: WrkOptions): Promise<{ result: WrkResult; raw: string }> {
  const wrk = requireTool("wrk", WRK_INSTALL);
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.duration}s`, "--latency", url];
  return new Promise((resolve, reject) => {
    execFile(
      wrk,
      args,
      { encoding: "utf8", timeout: (o.duration + 30) * 1000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new BenchSetupError(
              `'wrk ${args.join(" ")}' failed: ${err.message}\n${stdout}${stderr}`,
            ),
          );
          return;
        }
        try {
          resolve({ result: parseWrkOutput(stdout), raw: stdout });
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}

/** "debian/4.1.0-3+b2" or the like; null if wrk is missing. */
export function wrkVersion(): Promise<string | null> {
  let wrk: string;
  try {
    wrk = requireTool("wrk", WRK_INSTALL);
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    execFile(wrk, ["--version"], { encoding: "utf8" }, (_err, stdout, stderr) => {
      const m = /wrk (\S+)/.exec(`${stdout}${stderr}`);
      resolve(m?.[1] ?? null);
    });
  });
}
