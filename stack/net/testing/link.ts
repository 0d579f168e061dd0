/**
 * A simulated Ethernet link between two memory `Netif`s, over a `VirtualClock`: each frame
 * is delayed, and may be lost, duplicated or reordered, decided by a seeded generator so a
 * failing run replays exactly.
 */
import type { Netif } from "../../devices/netif.ts";
import type { VirtualClock } from "./clock.ts";

export interface LinkOptions {
  /** One-way delay. Default 1 ms. */
  delayNs?: bigint;
  /** Probability that a frame is lost, duplicated, or delayed extra (reordered). */
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** Extra delay of a reordered frame. Default 3 ms. */
  reorderDelayNs?: bigint;
  /** Frames a side may have in flight before `transmit` refuses (backpressure). Default 1024. */
  capacity?: number;
  mtu?: number;
  /** A generator in [0, 1). */
  random: () => number;
}

export class MemNetif implements Netif {
  readonly rx: Uint8Array[] = [];
  linkUp = true;
  inFlight = 0;
  closed = false;
  /** Frames this side transmitted (after loss decisions), for tests. */
  sent = 0;
  private waiters: (() => void)[] = [];
  peer: MemNetif | null = null;

  constructor(
    readonly mac: Uint8Array,
    readonly mtu: number,
    private readonly link: SimLink,
  ) {}

  receive(): Uint8Array | null {
    return this.rx.shift() ?? null;
  }

  transmit(frame: Uint8Array): boolean {
    if (this.closed || !this.linkUp) return true; // dropped, as a real NIC with no carrier does
    if (this.inFlight >= this.link.capacity) return false;
    this.sent++;
    this.link.carry(this, frame);
    return true;
  }

  ready(): Promise<void> {
    if (this.rx.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
  }
}

export class SimLink {
  readonly a: MemNetif;
  readonly b: MemNetif;
  readonly capacity: number;
  /** Frames lost, duplicated and reordered so far. */
  readonly stats = { lost: 0, duplicated: 0, reordered: 0, delivered: 0 };
  /** Every frame put on the wire, in order, when `capture` is set (for tests). */
  capture: Uint8Array[] | null = null;

  constructor(
    private readonly clock: VirtualClock,
    private readonly o: LinkOptions,
  ) {
    const mtu = o.mtu ?? 1500;
    this.capacity = o.capacity ?? 1024;
    this.a = new MemNetif(new Uint8Array([2, 0, 0, 0, 0, 0xa]), mtu, this);
    this.b = new MemNetif(new Uint8Array([2, 0, 0, 0, 0, 0xb]), mtu, this);
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  carry(from: MemNetif, frame: Uint8Array): void {
    const to = from.peer as MemNetif;
    this.capture?.push(frame);
    const r = this.o.random;
    if (r() < (this.o.loss ?? 0)) {
      this.stats.lost++;
      return;
    }
    const copies = r() < (this.o.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = this.o.delayNs ?? 1_000_000n;
      if (r() < (this.o.reorder ?? 0)) {
        delay += this.o.reorderDelayNs ?? 3_000_000n;
        this.stats.reordered++;
      }
      from.inFlight++;
      this.clock.at(this.clock.monotonicNs() + delay, () => {
        from.inFlight--;
        from.wake(); // room to transmit again
        if (to.closed) return;
        this.stats.delivered++;
        to.rx.push(frame.slice());
        to.wake();
      });
    }
  }
}
