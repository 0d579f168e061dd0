#!/usr/bin/env node
// Runs QEMU with a --debug image's xsbug messages split off its serial line onto a local TCP
// port (emulator/src/xsbug-serial.ts); the cubieboard2 target's `morgana run --debug` runs it.
// Plain JavaScript, as Morgana's other launchers: it bundles the TypeScript when it changed.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleOnChange } from "../../tool/bin/bundle-on-change.js";

const emulatorDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const { main } = await bundleOnChange({
  name: "xsbug-serial",
  entry: join(emulatorDir, "src", "xsbug-serial.ts"),
  bundle: join(emulatorDir, "dist", "xsbug-serial.mjs"),
  srcDirs: [join(emulatorDir, "src")],
});
process.exitCode = await main(process.argv.slice(2));
