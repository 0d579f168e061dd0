import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * How an image boots under QEMU: facts the image itself fixes (platform/board.h and
 * main.c), kept here so the emulator and the `cubieboard2` target's launch hook agree.
 */
export const QEMU_BOARD = {
  /** `$MORGANA_QEMU` (the extension's `morgana.qemuPath`), else from PATH. */
  qemu: process.env.MORGANA_QEMU || "qemu-system-arm",
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
 * Bytes only an image with XS's debugger holds: the format of xs_host.c's serial prefix for
 * xsbug messages (keep the two in step). A --debug image shares its UART with the debugger
 * and waits at XS's login for one, so whoever boots it must split the line (emulator/).
 */
const DEBUGGER_MARKER = "\r\n<?xs%c%08lX?>%s";

/** Whether the image at `elf` was built with XS's debugger (`morgana build --debug`). */
export function imageHasDebugger(elf: string): boolean {
  try {
    return readFileSync(elf).includes(DEBUGGER_MARKER);
  } catch {
    return false; // no image: whoever boots it reports that
  }
}

/**
 * Bytes only an image built for the real A20 (`MORGANA_BOARD_CHIP=a20`) holds: a message of
 * platform/intc_gic.c (keep the two in step). QEMU 7.2's cubieboard has no GIC, so such an
 * image would wait forever for its first timer interrupt.
 */
const A20_MARKER = "beyond the A20 GIC's";

/** Why QEMU cannot boot the image at `elf` (one built for the real A20), or null. */
export function unbootableInQemu(elf: string): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(elf);
  } catch {
    return null; // no image: whoever boots it reports that
  }
  return bytes.includes(A20_MARKER)
    ? `${elf} is built for a real Cubieboard2 (MORGANA_BOARD_CHIP=a20, the A20's GIC); QEMU's cubieboard is an A10 and cannot boot it: build it again without MORGANA_BOARD_CHIP`
    : null;
}

/** A host port forwarded to the guest (unikernel.yaml `targets.cubieboard2.ports`). */
export interface Forward {
  host: number;
  guest: number;
  protocol: "tcp" | "udp";
}

/** The MAC the image uses by default (src/netif.ts DEFAULT_MAC): QEMU's own default. */
export const DEFAULT_MAC = "52:54:00:12:34:56";

/** What a launcher may add to the command line. */
export interface QemuExtras {
  /** A unix socket QEMU connects to as a QMP client (the launcher listens there). */
  qmpSocket?: string;
  /** Capture every frame of the board's network into this pcap file (QEMU's filter-dump). */
  pcap?: string;
}

/** A value inside a QEMU option list, where a comma is written twice. */
const optionValue = (v: string) => v.replaceAll(",", ",,");

/** The user-mode netdev's id: filter-dump attaches to it. */
const NETDEV = "net0";

/**
 * QEMU's command line for an image: no display and no monitor, UART0 on stdio, semihosting
 * on (the image exits through it with its own code), no reboot, the seed placed in DRAM.
 * With `net`, the EMAC is on QEMU's user-mode network (DHCP at 10.0.2.2, the guest at
 * 10.0.2.15) with each forward bound to 127.0.0.1.
 */
export function qemuArgs(
  image: string,
  seedPath: string | null,
  net?: { forwards: readonly Forward[] },
  extra: QemuExtras = {},
): string[] {
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
  // Always a NIC on the user network: the machine has an EMAC, and a NIC without a peer
  // makes QEMU warn. Forwards only when the unikernel has a network stack.
  const fwd = (net?.forwards ?? []).map(
    (f) => `,hostfwd=${f.protocol}:127.0.0.1:${f.host}-:${f.guest}`,
  );
  args.push("-nic", `user,id=${NETDEV},model=allwinner-emac,mac=${DEFAULT_MAC}${fwd.join("")}`);
  // `-nic` takes an id, which names its netdev: the dump sees both directions of the EMAC.
  if (extra.pcap) {
    args.push("-object", `filter-dump,id=dump0,netdev=${NETDEV},file=${optionValue(extra.pcap)}`);
  }
  if (extra.qmpSocket) args.push("-qmp", `unix:${optionValue(extra.qmpSocket)}`);
  if (seedPath) {
    const addr = `0x${QEMU_BOARD.seedAddress.toString(16)}`;
    args.push("-device", `loader,file=${seedPath},addr=${addr},force-raw=on`);
  }
  return args;
}
