/**
 * Two wired in-memory flows: what one end writes the other reads, with backpressure above a
 * high-water mark, half-close, close and reset, as a TCP stack behaves.
 */

import { concatBytes } from "@morgana/stack/bytes";
import { type Endpoint, type Flow, StackError } from "@morgana/stack/devices";

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** One direction of a connection: bytes written by one end, read by the other. */
class Pipe {
  chunks: Uint8Array[] = [];
  buffered = 0;
  /** The writer sent FIN (shutdown or close). */
  ended = false;
  /** The connection was reset: reads and writes fail. */
  reset = false;
  reader: { resolve: (d: Uint8Array | null) => void; reject: (e: Error) => void } | null = null;
  writers: Waiter[] = [];

  constructor(readonly highWaterMark: number) {}

  push(data: Uint8Array): void {
    const r = this.reader;
    if (r !== null && this.chunks.length === 0) {
      this.reader = null;
      r.resolve(data);
      return;
    }
    this.chunks.push(data);
    this.buffered += data.length;
  }

  pull(): Uint8Array | undefined {
    const c = this.chunks.shift();
    if (c !== undefined) {
      this.buffered -= c.length;
      if (this.buffered <= this.highWaterMark) {
        for (const w of this.writers.splice(0)) w.resolve();
      }
    }
    return c;
  }

  end(): void {
    this.ended = true;
    const r = this.reader;
    if (r !== null && this.chunks.length === 0) {
      this.reader = null;
      r.resolve(null);
    }
  }

  fail(): void {
    this.reset = true;
    this.chunks = [];
    this.buffered = 0;
    const r = this.reader;
    this.reader = null;
    r?.reject(new StackError("reset", "connection reset"));
    for (const w of this.writers.splice(0)) w.reject(new StackError("reset", "connection reset"));
  }
}

/** One end of an in-memory connection. */
export class MemFlow implements Flow {
  closed = false;
  /** Every byte this end has written, for assertions. */
  written: Uint8Array[] = [];
  writeCalls = 0;

  constructor(
    readonly local: Endpoint,
    readonly remote: Endpoint,
    private readonly inbound: Pipe,
    private readonly outbound: Pipe,
  ) {}

  read(): Promise<Uint8Array | null> {
    if (this.inbound.reset) return Promise.reject(new StackError("reset", "connection reset"));
    if (this.inbound.reader !== null) return Promise.reject(new Error("one read at a time"));
    const c = this.inbound.pull();
    if (c !== undefined) return Promise.resolve(c);
    if (this.inbound.ended || this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.inbound.reader = { resolve, reject };
    });
  }

  write(data: Uint8Array): Promise<void> {
    return this.writev([data]);
  }

  writev(data: Uint8Array[]): Promise<void> {
    this.writeCalls++;
    if (this.outbound.reset) return Promise.reject(new StackError("reset", "connection reset"));
    if (this.closed || this.outbound.ended) {
      return Promise.reject(new StackError("closed", "flow closed"));
    }
    const joined = concatBytes(data);
    this.written.push(joined);
    this.outbound.push(joined);
    if (this.outbound.buffered <= this.outbound.highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.outbound.writers.push({ resolve, reject });
    });
  }

  async shutdown(): Promise<void> {
    this.outbound.end();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.outbound.end();
    // Like a socket closed with unsent data: writes still waiting for room fail.
    for (const w of this.outbound.writers.splice(0))
      w.reject(new StackError("closed", "flow closed"));
    // Nobody reads what the peer sends from now on: its writes fail like after a RST.
    this.inbound.fail();
  }

  /** The peer vanishes: both directions are reset. */
  destroy(): void {
    this.closed = true;
    this.inbound.fail();
    this.outbound.fail();
  }

  /** Reads until end of stream (or reset), returning everything as latin1 text. */
  async readAll(): Promise<string> {
    let text = "";
    for (;;) {
      let c: Uint8Array | null;
      try {
        c = await this.read();
      } catch {
        return text;
      }
      if (c === null) return text;
      text += String.fromCharCode(...c);
    }
  }
}

let nextPort = 40000;

/** Two wired flows: what `a` writes, `b` reads. Writes wait above `highWaterMark` bytes. */
export function flowPair(highWaterMark = 64 * 1024): [MemFlow, MemFlow] {
  const ab = new Pipe(highWaterMark);
  const ba = new Pipe(highWaterMark);
  const ea = { address: "10.0.0.1", port: nextPort++ };
  const eb = { address: "10.0.0.2", port: 80 };
  return [new MemFlow(ea, eb, ba, ab), new MemFlow(eb, ea, ab, ba)];
}
