import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A cross tool by name: from `$MORGANA_TOOLCHAIN` (a folder holding the `arm-none-eabi-*`
 * programs, as the extension's `morgana.toolchainPath` setting passes it) or from PATH.
 */
const crossTool = (name: string) =>
  process.env.MORGANA_TOOLCHAIN ? join(process.env.MORGANA_TOOLCHAIN, name) : name;

/** The cross toolchain and flags that worked for XS on the Cortex-A8 (docs/board.md). */
export const CC = crossTool("arm-none-eabi-gcc");
export const AR = crossTool("arm-none-eabi-ar");
export const SIZE = crossTool("arm-none-eabi-size");
export const OBJCOPY = crossTool("arm-none-eabi-objcopy");

/** Cortex-A8 with NEON, hard float, ARM (not Thumb) code: what the A10 and QEMU's cubieboard run. */
export const CPU_FLAGS = ["-mcpu=cortex-a8", "-mfpu=neon", "-mfloat-abi=hard", "-marm"];
export const CFLAGS = [...CPU_FLAGS, "-O2", "-ffunction-sections", "-fdata-sections", "-g"];
export const LDFLAGS = ["-nostartfiles", "-Wl,--gc-sections", "-lm", "-lc", "-lgcc"];

/** The Debian packages the board build and the emulator need, with the command each provides. */
export const BOARD_PACKAGES = [
  { command: "arm-none-eabi-gcc", pkg: "gcc-arm-none-eabi" },
  { command: "arm-none-eabi-gcc", pkg: "libnewlib-arm-none-eabi" },
  { command: "qemu-system-arm", pkg: "qemu-system-arm" },
];

/**
 * runtime/baremetal/ of the checkout: found from this file, or, when this code is bundled
 * into the CLI (tool/dist/), by walking up to the checkout.
 */
export function baremetalDir(): string {
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(join(dir, "platform", "link.ld"))) return dir;
    const inCheckout = join(dir, "runtime", "baremetal");
    if (existsSync(join(inCheckout, "platform", "link.ld"))) return inCheckout;
    const up = dirname(dir);
    if (up === dir) throw new ToolchainError("cannot find runtime/baremetal in the checkout");
    dir = up;
  }
}

/** Where compiled runtimes are cached: `$MORGANA_CACHE` or `~/.cache/morgana`. */
export function cacheRoot(): string {
  return process.env.MORGANA_CACHE ?? join(homedir(), ".cache", "morgana");
}

export class ToolchainError extends Error {
  override name = "ToolchainError";
}

/** Null when the cross compiler and newlib are installed; otherwise the command to install them. */
export function missingToolchain(): string | null {
  const gcc = spawnSync(CC, ["-print-file-name=libc.a"], { encoding: "utf8" });
  if (gcc.error || gcc.status !== 0) {
    if (process.env.MORGANA_TOOLCHAIN) return `fix MORGANA_TOOLCHAIN: ${CC} does not run`;
    return "apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi";
  }
  // Without newlib, gcc prints the bare name back instead of a path.
  if (gcc.stdout.trim() === "libc.a") return "apt-get install -y libnewlib-arm-none-eabi";
  return null;
}

/** Runs a command, rejecting with its stderr when it fails. */
export function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", (e) => reject(new ToolchainError(`${cmd}: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new ToolchainError(`${cmd} ${args.join(" ")} failed (${code}):\n${err}${out}`));
    });
  });
}

/** Runs jobs with at most `limit` in flight (the build machines have two cores). */
export async function pool<T>(items: T[], limit: number, job: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await job(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
