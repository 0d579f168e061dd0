import { stateLine, summarizeTrace } from "../../api/trace-summary.ts";
import type { Command } from "../command.ts";
import { bold, dim } from "../output.ts";

export const traceCommand: Command = {
  spec: {
    name: "trace",
    usage: "trace FILE",
    summary: "Summarizes a trace file from `run --trace`: each connection and session.",
    details:
      "For each TLS session, TCP connection and HTTP connection in FILE: its events and how long\n" +
      "they spanned, its last state, and its alerts, retransmissions and timeouts. With --json,\n" +
      "the same as data. The format: docs/trace.md.",
    positionals: [1, 1],
    options: {},
    examples: ["morgana run -t direct --trace t.jsonl", "morgana trace t.jsonl --json"],
  },
  async run(args, out) {
    const result = summarizeTrace(String(args.positionals[0]));
    if (!result.ok) return out.finish(result);
    for (const item of result.items) {
      out.print(
        `${bold(`${item.layer} ${item.id}`)}  ${dim(`${item.events} events, ${item.durationMs.toFixed(3)} ms`)}`,
      );
      out.print(`  ${stateLine(item)}`);
      for (const n of item.notable) {
        out.print(
          `  ${dim(`+${n.atMs.toFixed(3)} ms`)} ${n.name} ${n.detail ? JSON.stringify(n.detail) : ""}`.trimEnd(),
        );
      }
    }
    const bad = result.badLines > 0 ? `, ${result.badLines} lines that are not events` : "";
    out.print(
      dim(`${result.events} events, ${result.items.length} connections and sessions${bad}`),
    );
    return out.finish(result);
  },
};
