/**
 * The adapter as a program: DAP over stdin and stdout (`debugger/bin/morgana-debug-adapter.js`,
 * as an editor starts it). Standard output carries the protocol and nothing else, so anything
 * a library would print there goes to standard error instead.
 */
import { format } from "node:util";
import { DebugSession } from "@vscode/debugadapter";
import { MorganaDebugSession } from "./session.ts";

export function startAdapter(): void {
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(`${format(...args)}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  DebugSession.run(MorganaDebugSession);
}
