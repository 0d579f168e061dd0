/**
 * Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash
 * (here the first 32 bits of SHA-256 over a random 16-byte key and the 4-tuple). An off-path
 * attacker cannot guess another connection's ISN, and a reused 4-tuple still starts above the
 * previous incarnation's numbers.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { IpAddr } from "./addr.ts";

const KEY_BYTES = 16;
const TICK_NS = 4000n;

export class IsnGenerator {
  private readonly input = new Uint8Array(KEY_BYTES + 12);

  constructor(random: (buf: Uint8Array) => Uint8Array) {
    this.input.set(random(new Uint8Array(KEY_BYTES)), 0);
  }

  isn(local: IpAddr, localPort: number, remote: IpAddr, remotePort: number, nowNs: bigint): number {
    const b = this.input;
    const view = new DataView(b.buffer, b.byteOffset + KEY_BYTES, 12);
    view.setUint32(0, local.n);
    view.setUint16(4, localPort);
    view.setUint32(6, remote.n);
    view.setUint16(10, remotePort);
    const h = sha256(b);
    const f =
      (((h[0] as number) << 24) |
        ((h[1] as number) << 16) |
        ((h[2] as number) << 8) |
        (h[3] as number)) >>>
      0;
    const m = Number((nowNs / TICK_NS) & 0xffffffffn);
    return (f + m) >>> 0;
  }
}
