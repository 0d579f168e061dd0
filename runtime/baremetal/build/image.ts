import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { type BearsslBuild, ensureBearsslLibrary } from "./bearssl.ts";
import {
  baremetalDir,
  CC,
  CFLAGS,
  CPU_FLAGS,
  cacheRoot,
  LDFLAGS,
  OBJCOPY,
  pool,
  run,
  SIZE,
} from "./toolchain.ts";
import { ensureXsLibrary, XS_PLATFORM_DIR, type XsBuild, type XsFeatures } from "./xs.ts";

const PLATFORM_DIR = join(baremetalDir(), "platform");
const XS_GLUE = join(baremetalDir(), "xs", "xs_host.c");
/** The C crypto host functions, on BearSSL (xs_crypto.h lists them for xs_host.c). */
const XS_CRYPTO = join(baremetalDir(), "xs", "xs_crypto.c");

export interface ImageInput {
  /** The app bundle (one script, see bundle.ts). */
  bundle: string;
  /** kv_ro packed with packKv, or null for none. */
  kv?: Uint8Array | null;
  /** Where the ELF goes. */
  out: string;
  /** Heap size in MiB (default: all DRAM above the image). */
  heapMiB?: number;
  /**
   * The chip the platform is built for: "a10", QEMU's cubieboard; "a20", a real Cubieboard2
   * (-DBOARD_REAL_A20: the GIC driver, the counter at 24 MHz), which QEMU 7.2 cannot boot.
   * Default: `$MORGANA_BOARD_CHIP`, else "a10".
   */
  chip?: Chip;
  /**
   * A C file defining runtime_main, in place of the XS runtime: a platform-only image, for
   * testing the platform itself (crash reports, timers) without JS.
   */
  main?: string;
  /** XS features compiled in (a separate cached XS build each): xsbug, heap snapshots. */
  xs?: XsFeatures;
  /**
   * Heap snapshots (needs `xs.snapshot`, see snapshot.ts): "take" links the image the build
   * boots once to write a snapshot; a file path links one that restores that snapshot at
   * boot instead of evaluating the bundle.
   */
  snapshot?: "take" | { restore: string };
  log?: (line: string) => void;
}

export interface ImageResult {
  /** The image to boot: debug information stripped. */
  elf: string;
  /** The same image with debug information, beside it, for reading crash reports (addr2line). */
  debugElf: string;
  /** Bytes of the ELF file, and the segment sizes `size` reports. */
  bytes: number;
  text: number;
  data: number;
  bss: number;
}

const PLATFORM_CFLAGS = [...CFLAGS, "-Wall", "-Wextra", "-std=gnu11", `-I${PLATFORM_DIR}`];

export type Chip = "a10" | "a20";

/** Each chip's interrupt controller driver: exactly one is linked (platform/intc.h). */
const INTC_DRIVER: Record<Chip, string> = { a10: "intc_a10.c", a20: "intc_gic.c" };

/** The platform's C and assembly for a chip: every file but the other chips' intc drivers. */
function platformSources(chip: Chip): string[] {
  return readdirSync(PLATFORM_DIR)
    .filter((f) => f.endsWith(".c") || f.endsWith(".S"))
    .filter((f) => !f.startsWith("intc_") || f === INTC_DRIVER[chip])
    .map((f) => join(PLATFORM_DIR, f));
}

/** The chip asked for, else `$MORGANA_BOARD_CHIP` (docs/cli.md), else QEMU's "a10". */
export function chipOf(chip?: Chip): Chip {
  const v = chip ?? (process.env.MORGANA_BOARD_CHIP || "a10");
  if (v !== "a10" && v !== "a20") {
    throw new Error(
      `MORGANA_BOARD_CHIP must be "a10" (QEMU's cubieboard) or "a20" (a real Cubieboard2), not ${JSON.stringify(v)}`,
    );
  }
  return v;
}

const platformCflags = (chip: Chip) =>
  chip === "a20" ? [...PLATFORM_CFLAGS, "-DBOARD_REAL_A20"] : PLATFORM_CFLAGS;

