/**
 * One HTTP/1.1 server connection as a pure state machine (sans-IO): no sockets, no clock,
 * no timers. The driver (server.ts) feeds it
 *   - `receive(bytes, nowNs)`   bytes read from the peer,
 *   - `respond(id, res, nowNs)` / `fail(id, nowNs)`  the handler's answer to request `id`,
 *   - `peerClosed(nowNs)` / `shutdown(nowNs)`  end of the peer's stream / of the server,
 *   - `writeStarted(nowNs)`     a write of `takeOutput`'s bytes began,
 *   - `flushed(nowNs)`          that write completed,
 *   - `aborted(nowNs)`          the flow failed,
 *   - `tick(nowNs)`             time passing,
 * and collects
 *   - `takeRequests()`          requests to hand to the handler,
 *   - `takeOutput(dateMs?)`     bytes to write, responses in request order (RFC 9112 §9.3.2),
 *   - `closed`, `dropped`       close the flow once the output is written / at once,
 *   - `timeoutAtNs()`           when to call `tick` next (like smoltcp's `poll_at`).
 * Every deadline (header, body, whole request, idle, send) lives here, so the same inputs at
 * the same times give the same outputs: a recorded connection replays exactly.
 * States are explicit (state.ts).
 */

import { concatBytes, latin1Encode } from "../bytes/index.ts";
import { NS_PER_MS } from "../devices/clock.ts";
import type { Json, Tracer } from "../trace/tracer.ts";
import type { HttpRequest, HttpResponse } from "./message.ts";
import { DEFAULT_PARSER_LIMITS, type ParserLimits, RequestParser } from "./parser.ts";
import { type SerializedResponse, serializeResponse } from "./serializer.ts";
import {
  type CloseReason,
  type ConnectionState,
  closedState,
  type Deadline,
  type DrainReason,
  draining,
  READING,
  READING_CONTINUE_OWED,
  READING_CONTINUE_SENT,
} from "./state.ts";

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
  /**
   * How long one write of response bytes may wait for the client to take it before the
   * connection is dropped: a client that stops reading must not hold a connection forever.
   * Default 60000.
   */
  sendTimeoutMs?: number;
  /** Requests parsed ahead of their responses (pipelining depth). Default 16. */
  maxPipelined?: number;
  /**
   * Reports request, response, timeout, state and close events (layer "http") here. None set:
   * no event is built (stack/trace/tracer.ts).
   */
  tracer?: Tracer;
  /** The events' `id`: names this connection while it lives. Default "http". */
  traceId?: string;
}

export const DEFAULT_CONNECTION_OPTIONS = {
  ...DEFAULT_PARSER_LIMITS,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  sendTimeoutMs: 60_000,
  maxPipelined: 16,
};

/** A connection's state as a trace event carries it: plain JSON. */
export interface ConnectionSummary {
  [key: string]: Json | undefined;
  /** The state's kind: "reading", "draining" or "closed". */
  state: ConnectionState["kind"];
  /** reading: where a 100 (Continue) stands; draining, closed: why. */
  expect?: string;
  reason?: string;
  /** Requests owed a response. */
  pending: number;
  /** Received bytes not yet part of a parsed request. */
  buffered: number;
  /** A write is under way (the send deadline runs). */
  writing: boolean;
}

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

const CONTINUE = latin1Encode("HTTP/1.1 100 Continue\r\n\r\n");
const EMPTY = new Uint8Array(0);

export class HttpConnection {
  private readonly parser: RequestParser;
  private readonly headersTimeoutNs: bigint;
  private readonly idleTimeoutNs: bigint;
  private readonly requestTimeoutNs: bigint;
  private readonly sendTimeoutNs: bigint;
  private readonly maxPipelined: number;
  private current: ConnectionState = READING;
  /** Received bytes not yet part of a parsed request. */
  private buffer: Uint8Array = EMPTY;
  private readonly slots: Slot[] = [];
  private requests: PendingRequest[] = [];
  private nextId = 0;
  private now: bigint;
  private idleSinceNs: bigint;
  private partialSinceNs: bigint;
  private lastReceiveNs: bigint;
  /** When the write under way began; null when no write is under way. */
  private writingSinceNs: bigint | null = null;
  private readonly tracer: Tracer | undefined;
  /** The status of the response `serialize` last wrote, for its trace event. */
  private lastStatus = 0;
  private readonly traceId: string;

  constructor(options: ConnectionOptions = {}, nowNs = 0n) {
    const o = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
    this.parser = new RequestParser(o);
    this.headersTimeoutNs = msToNs(o.headersTimeoutMs);
    this.idleTimeoutNs = msToNs(o.idleTimeoutMs);
    this.requestTimeoutNs = msToNs(o.requestTimeoutMs);
    this.sendTimeoutNs = msToNs(o.sendTimeoutMs);
    this.maxPipelined = Math.max(1, o.maxPipelined);
    this.tracer = options.tracer;
    this.traceId = options.traceId ?? "http";
    this.now = nowNs;
    this.idleSinceNs = nowNs;
    this.partialSinceNs = nowNs;
    this.lastReceiveNs = nowNs;
  }

