/**
 * A TLS session over any `Flow` (the host's sockets on unix, Morgana's TCP elsewhere), as a
 * `Flow` itself: this is the thin front end (ocaml-tls's Lwt/Mirage layers) that only moves
 * bytes between the transport and the pure engine.
 */
import type { Clock } from "../devices/clock.ts";
import type { Endpoint, Flow } from "../devices/stack.ts";
import { StackError } from "../devices/stack.ts";
import { TlsClient } from "./client.ts";
import type { ClientConfig, ServerConfig, TlsEvent, TlsOutput, TlsSummary } from "./config.ts";
import type { TlsEngine } from "./engine.ts";
import type { TlsFailure } from "./errors.ts";
import { TlsServer } from "./server.ts";

/** A TLS session that failed: the failure names the alert sent or received. */
export class TlsFlowError extends Error {
  constructor(
    readonly failure: TlsFailure | "peer-alert" | "eof" | "timeout",
    message: string,
  ) {
    super(message);
    this.name = "TlsFlowError";
  }
}

export interface TlsFlowOptions {
  /** Every engine event: tickets (`session-ticket`), alerts, key updates. */
  onEvent?: (e: TlsEvent) => void;
  /**
   * Gives up on a handshake that has not completed after `ms` (a peer that connects and says
   * nothing must not hold a flow forever): the flow is closed and the handshake rejects.
   */
  handshakeTimeout?: { ms: number; clock: Pick<Clock, "timer"> };
}

/** Plaintext bytes per transport write when a write is large: 16 full records. */
const WRITE_BATCH = 16 << 14;

export class TlsFlow implements Flow {
  private readonly queue: Uint8Array[] = [];
  private eof = false;
  private error: TlsFlowError | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** A write sent in batches, until its last batch is taken. */
  private batching: Promise<void> | null = null;
  /** The transport ended without the peer's close_notify (RFC 8446 §6.1: truncation). */
  truncated = false;

  private constructor(
    private readonly inner: Flow,
    readonly engine: TlsEngine,
    private readonly options: TlsFlowOptions,
  ) {}

  /** Connects as a client over `flow` and completes the handshake. */
  static async client(
    flow: Flow,
    config: ClientConfig,
    options: TlsFlowOptions = {},
  ): Promise<TlsFlow> {
    const f = new TlsFlow(flow, new TlsClient(config), options);
    await f.handshake(f.engine.start());
    return f;
  }

  /** Serves one connection over `flow` and completes the handshake. */
  static async server(
    flow: Flow,
    config: ServerConfig,
    options: TlsFlowOptions = {},
  ): Promise<TlsFlow> {
    const f = new TlsFlow(flow, new TlsServer(config), options);
    await f.handshake(f.engine.start());
    return f;
  }

  get local(): Endpoint {
    return this.inner.local;
  }
  get remote(): Endpoint {
    return this.inner.remote;
  }
  get session(): TlsSummary {
    return this.engine.summary();
  }

  private async handshake(first: TlsOutput): Promise<void> {
    const limit = this.options.handshakeTimeout;
    if (!limit) return this.runHandshake(first);
    let timedOut = false;
    let cancel = () => {};
    const timer = new Promise<void>((resolve) => {
      cancel = limit.clock.timer(BigInt(limit.ms) * 1_000_000n, () => {
        timedOut = true;
        resolve();
      });
    });
    await Promise.race([this.runHandshake(first).catch(() => {}), timer]);
    cancel();
    if (timedOut && this.engine.status === "handshaking") {
      this.apply(this.engine.transportClosed(`no handshake after ${limit.ms} ms`));
      await this.inner.close();
      throw new TlsFlowError("timeout", `no handshake after ${limit.ms} ms`);
    }
    // The race hid the handshake's own outcome: run the checks again.
    if (this.error) throw this.error;
    if (this.engine.status !== "open")
      throw new TlsFlowError("eof", "session closed during the handshake");
  }

  private async runHandshake(first: TlsOutput): Promise<void> {
    this.apply(first);
    while (this.engine.status === "handshaking") {
      await this.pull();
      if (this.error) {
        await this.writing.catch(() => {});
        await this.inner.close();
        throw this.error;
      }
    }
    await this.writing;
    if (this.engine.status !== "open") {
      await this.inner.close();
      throw this.error ?? new TlsFlowError("eof", "session closed during the handshake");
    }
  }

