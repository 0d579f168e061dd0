import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { buildProject } from "../../build/build.ts";
import { type Command, openProject, TARGET_OPTION, targetOf } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

export const runCommand: Command = {
  spec: {
    name: "run",
    usage: "run [-t TARGET] [--no-build]",
    summary: "Builds the unikernel and boots it in the foreground.",
    details:
      "Builds (unless --no-build), then boots; the unikernel's console is this terminal.\n" +
      "Ctrl-C stops it cleanly (exit 130). Otherwise the exit code is the unikernel's.",
    positionals: [0, 0],
    options: {
      target: TARGET_OPTION,
      "no-build": { type: "boolean", help: "boot the last build as it is" },
    },
    examples: ["morgana run -t unix", "morgana run --no-build"],
  },
  async run(args, out) {
    const project = openProject(args, out);
    const output = args.values["no-build"]
      ? join("dist", targetOf(args), `${project.config.name}.mjs`)
      : (await buildProject(project, targetOf(args), out)).output;
    if (!existsSync(join(project.root, output))) {
      throw new CliError(
        `no build to boot: ${output} does not exist`,
        EXIT.failed,
        [],
        `Build it with \`morgana build -t ${targetOf(args)}\`, or drop --no-build.`,
      );
    }
    out.info(`booting ${project.config.name} on ${targetOf(args)} (Ctrl-C stops it)`);
    const child = spawn(process.execPath, ["--enable-source-maps", join(project.root, output)], {
      cwd: project.root,
      // With --json, stdout carries only the JSON result: the console goes to stderr.
      stdio: out.json ? ["inherit", process.stderr, "inherit"] : "inherit",
    });
    // Ctrl-C reaches the whole foreground group: the unikernel shuts down on its own; we
    // only wait for it. A SIGTERM sent to us alone is passed on.
    const onSigint = () => {};
    const onSigterm = () => child.kill("SIGTERM");
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    const code = await new Promise<number>((resolve) => {
      child.on("error", () => resolve(EXIT.failed));
      child.on("exit", (status, signal) => {
        if (status !== null) resolve(status);
        // Killed by a signal: the shell's convention, 128 + its number (SIGINT: 130).
        else resolve(128 + (signal ? (constants.signals[signal] ?? 15) : 15));
      });
    });
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    out.result({ ok: code === 0, exitCode: code });
    return code;
  },
};
