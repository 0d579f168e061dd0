/**
 * A UDP relay that impairs the frames crossing it the way `tc qdisc ... netem loss L% reorder
 * R% duplicate D% delay T` impairs a link: the kernel here is built without sch_netem, so
 * the direct tests put this between socat and the stack, on the frames Linux sends towards
 * Morgana (what netem on Linux's side of the tap would touch). Seeded: runs repeat.
 */
import { createSocket, type Socket } from "node:dgram";
import { rng } from "../../../helpers/rng.ts";

export interface Impairment {
  loss: number;
  reorder: number;
  duplicate: number;
  delayMs: number;
}

export class ImpairingRelay {
  readonly stats = { in: 0, lost: 0, duplicated: 0, reordered: 0 };
  private readonly socket: Socket;
  readonly bound: Promise<number>;
  private readonly random: () => number;

  /** Relays datagrams arriving on its own port to 127.0.0.1:`to`. */
  constructor(
    private readonly to: number,
    public impairment: Impairment,
    seed = 1,
  ) {
    this.random = rng(seed);
    this.socket = createSocket("udp4");
    this.socket.on("message", (msg) => this.relay(msg));
    this.bound = new Promise((resolve) =>
      this.socket.bind(0, "127.0.0.1", () => resolve(this.socket.address().port)),
    );
  }

  private relay(msg: Buffer): void {
    const r = this.random;
    const o = this.impairment;
    this.stats.in++;
    if (r() < o.loss) {
      this.stats.lost++;
      return;
    }
    const copies = r() < o.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      // netem's reorder: this share goes at once, the rest after the delay, so it overtakes.
      const now = o.delayMs > 0 && r() < o.reorder;
      if (now) this.stats.reordered++;
      const send = () => this.socket.send(msg, this.to, "127.0.0.1");
      if (now || o.delayMs === 0) send();
      else setTimeout(send, o.delayMs);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
