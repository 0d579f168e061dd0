import { type ParseArgsConfig, parseArgs } from "node:util";
import type { RunOptions } from "./types.ts";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ExtraOption {
  type: "string" | "boolean";
  help: string;
  default?: string | boolean;
}

const common: Record<string, ExtraOption> = {
  rounds: { type: "string", help: "measured rounds per side, interleaved A B A B", default: "5" },
  warmup: { type: "string", help: "unrecorded warm-up rounds per side", default: "1" },
  json: { type: "boolean", help: "print the JSON result on stdout (progress stays on stderr)" },
  "results-dir": {
    type: "string",
    help: "where the JSON result file is written ('' for none)",
    default: "bench/results",
  },
  help: { type: "boolean", help: "show this help" },
};

export class UsageError extends Error {}

function positiveInt(name: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UsageError(
      `--${name} wants a ${allowZero ? "non-negative" : "positive"} integer, got '${text}'`,
    );
  }
  return n;
}

/**
 * Parses the runner's options plus a benchmark's own. Prints usage and exits on --help;
 * throws UsageError on a bad option.
 */
export function parseBenchArgs(
  usage: string,
  extra: Record<string, ExtraOption>,
  argv: string[] = process.argv.slice(2),
): { run: RunOptions; values: Record<string, string | boolean | undefined> } {
  const all = { ...common, ...extra };
  const options: OptionSpec = {};
  for (const [name, o] of Object.entries(all)) {
    options[name] =
      o.default === undefined ? { type: o.type } : { type: o.type, default: o.default as never };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    const lines = [usage, "", "Options:"];
    for (const [name, o] of Object.entries(all)) {
      const flag = o.type === "string" ? `--${name} <value>` : `--${name}`;
      const def = o.default === undefined ? "" : ` (default: ${JSON.stringify(o.default)})`;
      lines.push(`  ${flag.padEnd(26)} ${o.help}${def}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exit(0);
  }
  const resultsDir = String(values["results-dir"] ?? "");
  return {
    run: {
      rounds: positiveInt("rounds", String(values.rounds)),
      warmup: positiveInt("warmup", String(values.warmup), true),
      json: values.json === true,
      resultsDir: resultsDir === "" ? null : resultsDir,
    },
    values,
  };
}

export { positiveInt };
