#!/usr/bin/env node
// The `morgana` launcher: plain JavaScript so it runs on a fresh checkout with only Node.
// It bundles the CLI's TypeScript with esbuild when the sources are newer than the bundle
// (a few tens of milliseconds), then runs the bundle.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const toolDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(toolDir, "src");
const bundle = join(toolDir, "dist", "morgana.mjs");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function bundleMtime() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return -1;
  }
}

if (bundleMtime() < newestMtime(srcDir)) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    process.stderr.write(
      "morgana: esbuild is not installed; run `npm install` in the Morgana checkout first.\n",
    );
    process.exit(1);
  }
  await esbuild.build({
    entryPoints: [join(srcDir, "cli", "main.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    logLevel: "error",
  });
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
