/** One measurement of one side in one round. */
export interface Measurement {
  value: number;
  /** e.g. "req/s", "ms", "MB/s". */
  unit: string;
  higherIsBetter: boolean;
  /** Anything else worth keeping in the JSON result (latency, bytes read, raw tool output). */
  details?: Record<string, unknown>;
}

/**
 * One side of a benchmark: ours, or a peer we compare against. `setup` runs once before the
 * rounds (start a server, wait for its port), `measure` once per round, `teardown` once at
 * the end, even if a round failed.
 */
export interface Side<Ctx = unknown> {
  name: string;
  role: "ours" | "peer";
  /** One line saying what exactly runs on this side (command, version). */
  describe?: string;
  setup(): Promise<Ctx>;
  measure(ctx: Ctx): Promise<Measurement>;
  teardown?(ctx: Ctx): Promise<void>;
}

export interface Benchmark {
  name: string;
  description: string;
  /** Exactly one side with role "ours", one or more with role "peer". */
  // biome-ignore lint/suspicious/noExplicitAny: each side has its own context type
  sides: Side<any>[];
  /** The ratio ours/peer we aim for (in the better direction); reported, not enforced. */
  target?: number;
  /** Parameters worth recording with the result (concurrency, duration...). */
  parameters?: Record<string, unknown>;
}

export interface RunOptions {
  rounds: number;
  /** Unrecorded rounds before the measured ones (JIT warm-up, caches). */
  warmup: number;
  /** Print the JSON result to stdout instead of the table. */
  json: boolean;
  /** Where the JSON result file goes; null: don't write one. */
  resultsDir: string | null;
}

export interface SideSummary {
  name: string;
  role: "ours" | "peer";
  describe?: string;
  unit: string;
  higherIsBetter: boolean;
  values: number[];
  median: number;
  min: number;
  max: number;
  measurements: Measurement[];
}

export interface Comparison {
  peer: string;
  /** median(ours) / median(peer). */
  ratio: number;
  /** Ratio in the better direction: >1 means ours is better whatever the unit's direction. */
  speedup: number;
  meetsTarget?: boolean;
}

export interface BenchResult {
  benchmark: string;
  description: string;
  date: string;
  machine: Record<string, unknown>;
  options: { rounds: number; warmup: number };
  parameters: Record<string, unknown>;
  target?: number;
  sides: SideSummary[];
  comparisons: Comparison[];
}