/** Our objects (platform and XS glue), compiled once per change of their sources. */
async function ensurePlatformObjects(
  chip: Chip,
  xs: XsBuild | null,
  bearssl: BearsslBuild | null,
): Promise<string[]> {
  const withXs = xs !== null;
  const xsIncludes = xs?.includes ?? [];
  const xsDefines = xs?.defines ?? [];
  const sources = platformSources(chip);
  if (withXs) sources.push(XS_GLUE, XS_CRYPTO);
  const h = createHash("sha256").update(
    [...platformCflags(chip), ...xsDefines, ...xsIncludes].join(" "),
  );
  for (const f of [
    ...sources,
    ...readdirSync(PLATFORM_DIR)
      .filter((f) => f.endsWith(".h"))
      .map((f) => join(PLATFORM_DIR, f)),
  ]) {
    h.update(f).update(readFileSync(f));
  }
  h.update(readFileSync(join(XS_PLATFORM_DIR, "morgana_xs.h")));
  h.update(readFileSync(join(XS_PLATFORM_DIR, "xs_crypto.h"))).update(bearssl?.include ?? "");
  const dir = join(cacheRoot(), "baremetal", `platform-${h.digest("hex").slice(0, 12)}`);
  const objects = sources.map((s) => join(dir, `${basename(s).replace(/\.[cS]$/, "")}.o`));
  if (objects.every((o) => existsSync(o))) return objects;
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  await pool(sources, 2, async (src) => {
    const obj = join(tmp, `${basename(src).replace(/\.[cS]$/, "")}.o`);
    const extra =
      src === XS_GLUE || src === XS_CRYPTO
        ? [...xsDefines, ...xsIncludes.map((i) => `-I${i}`)]
        : [];
    if (src === XS_CRYPTO && bearssl) extra.push(`-I${bearssl.include}`);
    await run(CC, [...platformCflags(chip), ...extra, "-c", src, "-o", obj]);
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return objects;
}

/** The assembly that places the bundle, the kv_ro data and any heap snapshot in .rodata. */
function embedAssembly(bundle: string, kv: string, snapshot: ImageInput["snapshot"]): string {
  const q = (p: string) => JSON.stringify(p);
  // xs_host.c (with mxSnapshot): mode 1 takes a snapshot; a non-empty one is restored.
  const restore = typeof snapshot === "object" ? [`  .incbin ${q(snapshot.restore)}`] : [];
  return [
    '  .section .rodata.morgana_bundle, "a"',
    "  .global morgana_bundle, morgana_bundle_end, morgana_kv, morgana_kv_end",
    "morgana_bundle:",
    `  .incbin ${q(bundle)}`,
    "morgana_bundle_end:",
    "  .byte 0",
    // The path XS records for the bundle in a --debug image (breakpoints name it): xs_host.c.
    "  .global morgana_bundle_name",
    "morgana_bundle_name:",
    `  .asciz ${q(basename(bundle))}`,
    "  .balign 8",
    "morgana_kv:",
    `  .incbin ${q(kv)}`,
    "morgana_kv_end:",
    "  .global morgana_snapshot_mode, morgana_snapshot, morgana_snapshot_end",
    "morgana_snapshot_mode:",
    `  .byte ${snapshot === "take" ? 1 : 0}`,
    "  .balign 8",
    "morgana_snapshot:",
    ...restore,
    "morgana_snapshot_end:",
    "",
  ].join("\n");
}

/**
 * Links an image: the bundle and kv_ro data, our platform, XS. XS and the platform are
 * compiled once and cached (XS is LGPL: its objects stay separate, so it can be relinked);
 * a rebuild of the app only assembles the embedding and links, in about a second.
 */
export async function linkImage(input: ImageInput): Promise<ImageResult> {
  const withXs = input.main === undefined;
  if (input.snapshot !== undefined && !input.xs?.snapshot) {
    throw new Error("linkImage: a snapshot image needs XS built with snapshots (xs.snapshot)");
  }
  const xs = withXs ? await ensureXsLibrary(input.log, "arm", input.xs) : null;
  const bearssl = withXs ? await ensureBearsslLibrary("arm", input.log) : null;
  const objects = await ensurePlatformObjects(chipOf(input.chip), xs, bearssl);
  const work = join(dirname(input.out), `.${basename(input.out)}.d`);
  mkdirSync(work, { recursive: true });
  const kvPath = join(work, "kv.bin");
  writeFileSync(kvPath, input.kv ?? new Uint8Array());
  const embedS = join(work, "embed.S");
  writeFileSync(embedS, embedAssembly(input.bundle, kvPath, input.snapshot));
  const inputs = [...objects];
  await run(CC, [...CPU_FLAGS, "-c", embedS, "-o", join(work, "embed.o")]);
  inputs.push(join(work, "embed.o"));
  if (input.main !== undefined) {
    const cflags = platformCflags(chipOf(input.chip));
    await run(CC, [...cflags, "-c", input.main, "-o", join(work, "main.o")]);
    inputs.push(join(work, "main.o"));
  }
  const debugElf = input.out.replace(/(\.elf)?$/, ".debug.elf");
  const heap =
    input.heapMiB === undefined ? [] : [`-Wl,--defsym=__heap_size=${input.heapMiB * 1024 * 1024}`];
  await run(CC, [
    ...CPU_FLAGS,
    "-T",
    join(PLATFORM_DIR, "link.ld"),
    ...inputs,
    ...(xs ? [xs.library] : []),
    ...(bearssl ? [bearssl.library] : []),
    ...heap,
    ...LDFLAGS,
    "-o",
    debugElf,
  ]);
  await run(OBJCOPY, ["--strip-debug", debugElf, input.out]);
  const sizes = await imageSizes(input.out);
  return { elf: input.out, debugElf, ...sizes };
}

/** `size` in Berkeley format: text, data, bss; plus the file's bytes. */
export async function imageSizes(elf: string): Promise<Omit<ImageResult, "elf" | "debugElf">> {
  const out = await run(SIZE, [elf]);
  const row = out.trim().split("\n")[1]?.trim().split(/\s+/) ?? [];
  const [text, data, bss] = row.map(Number);
  return { bytes: readFileSync(elf).byteLength, text: text ?? 0, data: data ?? 0, bss: bss ?? 0 };
}
