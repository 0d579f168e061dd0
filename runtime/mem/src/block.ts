/** A block device in memory (`Block`): sectors in one byte array. */

import { type Block, BlockError } from "@morgana/stack/devices";

export class MemBlock implements Block {
  readonly sectorCount: number;
  /** The device's bytes, for tests to look at or fill. */
  readonly bytes: Uint8Array;

  constructor(
    readonly sectorSize: number,
    sectors: number | Uint8Array,
    readonly readOnly = false,
  ) {
    this.bytes = typeof sectors === "number" ? new Uint8Array(sectors * sectorSize) : sectors;
    this.sectorCount = Math.floor(this.bytes.length / sectorSize);
  }

  async read(sector: number, into: Uint8Array): Promise<void> {
    const at = this.range(sector, into.length);
    into.set(this.bytes.subarray(at, at + into.length));
  }

  async write(sector: number, data: Uint8Array): Promise<void> {
    if (this.readOnly) throw new BlockError("read-only", "the device is read-only");
    this.bytes.set(data, this.range(sector, data.length));
  }

  /** The byte offset of `sector`, once the request is whole sectors on the device. */
  private range(sector: number, length: number): number {
    if (length % this.sectorSize !== 0) {
      throw new BlockError(
        "unaligned",
        `${length} bytes is not whole ${this.sectorSize}-byte sectors`,
      );
    }
    const count = length / this.sectorSize;
    if (!Number.isInteger(sector) || sector < 0 || sector + count > this.sectorCount) {
      throw new BlockError(
        "out-of-range",
        `sectors ${sector}..${sector + count} of ${this.sectorCount}`,
      );
    }
    return sector * this.sectorSize;
  }
}
