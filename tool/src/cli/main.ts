import { readFileSync } from "node:fs";
import { checkoutPath } from "../checkout.ts";
import { closest, commandHelp, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";
import { buildCommand } from "./commands/build.ts";
import { certCommand } from "./commands/cert.ts";
import { cleanCommand } from "./commands/clean.ts";
import { configureCommand } from "./commands/configure.ts";
import { describeCommand } from "./commands/describe.ts";
import { newCommand } from "./commands/new.ts";
import { runCommand } from "./commands/run.ts";
import { targetsCommand } from "./commands/targets.ts";
import { traceCommand } from "./commands/trace.ts";
import { EXIT, UsageError } from "./errors.ts";
import { Output } from "./output.ts";

const COMMANDS: Command[] = [
  newCommand,
  configureCommand,
  buildCommand,
  runCommand,
  cleanCommand,
  targetsCommand,
  describeCommand,
  certCommand,
  traceCommand,
];

function version(): string {
  return JSON.parse(readFileSync(checkoutPath("tool", "package.json"), "utf8")).version;
}

function mainHelp(): string {
  return [
    "morgana: build and boot TypeScript unikernels",
    "",
    "Usage: morgana COMMAND [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(10)} ${c.spec.summary}`),
    "",
    "Every command takes --help, --json (one JSON document on stdout) and -p/--project DIR.",
    "Exit codes: 0 ok, 1 failed, 2 bad command line, 3 invalid unikernel.yaml, 130 Ctrl-C.",
    "",
    "Examples:",
    "  morgana new static-website my-site && cd my-site",
    "  morgana run -t unix",
    "  morgana describe --dot | dot -Tsvg > devices.svg",
    "",
    "Docs: docs/cli.md and docs/config.md in the Morgana checkout.",
    "",
  ].join("\n");
}

/** A reader that went away (`morgana targets | head`) ends us quietly, like other Unix tools. */
function quietOnClosedPipe(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const json = argv.includes("--json");
  const out = new Output(json);
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
      process.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (!command) {
      const guess = closest(
        name,
        COMMANDS.map((c) => c.spec.name),
      );
      throw new UsageError(
        `unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
        "Run `morgana --help` for the list.",
      );
    }
    const args = parseCommandArgs(command.spec, rest);
    if (args.values.help) {
      process.stdout.write(commandHelp(command.spec));
      return EXIT.ok;
    }
    return await command.run(args, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.usage(err.message, err.hint);
      return EXIT.usage;
    }
    // A bug of ours: say so, with the trace, so it can be reported.
    process.stderr.write(`morgana: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}
