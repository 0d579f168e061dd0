import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type ImageInput, type ImageResult, linkImage } from "./image.ts";
import { pack } from "./pack.ts";
import { QEMU_BOARD, qemuArgs } from "./qemu.ts";

/**
 * Images that boot from an XS heap snapshot (`morgana build --snapshot`). A snapshot is
 * specific to the engine's build and the CPU, so it is taken where the image runs: the build
 * links an image in "take" mode and boots it once in QEMU (no seed, no network): XS
 * evaluates the bundle, boot() defers starting the devices, and the heap is written to a
 * host file through semihosting (xs/xs_host.c). Then it links the image it ships, with that
 * snapshot, its slots as byte planes and packed (pack.ts), and without the bundle.
 */

/**
 * XS's snapshot is atoms: a big-endian u32 size (counting the atom's 8-byte head) and a
 * four-letter tag, after the file's own 8-byte head. "HEAP" holds the slots (16 bytes each
 * on the board; "VERS" says the size), whose fields repeat from slot to slot: kinds, flags,
 * IDs, small projected pointers. Laid out as byte planes (every slot's byte 0, then every
 * slot's byte 1, ...) they pack to two thirds of what LZ makes of them as they are (463 KB
 * of slots: 125 KB instead of 188 KB for https-site). xs_host.c undoes it after unpacking.
 */
export function planeSlots(snapshot: Uint8Array): Uint8Array {
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  // A copy (a Buffer's slice() would be a view of the same bytes).
  const out = new Uint8Array(snapshot);
  let slot = 0;
  for (let at = 8; at + 8 <= snapshot.length; ) {
    const size = view.getUint32(at);
    const tag = String.fromCharCode(...snapshot.subarray(at + 4, at + 8));
    if (size < 8 || at + size > snapshot.length) break;
    // VERS: major, minor, patch, then the slot size (negative on big-endian machines).
    if (tag === "VERS") slot = view.getInt8(at + 11);
    if (tag === "HEAP") {
      const bytes = size - 8;
      if (slot <= 0 || bytes % slot !== 0) break;
      const n = bytes / slot;
      const heap = snapshot.subarray(at + 8, at + size);
      for (let k = 0; k < n; k++) {
        for (let b = 0; b < slot; b++) out[at + 8 + b * n + k] = heap[k * slot + b] as number;
      }
      return out;
    }
    at += size;
  }
  throw new Error("snapshot: XS wrote no HEAP atom this build can read (is XS's format new?)");
}

/** The file the snapshot boot writes, in QEMU's working directory (xs_host.c SNAPSHOT_FILE). */
const SNAPSHOT_FILE = "morgana.xsnap";

export interface SnapshotImageInput extends Omit<ImageInput, "snapshot" | "main"> {
  /** How long the snapshot boot may take (default 5 minutes: XS under QEMU is slow). */
  timeoutMs?: number;
}

export interface SnapshotImageResult extends ImageResult {
  /** Bytes of the heap snapshot XS wrote. */
  snapshotBytes: number;
  /** Bytes of it packed, as the image carries it. */
  packedBytes: number;
  /** Milliseconds the snapshot boot took in QEMU (evaluate, warm up, write). */
  takeMs: number;
}

/** The snapshot boot failed; `console` is what the image printed. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
  constructor(
    message: string,
    readonly console: string,
  ) {
    super(console.trim() === "" ? message : `${message}; the board said:\n${console.trim()}`);
  }
}

/** Boots `elf` in QEMU from `cwd` with no seed; resolves with its exit code and console. */
function bootOnce(
  elf: string,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; console: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const qemu = spawn(QEMU_BOARD.qemu, qemuArgs(elf, null), {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let console = "";
    qemu.stdout.on("data", (chunk: Buffer) => {
      console += chunk.toString("utf8");
    });
    qemu.stderr.on("data", (chunk: Buffer) => {
      console += chunk.toString("utf8");
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      qemu.kill("SIGKILL");
    }, timeoutMs);
    qemu.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${QEMU_BOARD.qemu} to take the snapshot: ${err.message}`));
    });
    qemu.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, console: console.replace(/\r\n/g, "\n"), timedOut });
    });
  });
}

/**
 * Links `input.out` as an image that restores a heap snapshot at boot: links a "take" image,
 * boots it once to write the snapshot, links the final image with it embedded. Throws a
 * SnapshotError, with the board's console, when the snapshot boot fails.
 */
export async function linkSnapshotImage(input: SnapshotImageInput): Promise<SnapshotImageResult> {
  const log = input.log ?? (() => {});
  const xs = { ...input.xs, snapshot: true };
  const work = join(dirname(input.out), `.${basename(input.out)}.snapshot.d`);
  mkdirSync(work, { recursive: true });
  const take = join(work, "take.elf");
  await linkImage({ ...input, xs, snapshot: "take", out: take });

  const file = join(work, SNAPSHOT_FILE);
  rmSync(file, { force: true });
  const started = performance.now();
  const timeoutMs = input.timeoutMs ?? 5 * 60_000;
  const booted = await bootOnce(take, work, timeoutMs);
  const takeMs = performance.now() - started;
  if (booted.timedOut) {
    throw new SnapshotError(
      `the snapshot boot did not finish within ${timeoutMs / 1000} s`,
      booted.console,
    );
  }
  if (booted.code !== 0 || !existsSync(file)) {
    throw new SnapshotError(
      `the snapshot boot failed (exit ${booted.code}${existsSync(file) ? "" : ", no snapshot written"})`,
      booted.console,
    );
  }
  const heap = readFileSync(file);
  const packed = pack(planeSlots(heap));
  writeFileSync(`${file}.lz`, packed);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  log(
    `snapshot taken in QEMU in ${(takeMs / 1000).toFixed(1)} s: ${kib(heap.length)} of XS heap, ${kib(packed.length)} packed`,
  );

  // The shipped image evaluates nothing: it carries the heap, not the script.
  const noBundle = join(work, "no-bundle.js");
  writeFileSync(noBundle, "");
  const restore = { restore: `${file}.lz` };
  const image = await linkImage({ ...input, xs, bundle: noBundle, snapshot: restore });
  return { ...image, snapshotBytes: heap.length, packedBytes: packed.length, takeMs };
}
