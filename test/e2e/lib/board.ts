/** Shared set-ups of the board's end-to-end tests (real QEMU, real toolchain). */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ImageResult, linkImage } from "../../../runtime/baremetal/build/index.ts";
import { freePort, REPO } from "./morgana.ts";

/**
 * A copy of samples/static-website in a new temp folder (without its dist/), with a free host
 * port forwarded to the board's port 80.
 */
export async function staticWebsiteForBoard(
  prefix: string,
): Promise<{ dir: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, "samples", "static-website"), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${join("static-website", "dist")}`),
  });
  const port = await freePort();
  const yaml = join(dir, "unikernel.yaml");
  writeFileSync(yaml, `${readFileSync(yaml, "utf8")}  cubieboard2:\n    ports: ["${port}:80"]\n`);
  return { dir, port };
}

/**
 * A platform-only image (no XS) whose C main prints "about to fault" and reads through an
 * unmapped address: no JS can fault the CPU, so this is how the crash path is exercised.
 */
export function linkFaultImage(dir: string, out: string): Promise<ImageResult> {
  const main = join(dir, "fault.c");
  writeFileSync(
    main,
    [
      '#include "platform.h"',
      "int runtime_main(void) {",
      '  platform_printf("about to fault\\n");',
      "  return *(volatile int *)0x00000123;",
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "empty.js"), "");
  return linkImage({ bundle: join(dir, "empty.js"), out, main });
}
