// Shared by Morgana's launchers (plain JavaScript: they run before anything is built).
// Rebuilds a bundle with esbuild when any source under `srcDir` is newer, then imports it.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Installed and generated folders are not sources. */
const NOT_SOURCES = new Set(["node_modules", "dist", ".morgana"]);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_SOURCES.has(entry.name)) continue;
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * npm packages stay imports, resolved in the checkout's node_modules at run time; Morgana's own
 * workspace packages (`@morgana/*`) are TypeScript sources, which Node cannot import: those
 * are bundled.
 */
const npmPackagesExternal = {
  name: "npm-packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@morgana/") ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * `self-contained` bundles the dependencies too (a program shipped on its own, like the
 * language server); otherwise npm packages stay imports, resolved in the checkout.
 * @param {{ entry: string, bundle: string, srcDirs: string[], name: string, selfContained?: boolean }} options
 * @returns {Promise<Record<string, unknown>>} the bundle's module namespace
 */
export async function bundleOnChange({ entry, bundle, srcDirs, name, selfContained = false }) {
  const newest = Math.max(...srcDirs.map(newestMtime));
  if (mtime(bundle) < newest) {
    let esbuild;
    try {
      esbuild = await import("esbuild");
    } catch {
      process.stderr.write(
        `${name}: esbuild is not installed; run \`npm install\` in the Morgana checkout first.\n`,
      );
      process.exit(1);
    }
    await esbuild.build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      ...(selfContained
        ? {
            // Bundled CommonJS dependencies require Node's built-ins: give them a require.
            banner: {
              js: 'import { createRequire as __morganaRequire } from "node:module"; const require = __morganaRequire(import.meta.url);',
            },
          }
        : { plugins: [npmPackagesExternal] }),
      sourcemap: "linked",
      logLevel: "error",
    });
  }
  return import(pathToFileURL(bundle).href);
}
