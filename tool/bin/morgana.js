#!/usr/bin/env node
// The `morgana` launcher: plain JavaScript so it runs on a fresh checkout with only Node.
// It bundles the CLI's TypeScript with esbuild when the sources are newer than the bundle
// (a few tens of milliseconds), then runs the bundle.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleOnChange } from "./bundle-on-change.js";

const toolDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const { main } = await bundleOnChange({
  name: "morgana",
  entry: join(toolDir, "src", "cli", "main.ts"),
  bundle: join(toolDir, "dist", "morgana.mjs"),
  // The CLI bundles the stack and the runtimes it imports: a change there rebuilds it too.
  srcDirs: [join(toolDir, "src"), join(toolDir, "..", "stack"), join(toolDir, "..", "runtime")],
});
process.exitCode = await main(process.argv.slice(2));
