/**
 * The HTTP/1.1 server: the thin I/O driver that moves bytes between a Flow and the sans-IO
 * `HttpConnection` (connection.ts), and the `http` device built on it.
 */

import type { Clock } from "../devices/clock.ts";
import type { Flow, Stack, TcpListener } from "../devices/stack.ts";
import { type ConnectionOptions, HttpConnection } from "./connection.ts";
import type { HttpServerDevice } from "./device.ts";
import type { HttpHandler, HttpResponse } from "./message.ts";

export interface HttpServerOptions extends ConnectionOptions {
  /** Send a Date field from `clock.wallMs()` (RFC 9110 §6.6.1). Default true. */
  date?: boolean;
  /**
   * Makes the core of each connection; `new HttpConnection(options, nowNs)` if absent. A
   * recording core (record.ts) or a debugger's inspecting one plugs in here.
   */
  connection?: (options: ConnectionOptions, nowNs: bigint) => HttpConnection;
}

/**
 * Serves HTTP/1.1 on one flow until either side closes it, then closes the flow. Never
 * rejects: a peer that vanishes or a handler that throws ends or answers this connection only.
 */
export function serveFlow(
  flow: Flow,
  handler: HttpHandler,
  clock: Clock,
  options: HttpServerOptions = {},
): Promise<void> {
  return new FlowServer(flow, handler, clock, options).run();
}

/**
 * The I/O driver for one connection: moves bytes between the flow and `HttpConnection`,
 * tells the core what happened and when, and sleeps until the core's next deadline. Every
 * decision (what to send, when to time out, when to close) is the core's.
 */
class FlowServer {
  private readonly conn: HttpConnection;
  private readonly date: boolean;
  /** Something happened since the loop last looked. */
  private dirty = false;
  private wake: (() => void) | null = null;
  private reading = false;
  private done = false;
  private cancelTimer: () => void = () => {};

  constructor(
    private readonly flow: Flow,
    private readonly handler: HttpHandler,
    private readonly clock: Clock,
    options: HttpServerOptions,
  ) {
    const { date, connection, ...core } = options;
    if (core.tracer !== undefined && core.traceId === undefined) {
      core.traceId = `http:${flow.local.port}-${flow.remote.address}:${flow.remote.port}`;
    }
    const now = clock.monotonicNs();
    this.conn = connection === undefined ? new HttpConnection(core, now) : connection(core, now);
    this.date = date ?? true;
  }

  async run(): Promise<void> {
    try {
      this.arm();
      await this.loop();
    } catch {
      // Nothing may escape: this connection ends, the server goes on.
    } finally {
      this.done = true;
      this.cancelTimer();
      this.notify();
      try {
        await this.flow.close();
      } catch {
        // already closed or reset
      }
    }
  }

  /** Graceful stop: answer the requests already received, then close. */
  shutdown(): void {
    this.conn.shutdown(this.clock.monotonicNs());
    this.notify();
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.dirty = false;
      this.dispatch();
      const out = this.conn.takeOutput(this.date ? this.clock.wallMs() : undefined);
      if (out.length > 0) {
        this.conn.writeStarted(this.clock.monotonicNs());
        try {
          await this.write(out);
        } catch {
          this.conn.aborted(this.clock.monotonicNs()); // the peer is gone, or we dropped it
          return;
        }
        this.conn.flushed(this.clock.monotonicNs());
        continue;
      }
      if (this.conn.closed) return;
      this.startRead();
      await this.nextEvent();
    }
  }

  /** One write per batch of responses (head and body of each, in order). */
  private write(out: Uint8Array[]): Promise<void> {
    if (out.length === 1) return this.flow.write(out[0] as Uint8Array);
    return this.flow.writev(out);
  }

  /** Hands new requests to the handler; a synchronous answer is taken at once. */
  private dispatch(): void {
    for (const { id, request } of this.conn.takeRequests()) {
      let result: HttpResponse | Promise<HttpResponse>;
      try {
        result = this.handler(request);
      } catch {
        this.conn.fail(id, this.clock.monotonicNs());
        continue;
      }
      if (isPromiseLike(result)) {
        result.then(
          (response) => {
            this.conn.respond(id, response, this.clock.monotonicNs());
            this.notify();
          },
          () => {
            this.conn.fail(id, this.clock.monotonicNs());
            this.notify();
          },
        );
      } else {
        this.conn.respond(id, result, this.clock.monotonicNs());
      }
    }
  }

  private startRead(): void {
    if (this.reading || !this.conn.wantsRead) return;
    this.reading = true;
    let pending: Promise<Uint8Array | null>;
    try {
      pending = this.flow.read();
    } catch {
      this.reading = false;
      this.conn.aborted(this.clock.monotonicNs());
      return;
    }
    pending.then(
      (data) => {
        this.reading = false;
        if (data === null) this.conn.peerClosed(this.clock.monotonicNs());
        else this.conn.receive(data, this.clock.monotonicNs());
        this.notify();
      },
      () => {
        this.reading = false;
        this.conn.aborted(this.clock.monotonicNs());
        this.notify();
      },
    );
  }

  /**
   * The one timer of this connection: armed for the core's deadline, ticks it when due. It is
   * set at most `maxSleepNs` ahead and re-armed when it fires, since deadlines move as
   * requests come and the core guarantees none is set closer than that; `run` cancels it
   * when the connection ends, so a closed connection is not held until it would have fired.
   */
  private arm(): void {
    if (this.done) return;
    const now = this.clock.monotonicNs();
    const at = this.conn.timeoutAtNs();
    const maxSleep = this.conn.maxSleepNs;
    const wait = at === null || at - now > maxSleep ? maxSleep : at - now;
    if (wait > 0n) {
      this.cancelTimer = this.clock.timer(wait, () => this.arm());
      return;
    }
    this.conn.tick(now);
    this.notify();
    // A dropped connection abandons its write: closing the flow rejects it.
    if (this.conn.dropped) void this.flow.close().catch(() => {});
    if (this.conn.timeoutAtNs() === at) return; // cannot happen; never spin
    this.arm();
  }

  private nextEvent(): Promise<void> {
    if (this.dirty) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    this.dirty = true;
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake();
    }
  }
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * The `http` device: serves `handler` on `port` of `stack`. `close()` stops accepting, lets
 * each connection answer what it has received, and makes `serve` resolve.
 */
export function createHttpServer(
  stack: Stack,
  clock: Clock,
  port: number,
  options: HttpServerOptions = {},
): HttpServerDevice {
  const active = new Set<FlowServer>();
  let accepted = 0;
  let listener: TcpListener | null = null;
  let serving = false;
  let closed = false;
  let release = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    port,
    async serve(handler: HttpHandler): Promise<void> {
      if (serving) throw new Error("this HTTP server is already serving");
      serving = true;
      if (closed) return;
      const l = await stack.tcp.listen(port, (flow) => {
        if (closed) {
          flow.close().catch(() => {});
          return;
        }
        const n = accepted++;
        const traced =
          options.tracer === undefined
            ? options
            : {
                ...options,
                traceId: `http:${port}#${n}-${flow.remote.address}:${flow.remote.port}`,
              };
        const server = new FlowServer(flow, handler, clock, traced);
        active.add(server);
        void server.run().then(() => active.delete(server));
      });
      if (closed) {
        await l.close().catch(() => {});
        return;
      }
      listener = l;
      await stopped;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const l = listener;
      listener = null;
      for (const server of active) server.shutdown();
      try {
        if (l !== null) await l.close();
      } finally {
        release();
      }
    },
  };
}
