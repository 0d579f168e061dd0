#!/usr/bin/env node
// `npm start`: the quickstart's main job. Sets up, then builds and boots the static-website
// sample on the unix target; it prints its URL once it listens. Ctrl-C stops it.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "./setup.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
setup({ debian: false });

const child = spawn(
  process.execPath,
  [
    join(root, "tool", "bin", "morgana.js"),
    "run",
    "-t",
    "unix",
    "-p",
    join(root, "samples", "static-website"),
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
process.on("SIGINT", () => {}); // the unikernel gets Ctrl-C too and stops by itself
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) =>
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 15) : 15)),
);
