import { spawn } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { checkoutPath } from "../checkout.ts";

export interface TypeError {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** tsc's `--pretty false` line format: `path(line,col): error TS1234: message`. */
const TSC_LINE = /^(.+)\((\d+),(\d+)\): error (TS\d+: .*)$/;

/**
 * Type-checks the app against its declared devices with the checkout's TypeScript.
 * Returns the errors with paths relative to the project root.
 */
export function typecheck(projectRoot: string, tsconfig: string): Promise<TypeError[]> {
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
      const errors: TypeError[] = [];
      let last: TypeError | undefined;
      for (const line of out.split("\n")) {
        const m = TSC_LINE.exec(line);
        if (m) {
          const abs = resolve(join(tsconfig, ".."), m[1] as string);
          last = {
            file: relative(projectRoot, abs),
            line: Number(m[2]),
            col: Number(m[3]),
            message: m[4] as string,
          };
          errors.push(last);
        } else if (last && line.startsWith("  ")) {
          last.message += `\n${line}`;
        }
      }
      if (code !== 0 && errors.length === 0) {
        errors.push({
          file: tsconfig,
          line: 1,
          col: 1,
          message: out.trim() || `tsc exited with ${code}`,
        });
      }
      done(errors);
    });
  });
}
