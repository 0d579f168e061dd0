import type { Socket } from "node:net";
import { type Endpoint, type Flow, StackError, type StackErrorCode } from "@morgana/stack/devices";

/** Bytes read ahead of the application before the socket is paused (read-side backpressure). */
const READ_AHEAD_BYTES = 256 * 1024;

/** Maps a Node socket error to the stack's closed set of error codes. */
export function stackErrorOf(err: NodeJS.ErrnoException): StackError {
  const table: Record<string, StackErrorCode> = {
    EADDRINUSE: "address-in-use",
    EACCES: "permission-denied",
    ECONNREFUSED: "connection-refused",
    EHOSTUNREACH: "unreachable",
    ENETUNREACH: "unreachable",
    ETIMEDOUT: "timeout",
    ECONNRESET: "reset",
    EPIPE: "reset",
  };
  return new StackError(table[err.code ?? ""] ?? "other", err.message);
}

function endpoint(address: string | undefined, port: number | undefined): Endpoint {
  return { address: address ?? "", port: port ?? 0 };
}

/** A Flow over a connected Node socket. */
export class SocketFlow implements Flow {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private failure: StackError | null = null;
  private closed = false;
  private waiter: { resolve: (v: Uint8Array | null) => void; reject: (e: Error) => void } | null =
    null;
  private drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly socket: Socket) {
    this.local = endpoint(socket.localAddress, socket.localPort);
    this.remote = endpoint(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("error", (err) => this.onError(stackErrorOf(err)));
    socket.on("close", () => this.onClose());
    socket.on("drain", () => this.settleDrain(null));
  }

  private onData(chunk: Buffer): void {
    const data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(data);
      return;
    }
    this.queue.push(data);
    this.queued += data.byteLength;
    if (this.queued >= READ_AHEAD_BYTES) this.socket.pause();
  }

  private onEnd(): void {
    this.ended = true;
    if (this.waiter && this.queue.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(null);
    }
  }

  private onError(err: StackError): void {
    this.failure ??= err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(err);
    }
    this.settleDrain(err);
  }

  private onClose(): void {
    this.closed = true;
    this.onEnd();
    this.settleDrain(this.failure ?? new StackError("closed", "connection closed"));
  }

  private settleDrain(err: Error | null): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) err ? w.reject(err) : w.resolve();
  }

  read(): Promise<Uint8Array | null> {
    const next = this.queue.shift();
    if (next) {
      this.queued -= next.byteLength;
      if (this.queued < READ_AHEAD_BYTES && this.socket.isPaused()) this.socket.resume();
      return Promise.resolve(next);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new StackError("other", "concurrent read on a flow"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  write(data: Uint8Array): Promise<void> {
    return this.writev([data]);
  }

  writev(data: Uint8Array[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || this.socket.writableEnded) {
      return Promise.reject(new StackError("closed", "write on a closed flow"));
    }
    let ok = true;
    if (data.length > 1) this.socket.cork();
    for (const chunk of data) ok = this.socket.write(chunk);
    if (data.length > 1) this.socket.uncork();
    if (ok) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  shutdown(): Promise<void> {
    if (this.closed || this.socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => this.socket.end(resolve));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      // end() flushes what is queued; destroy after a grace period if the peer stalls.
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2000);
      t.unref();
    });
  }
}
