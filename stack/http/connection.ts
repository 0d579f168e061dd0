/**
 * One HTTP/1.1 server connection as a pure state machine (sans-IO): no sockets, no clock,
 * no timers. The driver (server.ts) feeds it
 *   - `receive(bytes, nowNs)`   bytes read from the peer,
 *   - `respond(id, res, nowNs)` / `fail(id, nowNs)`  the handler's answer to request `id`,
 *   - `peerClosed(nowNs)`       end of the peer's stream,
 *   - `flushed(nowNs)`          the last output has been written,
 *   - `tick(nowNs)`             time passing,
 * and collects
 *   - `takeRequests()`          requests to hand to the handler,
 *   - `takeOutput(dateMs?)`     bytes to write, responses in request order (RFC 9112 §9.3.2),
 *   - `closed`                  close the flow once the output is written,
 *   - `timeoutAtNs()`           when to call `tick` next (like smoltcp's `poll_at`).
 */

import { concatBytes, latin1Encode } from "../bytes/index.ts";
import { NS_PER_MS } from "../devices/clock.ts";
import type { HttpRequest, HttpResponse } from "./message.ts";
import { DEFAULT_PARSER_LIMITS, type ParserLimits, RequestParser } from "./parser.ts";
import { type SerializedResponse, serializeResponse } from "./serializer.ts";

export interface ConnectionOptions extends Partial<ParserLimits> {
  /** A request whose header section is not complete after this long gets 408. Default 10000. */
  headersTimeoutMs?: number;
  /**
   * A whole request (head and body) not received within this long gets 408, however steadily
   * its bytes trickle in (slow uploads that never end). Default 60000.
   */
  requestTimeoutMs?: number;
  /** A keep-alive connection with nothing to do for this long is closed. Default 5000. */
  idleTimeoutMs?: number;
  /** Requests parsed ahead of their responses (pipelining depth). Default 16. */
  maxPipelined?: number;
}

export const DEFAULT_CONNECTION_OPTIONS = {
  ...DEFAULT_PARSER_LIMITS,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  maxPipelined: 16,
};

export interface PendingRequest {
  /** Sequence number on this connection, from 0; answer with `respond(id, ...)`. */
  id: number;
  request: HttpRequest;
}

/** A request owed a response, in arrival order. */
interface Slot {
  id: number;
  headRequest: boolean;
  /** Keep the connection after this response (RFC 9112 §9.3). */
  keepAlive: boolean;
  /** HTTP/1.0 client that asked for keep-alive: say so in the response. */
  announceKeepAlive: boolean;
  response: HttpResponse | null;
}

/**
 * open: reading requests. draining: no more requests (peer done, error queued, or "close"
 * asked); the owed responses go out, then closed. closed: close the flow.
 */
type State = "open" | "draining" | "closed";

const CONTINUE = latin1Encode("HTTP/1.1 100 Continue\r\n\r\n");
const EMPTY = new Uint8Array(0);

export class HttpConnection {
  private readonly parser: RequestParser;
  private readonly headersTimeoutNs: bigint;
  private readonly idleTimeoutNs: bigint;
  private readonly requestTimeoutNs: bigint;
  private readonly maxPipelined: number;
  private state: State = "open";
  /** Received bytes not yet part of a parsed request. */
  private buffer: Uint8Array = EMPTY;
  private readonly slots: Slot[] = [];
  private requests: PendingRequest[] = [];
  private nextId = 0;
  private now: bigint;
  private idleSinceNs: bigint;
  private partialSinceNs: bigint;
  private lastReceiveNs: bigint;
  private continueSent = false;
  private pendingContinue = false;

  constructor(options: ConnectionOptions = {}, nowNs = 0n) {
    const o = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
    this.parser = new RequestParser(o);
    this.headersTimeoutNs = BigInt(Math.round(o.headersTimeoutMs)) * NS_PER_MS;
    this.idleTimeoutNs = BigInt(Math.round(o.idleTimeoutMs)) * NS_PER_MS;
    this.requestTimeoutNs = BigInt(Math.round(o.requestTimeoutMs)) * NS_PER_MS;
    this.maxPipelined = Math.max(1, o.maxPipelined);
    this.now = nowNs;
    this.idleSinceNs = nowNs;
    this.partialSinceNs = nowNs;
    this.lastReceiveNs = nowNs;
  }

  /** True once the connection is finished: close the flow after writing `takeOutput()`. */
  get closed(): boolean {
    return this.state === "closed";
  }

  /** Whether the driver should read more bytes now (false while the pipeline is full). */
  get wantsRead(): boolean {
    return this.state === "open" && this.slots.length < this.maxPipelined;
  }

  /** Requests owed a response and not yet answered by the handler or written. */
  get pending(): number {
    return this.slots.length;
  }

  receive(data: Uint8Array, nowNs: bigint): void {
    this.now = nowNs;
    if (this.state !== "open" || data.length === 0) return;
    if (this.buffer.length === 0) {
      this.buffer = data;
      this.partialSinceNs = nowNs;
    } else {
      this.buffer = concatBytes([this.buffer, data]);
    }
    this.lastReceiveNs = nowNs;
    this.parseBuffered();
  }

  /** The handler's response to request `id`. Unknown or already answered ids are ignored. */
  respond(id: number, response: HttpResponse, nowNs: bigint): void {
    this.now = nowNs;
    const slot = this.slot(id);
    if (slot !== undefined && slot.response === null) slot.response = response;
  }

  /** The handler failed on request `id`: answer 500 (RFC 9110 §15.6.1); the connection goes on. */
  fail(id: number, nowNs: bigint): void {
    this.respond(id, errorResponse(500, "the handler failed"), nowNs);
  }

