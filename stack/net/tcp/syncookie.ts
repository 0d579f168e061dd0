/**
 * SYN cookies (RFC 4987 §3.6): when a listener's half-open queue is full, the SYN,ACK's
 * sequence number carries the connection's state instead of a queue entry, and the client's
 * ACK brings it back. A SYN flood then costs the listener nothing, and real clients still get
 * in while it lasts; the price is the options that do not fit in 32 bits (window scaling,
 * SACK and timestamps are off for a connection opened by a cookie; its MSS is rounded down to
 * one of eight values).
 *
 * Layout of the cookie: 5 bits of a 64-second counter, 3 bits indexing MSS_TABLE, 24 bits of a
 * keyed hash (the first 24 bits of SHA-256 over a random key, the counter, the 4-tuple and the
 * client's ISN). A cookie is good for the counter it was made in and the next one: between 64
 * and 128 seconds, longer than a client's first SYN retransmissions take.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { IpAddr } from "./addr.ts";

const KEY_BYTES = 16;
const PERIOD_NS = 64n * 1_000_000_000n;

/** MSS values a cookie can carry, ascending; the peer's MSS is rounded down to one. */
export const MSS_TABLE: readonly number[] = [536, 1024, 1200, 1220, 1360, 1400, 1440, 1460];

export class SynCookies {
  private readonly input = new Uint8Array(KEY_BYTES + 20);
  private readonly view: DataView;

  constructor(random: (buf: Uint8Array) => Uint8Array) {
    this.input.set(random(new Uint8Array(KEY_BYTES)), 0);
    this.view = new DataView(this.input.buffer, this.input.byteOffset + KEY_BYTES, 20);
  }

  /** The SYN,ACK's sequence number for a SYN with `clientIsn` offering `peerMss` (or none). */
  make(
    local: IpAddr,
    localPort: number,
    remote: IpAddr,
    remotePort: number,
    clientIsn: number,
    peerMss: number,
    nowNs: bigint,
  ): number {
    const counter = Number((nowNs / PERIOD_NS) & 31n);
    let index = 0;
    for (let i = 0; i < MSS_TABLE.length; i++) if ((MSS_TABLE[i] as number) <= peerMss) index = i;
    const h = this.hash(counter, local, localPort, remote, remotePort, clientIsn);
    return ((counter << 27) | (index << 24) | h) >>> 0;
  }

  /**
   * The MSS a returning cookie carries, or null when it is not one of ours or has expired.
   * `cookie` is the ACK's number minus one, `clientIsn` its sequence number minus one.
   */
  check(
    local: IpAddr,
    localPort: number,
    remote: IpAddr,
    remotePort: number,
    clientIsn: number,
    cookie: number,
    nowNs: bigint,
  ): number | null {
    const now = Number((nowNs / PERIOD_NS) & 31n);
    const counter = cookie >>> 27;
    if (counter !== now && counter !== ((now + 31) & 31)) return null;
    const h = this.hash(counter, local, localPort, remote, remotePort, clientIsn);
    if ((cookie & 0xffffff) !== h) return null;
    return MSS_TABLE[(cookie >>> 24) & 7] as number;
  }

  private hash(
    counter: number,
    local: IpAddr,
    localPort: number,
    remote: IpAddr,
    remotePort: number,
    clientIsn: number,
  ): number {
    const v = this.view;
    v.setUint32(0, counter);
    v.setUint32(4, local.n);
    v.setUint16(8, localPort);
    v.setUint32(10, remote.n);
    v.setUint16(14, remotePort);
    v.setUint32(16, clientIsn >>> 0);
    const d = sha256(this.input);
    return (((d[0] as number) << 16) | ((d[1] as number) << 8) | (d[2] as number)) >>> 0;
  }
}
