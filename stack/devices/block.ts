/**
 * A block device (MirageOS `Mirage_block`): a file on unix, a disk image or an SD card on
 * boards. Reads and writes move whole sectors; sector numbers count from 0.
 */
export interface Block {
  /** Bytes per sector, a power of two (512 or 4096 usually). */
  readonly sectorSize: number;
  /** Sectors on the device. */
  readonly sectorCount: number;
  /** True when `write` always rejects with "read-only". */
  readonly readOnly: boolean;
  /**
   * Fills `into` from sector `sector` on; `into.length` must be a multiple of `sectorSize`
   * and the sectors must lie on the device.
   */
  read(sector: number, into: Uint8Array): Promise<void>;
  /**
   * Writes `data` from sector `sector` on; resolves once the device has it (durable as the
   * device makes it). Same length and range rules as `read`.
   */
  write(sector: number, data: Uint8Array): Promise<void>;
}

/** Why a block operation failed: a closed set (MirageOS `Mirage_block.error`/`write_error`). */
export type BlockErrorCode =
  | "read-only" // write on a read-only device
  | "out-of-range" // sectors past the end, or a negative or fractional sector
  | "unaligned" // a length that is not a whole number of sectors
  | "disconnected" // the device went away
  | "other";

export class BlockError extends Error {
  constructor(
    readonly code: BlockErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "BlockError";
  }
}
