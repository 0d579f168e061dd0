import { join } from "node:path";
import { build, type Message } from "esbuild";
import { baremetalDir } from "./toolchain.ts";

export interface BundleProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Bundles a wiring module, the app and the stack into one classic script for XS: no
 * modules at run time (XS evaluates it as a program), ES2022, no Node. Static class fields
 * are lowered: XS 13.3 fails on a class whose static field constructs the class
 * (`@noble/curves` does that). The source map goes beside the bundle, for the debugger.
 */
export async function bundleForBoard(
  entry: string,
  outfile: string,
  cwd: string,
): Promise<BundleProblem[]> {
  try {
    await build({
      entryPoints: [entry],
      outfile,
      absWorkingDir: cwd,
      bundle: true,
      platform: "neutral",
      format: "iife",
      target: "es2022",
      supported: { "class-static-field": false },
      mainFields: ["module", "main"],
      // The checkout's node_modules: runtime/baremetal/../../node_modules.
      nodePaths: [join(baremetalDir(), "..", "..", "node_modules")],
      sourcemap: "external",
      logLevel: "silent",
      legalComments: "none",
    });
    return [];
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (!errors) throw err;
    return errors.map((e) => ({
      file: e.location?.file ?? entry,
      line: e.location?.line ?? 1,
      col: (e.location?.column ?? 0) + 1,
      message: e.text,
    }));
  }
}
