import { parseArgs } from "node:util";
import { suggest } from "../config/index.ts";
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

/** The closest candidate, for did-you-mean hints: the same rule as unikernel.yaml's. */
export const closest = (word: string, candidates: readonly string[]): string | undefined =>
  suggest(word, candidates);

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