  /** Applies one engine output: records to the transport (in order), data to the queue. */
  private apply(out: TlsOutput): void {
    if (out.records.length > 0) {
      const records = out.records;
      this.writing = this.writing.then(() => this.inner.writev(records));
      // A failed write surfaces at the next read or write; keep the chain from rejecting unseen.
      this.writing.catch(() => {});
    }
    for (const d of out.data) this.queue.push(d);
    for (const e of out.events) {
      this.options.onEvent?.(e);
      if (e.type === "alert-received") {
        this.error = new TlsFlowError("peer-alert", `peer sent ${e.name}`);
      }
    }
    const f = this.engine.failure;
    if (f && !this.error) this.error = new TlsFlowError(f.failure, f.reason);
  }

  /** One read from the transport, through the engine. */
  private async pull(): Promise<void> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.inner.read();
    } catch (e) {
      // A reset: a handshake in progress is over (the trace says so), then the error goes on.
      this.apply(this.engine.transportClosed(`transport failed: ${(e as Error).message}`));
      throw e;
    }
    if (bytes === null) {
      this.eof = true;
      if (!this.engine.readClosed) {
        this.truncated = true;
        if (this.engine.status === "handshaking") {
          this.error = new TlsFlowError("eof", "transport closed during the handshake");
          this.apply(this.engine.transportClosed("transport closed"));
        }
      }
      return;
    }
    this.apply(this.engine.handle(bytes));
  }

  read(): Promise<Uint8Array | null> {
    // Data already decrypted needs no async frame (one per request under keep-alive).
    const next = this.queue.shift();
    return next ? Promise.resolve(next) : this.readMore();
  }

  private async readMore(): Promise<Uint8Array | null> {
    for (;;) {
      const next = this.queue.shift();
      if (next) return next;
      if (this.error) throw this.error;
      if (this.eof || this.engine.readClosed || this.engine.status === "closed") return null;
      await this.pull();
    }
  }

  write(data: Uint8Array): Promise<void> {
    return this.writev([data]);
  }

  /**
   * The buffers go out as one stream: a response's head and body share a record (one AEAD
   * call, 22 bytes of overhead), and full records are filled across buffers. Resolves when
   * the transport took the records. Much data goes in batches (`WRITE_BATCH`), each written
   * before the next is encrypted: the peer receives and decrypts while we encrypt, and at
   * most a batch waits encrypted in memory (a 64 MiB body encrypted whole first was sent
   * at half the rate, bench/tls.ts).
   */
  writev(data: Uint8Array[]): Promise<void> {
    if (this.batching) {
      // A batched write is under way: this one follows it, so the stream keeps its order.
      return this.batching.then(() => this.writev(data));
    }
    if (this.error) return Promise.reject(this.error);
    if (!this.engine.canSend) {
      return Promise.reject(new StackError("closed", "TLS session closed for writing"));
    }
    let total = 0;
    for (const d of data) total += d.length;
    if (total <= WRITE_BATCH) {
      this.apply(this.engine.send(data));
      return this.writing;
    }
    const done = this.writeBatches(data);
    const batching = done.then(
      () => {
        if (this.batching === batching) this.batching = null;
      },
      () => {
        if (this.batching === batching) this.batching = null;
      },
    );
    this.batching = batching;
    return done;
  }

  private async writeBatches(data: Uint8Array[]): Promise<void> {
    let batch: Uint8Array[] = [];
    let size = 0;
    for (const d of data) {
      for (let at = 0; at < d.length; ) {
        const take = Math.min(d.length - at, WRITE_BATCH - size);
        batch.push(take === d.length ? d : d.subarray(at, at + take));
        at += take;
        size += take;
        if (size === WRITE_BATCH) {
          await this.sendBatch(batch);
          batch = [];
          size = 0;
        }
      }
    }
    if (size > 0) await this.sendBatch(batch);
  }

  private sendBatch(batch: Uint8Array[]): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (!this.engine.canSend) {
      return Promise.reject(new StackError("closed", "TLS session closed for writing"));
    }
    this.apply(this.engine.send(batch));
    return this.writing;
  }

  /** Sends close_notify, then half-closes the transport. */
  async shutdown(): Promise<void> {
    this.apply(this.engine.close());
    await this.writing.catch(() => {});
    await this.inner.shutdown().catch(() => {});
  }

  async close(): Promise<void> {
    this.apply(this.engine.close());
    await this.writing.catch(() => {});
    await this.inner.close();
  }

  /** Sends a KeyUpdate (RFC 8446 §4.6.3), asking the peer to update too if `requestPeer`. */
  async updateKeys(requestPeer = false): Promise<void> {
    this.apply(this.engine.updateKeys(requestPeer));
    await this.writing;
  }
}
