import { run } from "../../api/index.ts";
import {
  BUILD_FLAG_OPTIONS,
  buildFlagsOf,
  type Command,
  projectDir,
  TARGET_OPTION,
  targetOf,
} from "../command.ts";

export const runCommand: Command = {
  spec: {
    name: "run",
    usage: "run [-t TARGET] [--no-build] [--debug] [--snapshot] [--pcap FILE] [--trace FILE]",
    summary: "Builds the unikernel and boots it in the foreground.",
    details:
      "Builds (unless --no-build), then boots; the unikernel's console is this terminal.\n" +
      "Ctrl-C stops it cleanly (exit 130). Otherwise the exit code is the unikernel's.",
    positionals: [0, 0],
    options: {
      target: TARGET_OPTION,
      "no-build": { type: "boolean", help: "boot the last build as it is" },
      ...BUILD_FLAG_OPTIONS,
      pcap: {
        type: "string",
        value: "FILE",
        help: "capture the unikernel's network traffic into FILE (pcap; cubieboard2)",
      },
      trace: {
        type: "string",
        value: "FILE",
        help: "write the protocol cores' trace events into FILE, one JSON line each (unix, direct)",
      },
    },
    examples: [
      "morgana run -t unix",
      "morgana run --no-build",
      "morgana run -t cubieboard2 --pcap boot.pcap",
      "morgana run -t unix --trace trace.jsonl",
    ],
  },
  async run(args, out) {
    const result = await run({
      projectDir: projectDir(args),
      target: targetOf(args),
      noBuild: args.values["no-build"] === true,
      flags: {
        ...buildFlagsOf(args),
        ...(typeof args.values.pcap === "string" ? { pcap: args.values.pcap } : {}),
        ...(typeof args.values.trace === "string" ? { trace: args.values.trace } : {}),
      },
      // The console is this terminal; with --json, stdout carries only the JSON result, so
      // the console goes to stderr.
      console: out.json ? "pipe" : "inherit",
      progress: out,
    });
    const instance = result.instance;
    if (!result.ok || instance === undefined) return out.finish(result);
    if (out.json) instance.onOutput((text) => process.stderr.write(text));
    out.info(`booting ${instance.name} on ${instance.target} (Ctrl-C stops it)`);
    // Ctrl-C reaches the whole foreground group: the unikernel shuts down on its own; we
    // only wait for it. A SIGTERM sent to us alone is passed on.
    const onSigint = () => {};
    const onSigterm = () => void instance.stop("SIGTERM");
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    const code = await instance.exited;
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    const meaning = instance.exitMeaning(code);
    const trace = instance.trace;
    const traceFile = typeof args.values.trace === "string" ? args.values.trace : undefined;
    if (trace && traceFile) {
      const lost = trace.dropped > 0 ? ` (${trace.dropped} dropped: the trace fell behind)` : "";
      out.info(`trace: ${trace.events} events in ${traceFile}${lost}`);
    }
    out.finish(
      { ok: code === 0, diagnostics: result.diagnostics },
      {
        exitCode: code,
        urls: instance.urls,
        ...(meaning ? { exitMeaning: meaning } : {}),
        ...(trace && traceFile ? { trace: { file: traceFile, ...trace } } : {}),
      },
    );
    return code;
  },
};
