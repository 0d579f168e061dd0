import { randomBytes } from "node:crypto";

/**
 * How an image boots under QEMU: facts the image itself fixes (platform/board.h and
 * main.c), kept here so the emulator and the `cubieboard2` target's launch hook agree.
 */
export const QEMU_BOARD = {
  qemu: "qemu-system-arm",
  /** QEMU 7.2 has no A20: its A10 `cubieboard` machine stands in (see emulator/ profiles). */
  machine: "cubieboard",
  memoryMiB: 1024,
  /** board.h SEED_ADDR, SEED_MAGIC; the seed is 64 fresh bytes. */
  seedAddress: 0x40001000,
  seedMagic: "MGNSEED1",
  seedBytes: 64,
} as const;

/** A seed as platform/entropy.c reads it: magic, u32 length (LE), fresh bytes. */
export function seedFile(bytes: number = QEMU_BOARD.seedBytes): Uint8Array {
  const out = new Uint8Array(12 + bytes);
  out.set(new TextEncoder().encode(QEMU_BOARD.seedMagic), 0);
  new DataView(out.buffer).setUint32(8, bytes, true);
  out.set(randomBytes(bytes), 12);
  return out;
}

/**
 * QEMU's command line for an image: no display and no monitor, UART0 on stdio, semihosting
 * on (the image exits through it with its own code), no reboot, the seed placed in DRAM.
 */
export function qemuArgs(image: string, seedPath: string | null): string[] {
  const args = [
    "-M",
    QEMU_BOARD.machine,
    "-m",
    `${QEMU_BOARD.memoryMiB}M`,
    "-display",
    "none",
    "-monitor",
    "none",
    "-serial",
    "stdio",
    "-no-reboot",
    "-semihosting-config",
    "enable=on,target=native",
    "-kernel",
    image,
  ];
  if (seedPath) {
    const addr = `0x${QEMU_BOARD.seedAddress.toString(16)}`;
    args.push("-device", `loader,file=${seedPath},addr=${addr},force-raw=on`);
  }
  return args;
}
