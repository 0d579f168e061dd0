import type { Netif } from "@morgana/stack/devices";
import { type BoardHost, board } from "./host.ts";
import { devicePolls } from "./timers.ts";

/** QEMU's default NIC address; a real board uses the MAC U-Boot programmed into the EMAC. */
export const DEFAULT_MAC = new Uint8Array([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

/**
 * The board's EMAC as a `Netif`: frames go through the host functions one at a time; the
 * EMAC's interrupt wakes the event loop, whose device poll resolves `ready()`.
 */
export class BoardNetif implements Netif {
  readonly mac: Uint8Array;
  readonly mtu = 1500;
  private readonly host: BoardHost;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly poll = () => {
    if (this.host.netEvents()) this.wake();
  };

  constructor(mac: Uint8Array = DEFAULT_MAC) {
    this.host = board();
    const buf = new Uint8Array(mac).buffer;
    this.host.netOpen(buf);
    this.mac = new Uint8Array(buf);
    devicePolls.add(this.poll);
  }

  get linkUp(): boolean {
    return !this.closed && this.host.netLink();
  }

  receive(): Uint8Array | null {
    if (this.closed) return null;
    const frame = this.host.netReceive();
    return frame === null ? null : new Uint8Array(frame);
  }

  transmit(frame: Uint8Array): boolean {
    if (this.closed || !this.linkUp) return true; // dropped while the link is down
    return this.host.netTransmit(frame.buffer, frame.byteOffset, frame.byteLength);
  }

  ready(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    devicePolls.delete(this.poll);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