  /** The state, for drivers, tests and the debugger (state.ts). */
  get state(): ConnectionState {
    return this.current;
  }

  /** True once the connection is finished: close the flow after writing `takeOutput()`. */
  get closed(): boolean {
    return this.current.kind === "closed";
  }

  /** Why the connection closed; null while it lives. */
  get closeReason(): CloseReason | null {
    return this.current.kind === "closed" ? this.current.reason : null;
  }

  /** True when the flow must close at once, abandoning any write under way. */
  get dropped(): boolean {
    const reason = this.closeReason;
    return reason === "send-timeout" || reason === "aborted";
  }

  /** Whether the driver should read more bytes now (false while the pipeline is full). */
  get wantsRead(): boolean {
    return this.current.kind === "reading" && this.slots.length < this.maxPipelined;
  }

  /** Requests owed a response and not yet answered by the handler or written. */
  get pending(): number {
    return this.slots.length;
  }

  /**
   * The shortest timeout of this connection. A deadline is never set closer than this to the
   * input that sets it, so a host that sleeps at most this long between looks at
   * `timeoutAtNs()` never misses one.
   */
  get maxSleepNs(): bigint {
    let min = this.headersTimeoutNs;
    for (const t of [this.idleTimeoutNs, this.requestTimeoutNs, this.sendTimeoutNs]) {
      if (t < min) min = t;
    }
    return min > 0n ? min : 1n;
  }

  receive(data: Uint8Array, nowNs: bigint): void {
    this.now = nowNs;
    if (this.current.kind !== "reading" || data.length === 0) return;
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
    this.answer(id, response, nowNs);
  }

  /** The handler failed on request `id`: answer 500 (RFC 9110 §15.6.1); the connection goes on. */
  fail(id: number, nowNs: bigint): void {
    this.answer(id, errorResponse(500, "the handler failed"), nowNs);
  }

  /** The peer ended its side: answer what was asked, then close (RFC 9112 §9.6). */
  peerClosed(nowNs: bigint): void {
    this.stopReading("peer-closed", nowNs);
  }

  /** Stop taking requests (server shutting down): answer the owed ones, then close. */
  shutdown(nowNs: bigint): void {
    this.stopReading("shutdown", nowNs);
  }

  /** The driver began writing bytes `takeOutput` gave it: the send deadline starts. */
  writeStarted(nowNs: bigint): void {
    this.now = nowNs;
    if (!this.dropped) this.writingSinceNs = nowNs;
  }

  /** The driver wrote everything `takeOutput` gave it. */
  flushed(nowNs: bigint): void {
    this.now = nowNs;
    this.writingSinceNs = null;
    if (this.slots.length === 0) this.idleSinceNs = nowNs;
  }

  /**
   * The flow failed (reset; a read or a write rejected): nothing more can be sent. After a
   * close (the driver's own close fails the read it left pending) it changes nothing.
   */
  aborted(nowNs: bigint): void {
    this.now = nowNs;
    if (this.current.kind === "closed") return; // ended already; the reason stays
    this.drop("aborted");
  }

  /**
   * Absolute time at which `tick` has something to do, or null: a write's send deadline
   * (while a write waits, the only one: a slow reader is not idle), a partial request's
   * header deadline, a body's stall or whole-request deadline, or the idle deadline of a
   * keep-alive connection.
   */
  timeoutAtNs(): bigint | null {
    const next = this.nextDeadline();
    return next === null ? null : this.deadlineAt(next);
  }

  tick(nowNs: bigint): void {
    this.now = nowNs;
    const next = this.nextDeadline();
    if (next === null || nowNs < this.deadlineAt(next)) return;
    if (this.tracer !== undefined) this.trace("timeout", { deadline: next });
    if (next === "send") {
      this.drop("send-timeout");
    } else if (next === "idle") {
      this.enter(closedState("idle-timeout")); // close silently (RFC 9112 §9.5)
    } else {
      // RFC 9110 §15.5.9: 408 for a request that did not arrive in time, then close.
      this.reject(408, "request not received in time");
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
      if (this.tracer !== undefined) {
        const bytes = r.head.length + (r.body === null ? 0 : r.body.length);
        this.trace("response", { id: slot.id, status: this.lastStatus, bytes });
      }
      if (r.close) {
        const reason = this.current.kind === "draining" ? this.current.reason : "close-requested";
        this.slots.length = 0;
        this.requests = [];
        this.buffer = EMPTY;
        this.enter(closedState(reason));
        break;
      }
    }
    if (progressed) {
      if (this.current.kind === "draining" && this.slots.length === 0) {
        this.enter(closedState(this.current.reason));
      }
      if (this.slots.length === 0) this.idleSinceNs = this.now;
      if (this.current.kind === "reading" && this.buffer.length > 0) this.parseBuffered();
    }
    if (this.current.kind === "reading" && this.current.expect === "owed") {
      // After every earlier response, before the final one for this request.
      this.enter(READING_CONTINUE_SENT);
      out.push(CONTINUE);
      if (this.tracer !== undefined)
        this.trace("response", { status: 100, bytes: CONTINUE.length });
    }
    return out;
  }

