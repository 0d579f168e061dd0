import { spawn } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { checkoutPath } from "../checkout.ts";
import { type Diagnostic, pointSpan } from "../config/index.ts";

/** tsc's `--pretty false` line format: `path(line,col): error TS1234: message`. */
const TSC_LINE = /^(.+)\((\d+),(\d+)\): (error|warning) (TS\d+: .*)$/;

/**
 * Type-checks the app against its declared devices with the checkout's TypeScript. Returns
 * its errors as diagnostics (code "type-error", the TS code first in the message), with paths
 * relative to `displayRoot`. Rejects only if tsc cannot be run at all.
 */
export function typecheck(tsconfig: string, displayRoot: string): Promise<Diagnostic[]> {
  const tsc = checkoutPath("node_modules", "typescript", "bin", "tsc");
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], {
      cwd: join(tsconfig, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      const errors: Diagnostic[] = [];
      let last: Diagnostic | undefined;
      for (const line of out.split("\n")) {
        const m = TSC_LINE.exec(line);
        if (m) {
          const abs = resolve(join(tsconfig, ".."), m[1] as string);
          last = {
            severity: m[4] === "warning" ? "warning" : "error",
            code: "type-error",
            file: relative(displayRoot, abs) || abs,
            span: pointSpan(Number(m[2]), Number(m[3])),
            message: m[5] as string,
          };
          errors.push(last);
        } else if (last && line.startsWith("  ")) {
          last.message += `\n${line}`;
        }
      }
      if (code !== 0 && errors.length === 0) {
        errors.push({
          severity: "error",
          code: "tool-failed",
          file: relative(displayRoot, tsconfig),
          message: out.trim() || `tsc exited with ${code}`,
        });
      }
      done(errors);
    });
  });
}
