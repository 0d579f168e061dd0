import { build, type Message } from "esbuild";
import { checkoutPath } from "../checkout.ts";
import { type Diagnostic, pointSpan } from "../config/index.ts";
import type { BundleSpec } from "../targets/index.ts";

/**
 * Bundles the generated wiring, the app and the stack into one module, as the target's
 * `BundleSpec` says. `@morgana/*` resolves through the checkout's node_modules, so a project
 * made by `morgana new` anywhere builds against the checkout it came from. esbuild's errors
 * come back as diagnostics (code "bundle-error"); nothing throws for a bad app.
 */
export async function bundle(
  entry: string,
  outfile: string,
  cwd: string,
  spec: BundleSpec,
): Promise<Diagnostic[]> {
  try {
    await build({
      entryPoints: [entry],
      outfile,
      absWorkingDir: cwd,
      bundle: true,
      platform: spec.platform,
      format: spec.format,
      target: spec.target,
      ...(spec.external ? { external: spec.external } : {}),
      ...(spec.supported ? { supported: spec.supported } : {}),
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
      severity: "error",
      code: "bundle-error",
      file: e.location?.file ?? entry,
      span: pointSpan(e.location?.line ?? 1, (e.location?.column ?? 0) + 1),
      message: e.text,
    }));
  }
}
