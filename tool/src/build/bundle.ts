import { build, type Message } from "esbuild";
import { checkoutPath } from "../checkout.ts";

export interface BundleProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Bundles the generated wiring, the app and the stack into one ES module for Node.
 * `@morgana/*` resolves through the checkout's node_modules, so a project made by
 * `morgana new` anywhere builds against the checkout it came from.
 */
export async function bundle(
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
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "linked",
      nodePaths: [checkoutPath("node_modules")],
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
