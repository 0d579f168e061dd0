/**
 * A network interface: Ethernet II frames in and out (MirageOS `Mirage_net`, Solo5's
 * `solo5_net_read`/`write`). It is what the `direct` target (a UDP socket bridged to a tap),
 * a board's EMAC driver and Xen's netfront implement, and what Morgana's TCP/IP stack
 * (stack/net/) runs over. Frames carry no preamble, no FCS and no 802.1Q tag handling.
 *
 * The contract is poll-shaped, like the device rings it abstracts: the stack drains
 * `receive()` until null, offers frames with `transmit()` until it says no, and sleeps on
 * `ready()` (or its own timers) in between. Nothing here calls back into the stack.
 */
export interface Netif {
  /** The interface's own 6-byte MAC address. */
  readonly mac: Uint8Array;
  /** The largest Ethernet payload it carries (the IP MTU), 1500 on Ethernet. */
  readonly mtu: number;
  /** Whether the link is up; frames offered while it is down are dropped. */
  readonly linkUp: boolean;
  /** The next received frame (destination MAC first), or null when none is waiting. */
  receive(): Uint8Array | null;
  /**
   * Offers one frame (at most 14 + mtu bytes). False when the transmit queue is full: the
   * frame was not taken; try again after `ready()` resolves (backpressure). The device owns
   * the bytes once it returns true.
   */
  transmit(frame: Uint8Array): boolean;
  /**
   * Resolves once something changed: a frame is waiting, the transmit queue has room again,
   * the link went up or down, or the interface closed. Each call returns a fresh promise.
   */
  ready(): Promise<void>;
  /** Releases the device; `ready()` promises resolve and `receive()` returns null afterwards. */
  close(): Promise<void>;
}

/** Bytes of an Ethernet II header (destination, source, EtherType). */
export const ETHERNET_HEADER_LEN = 14;