  /** The peer ended its side: answer what was asked, then close (RFC 9112 §9.6). */
  peerClosed(nowNs: bigint): void {
    this.now = nowNs;
    if (this.state !== "open") return;
    this.buffer = EMPTY; // an incomplete request can never complete
    this.parser.reset();
    this.drain();
  }

  /** Stop taking requests (server shutting down): answer the owed ones, then close. */
  shutdown(nowNs: bigint): void {
    this.peerClosed(nowNs);
  }

  /** The driver wrote everything `takeOutput` gave it. */
  flushed(nowNs: bigint): void {
    this.now = nowNs;
    if (this.slots.length === 0) this.idleSinceNs = nowNs;
  }

  /**
   * Absolute time at which `tick` has something to do, or null: a partial request's header
   * deadline, a stalled body's deadline, or the idle deadline of a keep-alive connection.
   */
  timeoutAtNs(): bigint | null {
    if (this.state !== "open") return null;
    if (this.buffer.length > 0) {
      if (this.parser.inBody) {
        const stalled = this.lastReceiveNs + this.headersTimeoutNs;
        const whole = this.partialSinceNs + this.requestTimeoutNs;
        // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
        return stalled < whole ? stalled : whole;
      }
      return this.partialSinceNs + this.headersTimeoutNs;
    }
    if (this.slots.length === 0) return this.idleSinceNs + this.idleTimeoutNs;
    return null;
  }

  tick(nowNs: bigint): void {
    this.now = nowNs;
    const at = this.timeoutAtNs();
    if (at === null || nowNs < at) return;
    if (this.buffer.length > 0) {
      // RFC 9110 §15.5.9: 408 for a request that did not arrive in time, then close.
      this.reject(408, "request not received in time");
    } else {
      this.state = "closed"; // idle keep-alive connection: close silently (RFC 9112 §9.5)
    }
  }

  /** Requests parsed since the last call, for the handler. */
  takeRequests(): readonly PendingRequest[] {
    if (this.requests.length === 0) return NO_REQUESTS;
    const out = this.requests;
    this.requests = [];
    return out;
  }

  /**
   * Bytes to write: the responses that are ready, in request order, each as head then body.
   * `dateMs` is the wall-clock time for their Date fields (none if omitted).
   */
  takeOutput(dateMs?: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let progressed = false;
    for (;;) {
      const slot = this.slots[0];
      if (slot === undefined || slot.response === null) break;
      this.slots.shift();
      progressed = true;
      const r = this.serialize(slot, slot.response, dateMs);
      out.push(r.head);
      if (r.body !== null) out.push(r.body);
      if (r.close) {
        this.slots.length = 0;
        this.requests = [];
        this.buffer = EMPTY;
        this.state = "closed";
        break;
      }
    }
    if (progressed) {
      if (this.state === "draining" && this.slots.length === 0) this.state = "closed";
      if (this.slots.length === 0) this.idleSinceNs = this.now;
      if (this.state === "open" && this.buffer.length > 0) this.parseBuffered();
    }
    if (this.pendingContinue) {
      // After every earlier response, before the final one for this request.
      this.pendingContinue = false;
      out.push(CONTINUE);
    }
    return out;
  }

  private serialize(slot: Slot, response: HttpResponse, dateMs?: number): SerializedResponse {
    const options = {
      headRequest: slot.headRequest,
      dateMs,
      close: !slot.keepAlive,
      keepAlive: slot.announceKeepAlive,
    };
    try {
      return serializeResponse(response, options);
    } catch {
      // An invalid status or field from the handler (RFC 9110 §15.6.1).
      return serializeResponse(errorResponse(500, "invalid response"), options);
    }
  }

  private slot(id: number): Slot | undefined {
    const first = this.slots[0];
    if (first === undefined) return undefined;
    const slot = this.slots[id - first.id];
    return slot?.id === id ? slot : undefined;
  }

  private parseBuffered(): void {
    while (this.state === "open" && this.buffer.length > 0) {
      if (this.slots.length >= this.maxPipelined) return;
      const result = this.parser.parse(this.buffer);
      if (result.kind === "need-more") {
        if (this.parser.waitsForContinue && !this.continueSent && this.slots.length === 0) {
          this.continueSent = true;
          this.pendingContinue = true;
        }
        return;
      }
      if (result.kind === "error") {
        this.reject(result.status, result.reason);
        return;
      }
      this.continueSent = false;
      const rest = this.buffer.length - result.consumed;
      this.buffer = rest === 0 ? EMPTY : this.buffer.subarray(result.consumed);
      this.partialSinceNs = this.now;
      const request = result.request;
      const id = this.nextId++;
      this.slots.push({
        id,
        headRequest: request.method === "HEAD",
        keepAlive: result.keepAlive,
        announceKeepAlive: result.keepAlive && request.version === "1.0",
        response: null,
      });
      this.requests.push({ id, request });
      // RFC 9112 §9.6: no further requests are processed after one that asks to close.
      if (!result.keepAlive) this.drain();
    }
  }

  /** Queues an error response after the owed ones, then closes (RFC 9112 §9.6). */
  private reject(status: number, reason: string): void {
    this.slots.push({
      id: this.nextId++,
      headRequest: false,
      keepAlive: false,
      announceKeepAlive: false,
      response: errorResponse(status, reason),
    });
    this.drain();
  }

  private drain(): void {
    this.buffer = EMPTY;
    this.pendingContinue = false;
    this.state = this.slots.length === 0 ? "closed" : "draining";
  }
}

const NO_REQUESTS: readonly PendingRequest[] = [];

function errorResponse(status: number, reason: string): HttpResponse {
  return {
    status,
    headers: [["Content-Type", "text/plain; charset=utf-8"]],
    body: `${reason}\n`,
  };
}
