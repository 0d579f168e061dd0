import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import { ensureBearsslLibrary } from "./bearssl.ts";
import { baremetalDir, run } from "./toolchain.ts";
import { ensureXsLibrary } from "./xs.ts";

/** The result of a test bundle run under XS on this machine. */
export interface XsTestRun {
  code: number | null;
  output: string;
}

export interface XsTestOptions {
  /**
   * Modules to bundle in place of others, by absolute path: a test written for Node runs
   * under XS with its fixtures swapped (e.g. the crypto vectors' list of providers).
   */
  replace?: Record<string, string>;
}

/** An esbuild plugin that resolves the relative imports of `replace`'s keys to its values. */
function replaceModules(replace: Record<string, string>): Plugin {
  return {
    name: "replace-modules",
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const to = replace[resolve(args.resolveDir, args.path)];
        return to === undefined ? undefined : { path: to };
      });
    },
  };
}

/**
 * Bundles test files (mocha style, `node:assert/strict`) with a small harness for XS, links
 * the board's JS runtime (xs_host.c, the same event loop) against XS compiled for this
 * machine and platform-host/host.c (and the C crypto, xs_crypto.c on BearSSL), and runs it. An XS incompatibility in the stack shows up
 * here in seconds, without QEMU.
 */
export async function runTestsUnderXs(
  files: string[],
  workDir: string,
  options: XsTestOptions = {},
): Promise<XsTestRun> {
  mkdirSync(workDir, { recursive: true });
  const dir = baremetalDir();
  const checkout = join(dir, "..", "..");
  const entry = join(workDir, "entry.ts");
  const rel = (p: string) => JSON.stringify(`./${relative(workDir, p)}`);
  writeFileSync(
    entry,
    [
      `import ${rel(join(dir, "xstest", "globals.ts"))};`,
      `import { runSuites } from ${rel(join(dir, "xstest", "harness.ts"))};`,
      `import { installEventLoop } from ${rel(join(dir, "src", "index.ts"))};`,
      ...files.map((f) => `import ${rel(f)};`),
      "installEventLoop();",
      "void runSuites();",
      "",
    ].join("\n"),
  );
  const bundle = join(workDir, "tests.js");
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: "neutral",
    format: "iife",
    target: "es2022",
    supported: { "class-static-field": false },
    mainFields: ["module", "main"],
    alias: {
      "node:assert/strict": join(dir, "xstest", "assert.ts"),
      "node:assert": join(dir, "xstest", "assert.ts"),
      "node:crypto": join(dir, "xstest", "crypto.ts"),
    },
    nodePaths: [join(checkout, "node_modules")],
    plugins: options.replace ? [replaceModules(options.replace)] : [],
    logLevel: "silent",
  });
  const xs = await ensureXsLibrary(() => {}, "host");
  const bearssl = await ensureBearsslLibrary("host");
  const embed = join(workDir, "embed.S");
  writeFileSync(
    embed,
    [
      '  .section .rodata, "a"',
      "  .global morgana_bundle, morgana_bundle_end, morgana_kv, morgana_kv_end",
      "morgana_bundle:",
      `  .incbin ${JSON.stringify(bundle)}`,
      "morgana_bundle_end:",
      "  .byte 0",
      "morgana_kv:",
      "morgana_kv_end:",
      '  .section .note.GNU-stack, "", @progbits',
      "",
    ].join("\n"),
  );
  const exe = join(workDir, "xs-tests");
  await run("cc", [
    "-O2",
    "-g",
    ...xs.defines,
    `-I${join(dir, "platform")}`,
    ...xs.includes.map((i) => `-I${i}`),
    `-I${bearssl.include}`,
    join(dir, "xs", "xs_host.c"),
    join(dir, "xs", "xs_crypto.c"),
    join(dir, "platform-host", "host.c"),
    embed,
    xs.library,
    bearssl.library,
    "-lm",
    "-o",
    exe,
  ]);
  return new Promise((resolve) => {
    const child = spawn(exe, [], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}
