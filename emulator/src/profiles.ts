import { QEMU_BOARD } from "@morgana/runtime-baremetal/build";

/**
 * Board profiles: which QEMU machine stands in for a board, and every way the emulated
 * board differs from the real one, written down in one place.
 */
export interface BoardProfile {
  /** The target name (unikernel.yaml, `morgana run -t`). */
  name: string;
  /** The QEMU binary and machine. */
  qemu: string;
  machine: string;
  /** DRAM QEMU gives the machine, MiB. */
  memoryMiB: number;
  /** How the emulation differs from the real board. */
  differences: string[];
}

export const CUBIEBOARD2: BoardProfile = {
  name: "cubieboard2",
  qemu: QEMU_BOARD.qemu,
  machine: QEMU_BOARD.machine,
  memoryMiB: QEMU_BOARD.memoryMiB,
  differences: [
    "QEMU 7.2 has no Allwinner A20: the profile runs QEMU's `cubieboard` machine, an A10 with one Cortex-A8 (the A20 has two Cortex-A7 cores).",
    "Interrupts go through the A10 interrupt controller at 0x01C20400; the A20 has a GIC-400 at 0x01C81000 (distributor) and 0x01C82000 (CPU interface), whose interrupt IDs are the A10 numbers + 32 (platform/intc_gic.c, built with MORGANA_BOARD_CHIP=a20; platform/intc.h keeps both behind one interface).",
    "QEMU's 64-bit counter counts nanoseconds; the real chip's counts at 24 MHz (platform/board.h COUNTER_TO_NS).",
    "The RTC is set from the host clock at reset and does not tick; the wall clock advances with the monotonic counter.",
    "There is no hardware entropy: the emulator places a fresh seed at 0x40001000 for every boot (a real board loads one from its SD card).",
    "QEMU's EMAC needs no clock gate, pin function or SRAM mapping; the real one needs all three, and the board's U-Boot sets up the GMAC instead.",
    "The image exits through semihosting, which QEMU turns into its own exit code; a real board halts.",
  ],
};

export const PROFILES: Record<string, BoardProfile> = { cubieboard2: CUBIEBOARD2 };
