import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "./args.ts";
import { BenchSetupError, progress } from "./process.ts";
import { max, median, min } from "./stats.ts";
import type {
  Benchmark,
  BenchResult,
  Comparison,
  Measurement,
  RunOptions,
  SideSummary,
} from "./types.ts";
import { WrkError } from "./wrk.ts";

/** The repository root (bench/lib/ is two levels down). */
export const repoRoot = resolve(import.meta.dirname, "..", "..");

export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    commit,
  };
}

function fmt(n: number): string {
  if (n >= 1000) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

function summarize(bench: Benchmark, measured: Map<string, Measurement[]>): SideSummary[] {
  return bench.sides.map((side) => {
    const ms = measured.get(side.name) ?? [];
    const first = ms[0];
    if (!first) throw new Error(`no measurement for ${side.name}`);
    for (const m of ms) {
      if (m.unit !== first.unit || m.higherIsBetter !== first.higherIsBetter) {
        throw new Error(`${side.name} measured in mixed units (${first.unit}, ${m.unit})`);
      }
    }
    const values = ms.map((m) => m.value);
    return {
      name: side.name,
      role: side.role,
      ...(side.describe === undefined ? {} : { describe: side.describe }),
      unit: first.unit,
      higherIsBetter: first.higherIsBetter,
      values,
      median: median(values),
      min: min(values),
      max: max(values),
      measurements: ms,
    };
  });
}

function compare(bench: Benchmark, sides: SideSummary[]): Comparison[] {
  const ours = sides.find((s) => s.role === "ours");
  if (!ours) throw new Error("no side with role 'ours'");
  return sides
    .filter((s) => s.role === "peer")
    .map((peer) => {
      if (peer.unit !== ours.unit || peer.higherIsBetter !== ours.higherIsBetter) {
        throw new Error(
          `cannot compare ${ours.name} (${ours.unit}) with ${peer.name} (${peer.unit})`,
        );
      }
      const ratio = ours.median / peer.median;
      const speedup = ours.higherIsBetter ? ratio : 1 / ratio;
      return {
        peer: peer.name,
        ratio,
        speedup,
        ...(bench.target === undefined ? {} : { meetsTarget: speedup >= bench.target }),
      };
    });
}

/** Human table of a result, for stdout. */
export function formatResult(r: BenchResult): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(`${r.benchmark}: ${r.description}`);
  lines.push(
    `machine: ${m.cpu}, ${m.cores} cores, ${m.os}, node ${m.node}, load ${(m.loadAverageAtStart as number[]).join(" ")}`,
  );
  lines.push(
    `rounds: ${r.options.rounds} (+${r.options.warmup} warm-up), ${Object.entries(r.parameters)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  const nameWidth = Math.max(6, ...r.sides.map((s) => s.name.length));
  const unit = r.sides[0]?.unit ?? "";
  const dir = r.sides[0]?.higherIsBetter ? "higher is better" : "lower is better";
  lines.push("");
  lines.push(
    `${"side".padEnd(nameWidth)}  ${"median".padStart(10)}  ${"min".padStart(10)}  ${"max".padStart(10)}  (${unit}, ${dir})`,
  );
  for (const s of r.sides) {
    lines.push(
      `${s.name.padEnd(nameWidth)}  ${fmt(s.median).padStart(10)}  ${fmt(s.min).padStart(10)}  ${fmt(s.max).padStart(10)}`,
    );
  }
  const ours = r.sides.find((s) => s.role === "ours")?.name ?? "ours";
  lines.push("");
  for (const c of r.comparisons) {
    const target =
      c.meetsTarget === undefined
        ? ""
        : `  target >= ${r.target}: ${c.meetsTarget ? "met" : "NOT MET"}`;
    lines.push(`ratio ${ours}/${c.peer} (medians): ${c.ratio.toFixed(3)}${target}`);
  }
  for (const s of r.sides) {
    if (s.describe) lines.push(`  ${s.name}: ${s.describe}`);
  }
  return lines.join("\n");
}

type Cleanup = () => Promise<void>;
const pendingCleanups = new Set<Cleanup>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      progress(`\n${sig}: stopping servers...`);
      Promise.allSettled([...pendingCleanups].map((c) => c())).finally(() => process.exit(130));
    });
  }
}

/**
 * Sets every side up, runs `warmup` then `rounds` rounds with the sides interleaved
 * (A B A B ...), tears every side down (also on failure), and returns the result.
 */
export async function runBenchmark(bench: Benchmark, o: RunOptions): Promise<BenchResult> {
  const ours = bench.sides.filter((s) => s.role === "ours");
  if (ours.length !== 1 || bench.sides.length < 2) {
    throw new Error(
      `${bench.name}: a benchmark needs exactly one 'ours' side and at least one peer`,
    );
  }
  hookSignals();
  const machine = machineInfo();
  const contexts = new Map<string, unknown>();
  const teardowns: Cleanup[] = [];
  const measured = new Map<string, Measurement[]>(bench.sides.map((s) => [s.name, []]));
  try {
    for (const side of bench.sides) {
      progress(`[${bench.name}] setting up ${side.name}...`);
      const ctx = await side.setup();
      contexts.set(side.name, ctx);
      const teardown: Cleanup = async () => {
        pendingCleanups.delete(teardown);
        await side.teardown?.(ctx);
      };
      pendingCleanups.add(teardown);
      teardowns.push(teardown);
    }
    const total = o.warmup + o.rounds;
    for (let round = 0; round < total; round++) {
      const warm = round < o.warmup;
      const label = warm
        ? `warm-up ${round + 1}/${o.warmup}`
        : `round ${round - o.warmup + 1}/${o.rounds}`;
      for (const side of bench.sides) {
        const m = await side.measure(contexts.get(side.name));
        progress(`[${bench.name}] ${label} ${side.name}: ${fmt(m.value)} ${m.unit}`);
        if (!warm) measured.get(side.name)?.push(m);
      }
    }
  } finally {
    for (const t of teardowns.reverse()) {
      try {
        await t();
      } catch (e) {
        progress(`[${bench.name}] teardown failed: ${(e as Error).message}`);
      }
    }
  }
  const sides = summarize(bench, measured);
  return {
    benchmark: bench.name,
    description: bench.description,
    date: new Date().toISOString(),
    machine,
    options: { rounds: o.rounds, warmup: o.warmup },
    parameters: bench.parameters ?? {},
    ...(bench.target === undefined ? {} : { target: bench.target }),
    sides,
    comparisons: compare(bench, sides),
  };
}

/** Writes `<dir>/<name>-<date>.json` (and `<name>-latest.json`); returns the first path. */
export function writeResult(result: BenchResult, dir: string): string {
  const abs = resolve(repoRoot, dir);
  mkdirSync(abs, { recursive: true });
  const stamp = result.date.replace(/[:.]/g, "-");
  const file = join(abs, `${result.benchmark}-${stamp}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(abs, `${result.benchmark}-latest.json`), text);
  return file;
}

/**
 * Entry point for a benchmark script: builds the benchmark from the parsed options, runs
 * it, prints the table (or JSON with --json), writes the result file. Known failures
 * (missing tool, server died, wrk errors, bad option) print a clear message and exit 1.
 */
export async function main(
  make: () =>
    | Promise<{ bench: Benchmark; run: RunOptions }>
    | { bench: Benchmark; run: RunOptions },
): Promise<void> {
  try {
    const { bench, run } = await make();
    const result = await runBenchmark(bench, run);
    if (run.resultsDir !== null) {
      const file = writeResult(result, run.resultsDir);
      progress(`[${bench.name}] result written to ${file}`);
    }
    if (run.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatResult(result)}\n`);
  } catch (e) {
    if (e instanceof UsageError) {
      progress(`error: ${e.message} (try --help)`);
      process.exit(2);
    }
    if (e instanceof BenchSetupError || e instanceof WrkError) {
      progress(`bench failed: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
