/**
 * Builds runtime/unix/native/aead.c, the TLS record AEAD the node:crypto provider uses when
 * it is present (see that file for why), once per source and Node version, into the cache.
 * Build-time code: the tool runs it; the unikernel only loads the result.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { NATIVE_AEAD_FILE, type NativeAead } from "../src/native_aead.ts";

export { NATIVE_AEAD_FILE };

/** The C compiler: `$CC` or `cc`, the host's (Debian: `apt-get install -y gcc`). */
const CC = process.env.CC || "cc";
const CFLAGS = ["-O2", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror"];

/** runtime/unix/native/aead.c: from this file, or (bundled into tool/dist/) the checkout's. */
function sourceFile(): string | null {
  let dir = import.meta.dirname;
  for (;;) {
    for (const f of [
      join(dir, "native", "aead.c"),
      join(dir, "runtime", "unix", "native", "aead.c"),
    ])
      if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Node's own headers (N-API and the OpenSSL it was built with): `include/node` beside its
 * binary, as Node's release tarballs and the nodesource/Debian packages install them.
 */
function nodeIncludeDir(): string | null {
  for (const dir of [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node"])
    if (existsSync(join(dir, "node_api.h")) && existsSync(join(dir, "openssl", "evp.h")))
      return dir;
  return null;
}

/** Runs the compiler (under a second): null, or why it failed. */
function compile(args: string[]): string | null {
  const r = spawnSync(CC, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.error) return `${CC}: ${r.error.message}`;
  return r.status === 0 ? null : `${CC} failed (${r.status}): ${r.stderr}`;
}

export type NativeAeadBuild = { path: string } | { error: string; hint: string };

/**
 * The addon for this Node, compiled on first use (under a second) and loaded once here to
 * prove this Node exports the OpenSSL symbols it needs; later calls return the cache.
 * Synchronous, so test fixtures can build it at import.
 */
export function ensureNativeAead(): NativeAeadBuild {
  const source = sourceFile();
  if (!source) return { error: "runtime/unix/native/aead.c is missing", hint: "" };
  const include = nodeIncludeDir();
  if (!include) {
    return {
      error: `Node's headers (include/node with openssl/) are not beside ${process.execPath}`,
      hint: "install Node from a package or tarball that ships its headers",
    };
  }
  const h = createHash("sha256");
  h.update(readFileSync(source));
  h.update([process.version, process.versions.openssl, process.arch, ...CFLAGS].join(" "));
  const cache = process.env.MORGANA_CACHE ?? join(homedir(), ".cache", "morgana");
  const dir = join(cache, "unix-aead", h.digest("hex").slice(0, 16));
  const path = join(dir, NATIVE_AEAD_FILE);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    const failed = compile([
      ...CFLAGS,
      "-DNODE_GYP_MODULE_NAME=morgana_aead",
      `-I${include}`,
      source,
      "-o",
      tmp,
    ]);
    if (failed) {
      const noCompiler = /ENOENT/.test(failed);
      return {
        error: noCompiler ? `no C compiler (${CC})` : failed.trim(),
        hint: noCompiler ? "install a C compiler: apt-get install -y gcc" : "",
      };
    }
    renameSync(tmp, path);
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAead;
    if (typeof addon.seal !== "function") throw new Error("no seal()");
  } catch (e) {
    return { error: `this Node cannot load it: ${(e as Error).message}`, hint: "" };
  }
  return { path };
}
