import { webcrypto } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { Netif } from "@morgana/stack/devices";

export interface UdpNetifOptions {
  /** Local UDP port the bridge sends frames to (0: any; see `bound`). */
  port: number;
  /** The bridge's UDP port, where our frames go. */
  peerPort: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a random locally administered unicast MAC. */
  mac?: Uint8Array;
  /** Default 1500. */
  mtu?: number;
  /** Frames handed to the socket and not yet sent before `transmit` says no. Default 256. */
  maxInFlight?: number;
  /** Received frames kept before new ones are dropped. Default 4096. */
  maxQueued?: number;
}

/** A random MAC with the locally administered bit set and the group bit clear (IEEE 802). */
export function randomMac(): Uint8Array {
  const mac = webcrypto.getRandomValues(new Uint8Array(6));
  mac[0] = ((mac[0] as number) & 0xfc) | 0x02;
  return mac;
}

/**
 * A `Netif` over a UDP socket: one Ethernet frame per datagram, as socat bridges a Linux tap
 * (`TUN:...,tun-type=tap,iff-no-pi UDP-DATAGRAM:127.0.0.1:<port>`).
 */
export class UdpNetif implements Netif {
  readonly mac: Uint8Array;
  readonly mtu: number;
  linkUp = true;
  /** Resolves with the local port once the socket is bound. */
  readonly bound: Promise<number>;
  readonly counters = { rx: 0, tx: 0, rxDropped: 0, txErrors: 0 };
  private readonly socket: Socket;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private wakeScheduled = false;
  private readonly host: string;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;

  constructor(private readonly o: UdpNetifOptions) {
    this.mac = o.mac ?? randomMac();
    this.mtu = o.mtu ?? 1500;
    this.host = o.host ?? "127.0.0.1";
    this.maxInFlight = o.maxInFlight ?? 256;
    this.maxQueued = o.maxQueued ?? 4096;
    this.socket = createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    this.socket.on("message", (msg) => {
      if (this.queue.length - this.head >= this.maxQueued) {
        this.counters.rxDropped++;
        return;
      }
      this.counters.rx++;
      this.queue.push(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
      // One wake-up per turn of the event loop: the datagrams libuv reads in one go are
      // handed to the stack in one service round.
      if (!this.wakeScheduled) {
        this.wakeScheduled = true;
        setImmediate(() => {
          this.wakeScheduled = false;
          this.wake();
        });
      }
    });
    this.socket.on("error", () => {
      this.counters.txErrors++;
    });
    this.bound = new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind(o.port, this.host, () => resolve(this.socket.address().port));
    });
  }

  receive(): Uint8Array | null {
    if (this.head >= this.queue.length) return null;
    const f = this.queue[this.head] as Uint8Array;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return f;
  }

  transmit(frame: Uint8Array): boolean {
    if (this.closed) return true;
    if (this.inFlight >= this.maxInFlight) return false;
    this.inFlight++;
    this.counters.tx++;
    this.socket.send(frame, this.o.peerPort, this.host, (err) => {
      this.inFlight--;
      if (err) this.counters.txErrors++;
      if (this.inFlight === this.maxInFlight - 1) this.wake();
    });
    return true;
  }

  ready(): Promise<void> {
    if (this.head < this.queue.length || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
