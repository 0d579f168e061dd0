import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AR, baremetalDir, CC, CFLAGS, cacheRoot, pool, run } from "./toolchain.ts";

/**
 * The XS engine, from the C sources that ship in the npm package `@agoric/xsnap`
 * (moddable/xs/). XS is LGPL-3.0-or-later: we fetch its sources and compile them here, never
 * commit them, and keep the objects apart from our own, so anyone can relink an image with a
 * modified XS.
 */
export const XS_PACKAGE = "@agoric/xsnap";
export const XS_PACKAGE_VERSION = "0.15.0";

/** XS's features for the board (DESIGN.md, "The bare-metal runtime"). */
export const XS_DEFINES = [
  "-DINCLUDE_XSPLATFORM",
  '-DXSPLATFORM="morgana_xs.h"',
  "-DmxParse=1",
  "-DmxRun=1",
  "-DmxSloppy=1",
  "-DmxBoundsCheck=1",
  "-DmxMinusZero=1",
  // Strings as CESU-8: charCodeAt and length count UTF-16 code units, as the language says.
  // Without it XS indexes astral characters as one unit and the stack's UTF-8 encoder (and
  // any code that pairs surrogates) goes wrong; the XS-on-host tests caught it.
  "-DmxCESU8=1",
];

/**
 * Optional XS features, each a separate cached build of XS and of our glue (xs_host.c), so a
 * plain image never pays for them: `debug` compiles in XS's debugger (xsbug, `-DmxDebug=1`),
 * `snapshot` its heap snapshots (`-DmxSnapshot=1`).
 */
export interface XsFeatures {
  debug?: boolean;
  snapshot?: boolean;
}

/** The defines for a set of features: XS_DEFINES plus one per feature asked for. */
export function xsDefines(features: XsFeatures = {}): string[] {
  const extra: string[] = [];
  if (features.debug) extra.push("-DmxDebug=1");
  if (features.snapshot) extra.push("-DmxSnapshot=1");
  return [...XS_DEFINES, ...extra];
}

/** Our platform header for XS, which the cached objects depend on. */
export const XS_PLATFORM_DIR = join(baremetalDir(), "xs");

export interface XsBuild {
  /** The defines XS was compiled with: code that includes XS's headers must use the same. */
  defines: string[];
  /** moddable/xs of the unpacked package. */
  root: string;
  /** The static library of XS's objects. */
  library: string;
  /** Include directories for code that calls XS's internals (our host glue). */
  includes: string[];
}

function xsDir(): string {
  return join(cacheRoot(), "xs", XS_PACKAGE_VERSION);
}

/** Fetches the package tarball with `npm pack` (no install, no scripts) and unpacks it, once. */
export async function ensureXsSources(): Promise<string> {
  const dir = xsDir();
  const root = join(dir, "package", "moddable", "xs");
  if (existsSync(join(root, "sources", "xsAll.h"))) return root;
  mkdirSync(dir, { recursive: true });
  const tgz = join(dir, `agoric-xsnap-${XS_PACKAGE_VERSION}.tgz`);
  if (!existsSync(tgz)) {
    await run("npm", ["pack", "--silent", `${XS_PACKAGE}@${XS_PACKAGE_VERSION}`], dir);
  }
  // Unpack beside, then move into place: a concurrent build never sees half a tree.
  const tmp = join(dir, `unpack-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  await run("tar", ["xzf", tgz, "-C", tmp]);
  if (!existsSync(join(root, "sources", "xsAll.h")))
    renameSync(join(tmp, "package"), join(dir, "package"));
  rmSync(tmp, { recursive: true, force: true });
  return root;
}

function includesOf(root: string): string[] {
  return [XS_PLATFORM_DIR, join(root, "includes"), join(root, "platforms"), join(root, "sources")];
}

/** Where XS runs: the board (cross-compiled) or this machine (for the stack's tests). */
export type XsTarget = "arm" | "host";

/** The compiler and flags for each. The host build keeps XS's C stack check and asserts off too. */
export const XS_COMPILERS: Record<XsTarget, { cc: string; ar: string; cflags: string[] }> = {
  arm: { cc: CC, ar: AR, cflags: CFLAGS },
  host: { cc: "cc", ar: "ar", cflags: ["-O2", "-g", "-fno-strict-aliasing"] },
};

/** A key for the flags and our platform header: change either and XS is rebuilt. */
function buildKey(target: XsTarget, defines: string[]): string {
  const h = createHash("sha256");
  h.update([...XS_COMPILERS[target].cflags, ...defines].join(" "));
  h.update(readFileSync(join(XS_PLATFORM_DIR, "morgana_xs.h")));
  return h.digest("hex").slice(0, 12);
}

/**
 * Compiles XS once per target (about a minute on two cores); later calls return the cache.
 */
export async function ensureXsLibrary(
  log: (line: string) => void = () => {},
  target: XsTarget = "arm",
  features: XsFeatures = {},
): Promise<XsBuild> {
  const { cc, ar, cflags } = XS_COMPILERS[target];
  const defines = xsDefines(features);
  const root = await ensureXsSources();
  const includes = includesOf(root);
  const out = join(xsDir(), `${target}-${buildKey(target, defines)}`);
  const library = join(out, "libxs.a");
  if (existsSync(library)) return { root, library, includes, defines };
  const tmp = `${out}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const sources = readdirSync(join(root, "sources")).filter((f) => f.endsWith(".c"));
  const named = [features.debug && "debugger", features.snapshot && "snapshots"].filter(Boolean);
  const what = named.length ? `${target}, with ${named.join(" and ")}` : target;
  log(`compiling XS ${XS_PACKAGE_VERSION} for ${what} (${sources.length} files, once)...`);
  const incs = includes.map((i) => `-I${i}`);
  // XS's sources are not warning-clean under -Wall; their warnings are not ours to fix.
  await pool(sources, 2, async (file) => {
    const obj = join(tmp, file.replace(/\.c$/, ".o"));
    await run(cc, [
      ...cflags,
      ...defines,
      ...incs,
      "-w",
      "-c",
      join(root, "sources", file),
      "-o",
      obj,
    ]);
  });
  const objects = readdirSync(tmp)
    .filter((f) => f.endsWith(".o"))
    .map((f) => join(tmp, f));
  await run(ar, ["rcs", join(tmp, "libxs.a"), ...objects]);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return { root, library, includes, defines };
}
