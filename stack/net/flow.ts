/**
 * A `Flow` (stack/devices/stack.ts) over one TcpCore connection: the promise side of the
 * core's socket calls. The stack routes the core's events here (`onEvent`) and runs the
 * core again (`kick`) after each call that may have made something sendable.
 */
import { concatBytes } from "../bytes/index.ts";
import { type Endpoint, type Flow, StackError } from "../devices/stack.ts";
import { Signal } from "./signal.ts";
import {
  type ConnId,
  stackErrorCode,
  type TcpCore,
  type TcpError,
  type TcpEvent,
} from "./tcp/index.ts";

export class NetFlow implements Flow {
  private readonly readable = new Signal();
  private readonly writable = new Signal();
  private closedLocally = false;
  private failure: TcpError | null = null;
  private reading = false;

  constructor(
    private readonly tcp: TcpCore,
    readonly id: ConnId,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    private readonly kick: () => void,
    private readonly released: (flow: NetFlow) => void,
  ) {}

  onEvent(e: TcpEvent): void {
    switch (e.type) {
      case "readable":
      case "peer-closed":
        this.readable.wake();
        return;
      case "writable":
        this.writable.wake();
        return;
      case "error":
        this.failure = e.error;
        this.readable.wake();
        this.writable.wake();
        return;
      case "closed":
        this.readable.wake();
        this.writable.wake();
        return;
      default:
        return;
    }
  }

  async read(): Promise<Uint8Array | null> {
    if (this.reading) throw new StackError("other", "one read at a time");
    this.reading = true;
    try {
      for (;;) {
        if (this.closedLocally) throw new StackError("closed", "the flow is closed");
        const r = this.tcp.recv(this.id);
        if (r instanceof Uint8Array) {
          this.kick(); // a window update may be due
          return r;
        }
        if (r === "end") return null;
        if (r !== "wait") throw new StackError(stackErrorCode(r), `connection ${r}`);
        await this.readable.wait();
      }
    } finally {
      this.reading = false;
    }
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    for (;;) {
      if (this.closedLocally) throw new StackError("closed", "the flow is closed");
      if (this.failure)
        throw new StackError(stackErrorCode(this.failure), `connection ${this.failure}`);
      // send throws StackError once the connection cannot send (reset, shut down).
      const n = this.tcp.send(this.id, off === 0 ? data : data.subarray(off));
      off += n;
      if (n > 0) this.kick();
      if (off >= data.length) return;
      await this.writable.wait();
    }
  }

  async writev(data: Uint8Array[]): Promise<void> {
    // One buffer, so the pieces leave in as few segments as they fit.
    const parts = data.filter((d) => d.length > 0);
    if (parts.length === 0) return;
    await this.write(parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts));
  }

  async shutdown(): Promise<void> {
    if (this.closedLocally) return;
    this.tcp.shutdown(this.id);
    this.kick();
  }

  async close(): Promise<void> {
    if (this.closedLocally) return;
    this.closedLocally = true;
    this.tcp.close(this.id);
    this.readable.wake();
    this.writable.wake();
    this.released(this);
    this.kick();
  }

  /** The stack is closing: reset and release. */
  abort(): void {
    if (this.closedLocally) return;
    this.closedLocally = true;
    this.tcp.abort(this.id);
    this.readable.wake();
    this.writable.wake();
    this.released(this);
  }
}
