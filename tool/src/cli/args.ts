import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** One option of a command: the shape `node:util` parseArgs takes, plus help text. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Shown as `--name VALUE`. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** `morgana build -t TARGET` style synopsis, without the program name. */
  usage: string;
  /** One line, for `morgana --help`. */
  summary: string;
  /** More, for `morgana COMMAND --help`. */
  details?: string;
  /** Positional argument count bounds. */
  positionals: [min: number, max: number];
  options: Record<string, OptionSpec>;
  examples: string[];
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  project: {
    type: "string",
    short: "p",
    value: "DIR",
    help: "the project folder (default: the nearest one holding unikernel.yaml)",
  },
  json: { type: "boolean", help: "print one JSON document on stdout, for tools" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(
        cur + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate within edit distance 2, for did-you-mean hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]): Parsed {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      o.short ? { type: o.type, short: o.short } : { type: o.type },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = (err as Error).message;
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(msg);
    if (unknown) {
      const guess = closest(unknown[2] as string, Object.keys(options));
      throw new UsageError(
        `unknown option ${unknown[1]}${unknown[2]} for \`morgana ${spec.name}\`${guess ? ` (did you mean --${guess}?)` : ""}`,
        `Run \`morgana ${spec.name} --help\` for its options.`,
      );
    }
    throw new UsageError(
      `${msg.split("\n")[0]} (morgana ${spec.name})`,
      `Run \`morgana ${spec.name} --help\`.`,
    );
  }
  const values = parsed.values as Parsed["values"];
  if (!values.help) {
    const [min, max] = spec.positionals;
    const n = parsed.positionals.length;
    if (n < min) throw new UsageError(`missing argument: usage: morgana ${spec.usage}`);
    if (n > max)
      throw new UsageError(
        `unexpected argument "${parsed.positionals[max]}": usage: morgana ${spec.usage}`,
      );
  }
  return { values, positionals: parsed.positionals };
}

export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
    return `  ${flag.padEnd(26)} ${o.help}`;
  });
  return [
    `Usage: morgana ${spec.usage}`,
    "",
    spec.summary,
    ...(spec.details ? ["", spec.details] : []),
    "",
    "Options:",
    ...rows,
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}