  /** Which deadline comes next; its time is `deadlineAt`. */
  private nextDeadline(): Deadline | null {
    if (this.writingSinceNs !== null) return "send";
    if (this.current.kind !== "reading") return null;
    if (this.buffer.length > 0) {
      if (!this.parser.inBody) return "headers";
      return this.deadlineAt("body-stall") < this.deadlineAt("request") ? "body-stall" : "request";
    }
    return this.slots.length === 0 ? "idle" : null;
  }

  private deadlineAt(deadline: Deadline): bigint {
    switch (deadline) {
      case "send":
        return (this.writingSinceNs ?? this.now) + this.sendTimeoutNs;
      case "headers":
        return this.partialSinceNs + this.headersTimeoutNs;
      case "body-stall":
        return this.lastReceiveNs + this.headersTimeoutNs;
      case "request":
        return this.partialSinceNs + this.requestTimeoutNs;
      case "idle":
        return this.idleSinceNs + this.idleTimeoutNs;
    }
  }

  private enter(next: ConnectionState): void {
    const from = this.current;
    this.current = next;
    if (this.tracer === undefined || from === next) return;
    this.trace("state", { from: from.kind });
    if (next.kind === "closed") this.trace("close", { reason: next.reason });
  }

  /** Reports one event; callers check `this.tracer` first, so nothing is built without one. */
  private trace(name: string, detail: { [key: string]: Json | undefined }): void {
    this.tracer?.event({
      layer: "http",
      id: this.traceId,
      name,
      atNs: this.now,
      state: this.summary(),
      detail,
    });
  }

  /** The state as plain JSON, for trace events and the debugger's views. */
  summary(): ConnectionSummary {
    const c = this.current;
    return {
      state: c.kind,
      expect: c.kind === "reading" ? c.expect : undefined,
      reason: c.kind === "reading" ? undefined : c.reason,
      pending: this.slots.length,
      buffered: this.buffer.length,
      writing: this.writingSinceNs !== null,
    };
  }

  // Inputs never call other public inputs: a recording subclass (record.ts) sees each once.
  private answer(id: number, response: HttpResponse, nowNs: bigint): void {
    this.now = nowNs;
    const slot = this.slot(id);
    if (slot !== undefined && slot.response === null) slot.response = response;
  }

  private serialize(slot: Slot, response: HttpResponse, dateMs?: number): SerializedResponse {
    this.lastStatus = response.status;
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
      this.lastStatus = 500;
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
    while (this.current.kind === "reading" && this.buffer.length > 0) {
      if (this.slots.length >= this.maxPipelined) return;
      const result = this.parser.parse(this.buffer);
      if (result.kind === "need-more") {
        if (
          this.parser.waitsForContinue &&
          this.current.expect === "none" &&
          this.slots.length === 0
        ) {
          this.enter(READING_CONTINUE_OWED);
        }
        return;
      }
      if (result.kind === "error") {
        this.reject(result.status, result.reason);
        return;
      }
      // The request is whole: a 100 (Continue) still owed for it is no longer wanted.
      if (this.current.expect !== "none") this.enter(READING);
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
      if (this.tracer !== undefined) {
        const { method, target, version } = request;
        this.trace("request", { id, method, target, version });
      }
      // RFC 9112 §9.6: no further requests are processed after one that asks to close.
      if (!result.keepAlive) this.drain("close-requested");
    }
  }

  private stopReading(reason: "peer-closed" | "shutdown", nowNs: bigint): void {
    this.now = nowNs;
    if (this.current.kind !== "reading") return;
    this.parser.reset(); // an incomplete request can never complete
    this.drain(reason);
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
    this.drain("rejected");
  }

  private drain(reason: DrainReason): void {
    this.buffer = EMPTY;
    this.enter(this.slots.length === 0 ? closedState(reason) : draining(reason));
  }

  /** Closes at once: nothing owed is sent, the write under way is abandoned. */
  private drop(reason: "send-timeout" | "aborted"): void {
    this.slots.length = 0;
    this.requests = [];
    this.buffer = EMPTY;
    this.writingSinceNs = null;
    this.enter(closedState(reason));
  }
}

const NO_REQUESTS: readonly PendingRequest[] = [];

function msToNs(ms: number): bigint {
  return BigInt(Math.max(0, Math.round(ms))) * NS_PER_MS;
}

function errorResponse(status: number, reason: string): HttpResponse {
  return {
    status,
    headers: [["Content-Type", "text/plain; charset=utf-8"]],
    body: `${reason}\n`,
  };
}
