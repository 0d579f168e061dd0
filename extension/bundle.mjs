#!/usr/bin/env node
// Bundles the extension (src/extension.ts and vscode-languageclient) into one CommonJS file,
// dist/extension.cjs, the only code the .vsix ships. `--package` then makes dist/morgana.vsix.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

export async function bundle() {
  await build({
    entryPoints: [join(here, "src", "extension.ts")],
    outfile: join(here, "dist", "extension.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    sourcemap: true,
    logLevel: "warning",
  });
}

/** Bundles, then packs the bundle and the manifest's assets into dist/morgana.vsix. */
export async function packageVsix() {
  await bundle();
  const out = join(here, "dist", "morgana.vsix");
  const vsce = join(here, "..", "node_modules", ".bin", "vsce");
  execFileSync(vsce, ["package", "--no-dependencies", "--allow-missing-repository", "--out", out], {
    cwd: here,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--package")) console.log(await packageVsix());
  else await bundle();
}
