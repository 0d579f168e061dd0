#!/usr/bin/env node
// `npm test`: set-up, then type-check, lint and format check, then the mocha suites.
// `npm run test:unit` (`--unit`): the fast subset, unit tests only.
// Anything else is handed to mocha: `npm test -- --grep http` filters tests by name.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "./setup.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const mochaArgs = args.filter((a) => a !== "--unit");
const filtered = mochaArgs.some((a) => a === "--grep" || a === "-g" || a.startsWith("--grep="));

setup();

const bin = (name) => join(root, "node_modules", ".bin", name);

function step(label, cmd, cmdArgs) {
  const started = Date.now();
  process.stderr.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`\n== ${label}: FAILED\n`);
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`== ${label}: ok (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

// Static checks run on the full suite, not on a filtered or unit-only run.
if (!unitOnly && !filtered) {
  step("layers (imports point down: docs/architecture.md)", process.execPath, [
    "scripts/check-layers.mjs",
  ]);
  step("type-check: stack (ES2022 only, no Node)", bin("tsc"), ["-p", "stack/tsconfig.json"]);
  step("type-check: config model (ES2022 only, no Node)", bin("tsc"), [
    "-p",
    "tool/src/config/tsconfig.json",
  ]);
  step("type-check: everything", bin("tsc"), ["-p", "tsconfig.json"]);
  step("type-check: the VS Code extension (with the vscode API types)", bin("tsc"), [
    "-p",
    "extension/tsconfig.json",
  ]);
  step("lint and format (biome)", bin("biome"), ["check", "."]);
}

const specs = unitOnly
  ? ["test/unit/**/*.test.ts"]
  : ["test/unit/**/*.test.ts", "test/e2e/**/*.test.ts"];
process.stderr.write(`\n== ${unitOnly ? "unit tests" : "unit and end-to-end tests"}\n`);
const mocha = spawn(
  bin("mocha"),
  [
    "--import=tsx",
    "--reporter",
    "spec",
    "--timeout",
    "20000",
    process.stdout.isTTY ? "--color" : "--no-color",
    ...specs,
    ...mochaArgs,
  ],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
);
let out = "";
mocha.stdout.on("data", (d) => {
  out += d;
  process.stdout.write(d);
});
mocha.on("close", (code) => {
  const count = (re) => Number(re.exec(out)?.[1] ?? 0);
  const passed = count(/(\d+) passing/);
  const failed = count(/(\d+) failing/);
  // The plain closing line CI reads.
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(code ?? 1);
});
