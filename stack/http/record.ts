/**
 * Recording and replaying the inputs of an HTTP connection core. The core is a pure function
 * of its inputs and their times (connection.ts), so feeding a fresh core the recorded inputs
 * reproduces every output: what a debugger steps back through, and what a test checks.
 */

import { type ConnectionOptions, HttpConnection, type PendingRequest } from "./connection.ts";
import type { HttpResponse } from "./message.ts";

/** One call into the core, with the arguments it was given (bytes copied). */
export type ConnectionInput =
  | { op: "receive"; atNs: bigint; data: Uint8Array }
  | { op: "respond"; atNs: bigint; id: number; response: HttpResponse }
  | { op: "fail"; atNs: bigint; id: number }
  | {
      op: "peerClosed" | "shutdown" | "writeStarted" | "flushed" | "aborted" | "tick";
      atNs: bigint;
    }
  | { op: "takeRequests" }
  | { op: "takeOutput"; dateMs: number | undefined };

/** What a call returned: bytes for takeOutput (copied), requests for takeRequests. */
export type ConnectionResult = Uint8Array[] | readonly PendingRequest[] | undefined;

export interface ConnectionRecording {
  options: ConnectionOptions;
  nowNs: bigint;
  inputs: ConnectionInput[];
}

/** Called after each input with what it returned and the core, to look at its state. */
export type StepObserver = (
  input: ConnectionInput,
  result: ConnectionResult,
  conn: HttpConnection,
) => void;

/**
 * A core that appends every input to `recording.inputs` (and tells `observe` after each one).
 * Plug it into the driver with `HttpServerOptions.connection`.
 */
export function recordInputs(
  options: ConnectionOptions,
  nowNs: bigint,
  observe?: StepObserver,
): { connection: HttpConnection; recording: ConnectionRecording } {
  const recording: ConnectionRecording = { options, nowNs, inputs: [] };
  const log = (input: ConnectionInput, result: ConnectionResult, conn: HttpConnection): void => {
    recording.inputs.push(input);
    observe?.(input, result, conn);
  };
  return { connection: new RecordingConnection(options, nowNs, log), recording };
}

/**
 * Feeds the recorded inputs, in order, to a fresh core; `observe` sees each step. `overrides`
 * replace recorded options that do not change behaviour (a tracer to trace the replay).
 */
export function replayInputs(
  recording: ConnectionRecording,
  observe?: StepObserver,
  overrides: Pick<ConnectionOptions, "tracer" | "traceId"> = {},
): HttpConnection {
  const conn = new HttpConnection({ ...recording.options, ...overrides }, recording.nowNs);
  for (const input of recording.inputs) {
    const result = applyInput(conn, input); // not inside `observe?.(...)`: it may be absent
    observe?.(input, result, conn);
  }
  return conn;
}

/** Makes the call `input` describes. */
export function applyInput(conn: HttpConnection, input: ConnectionInput): ConnectionResult {
  switch (input.op) {
    case "takeRequests":
      return conn.takeRequests();
    case "takeOutput":
      return copyAll(conn.takeOutput(input.dateMs));
    case "receive":
      conn.receive(input.data, input.atNs);
      return undefined;
    case "respond":
      conn.respond(input.id, input.response, input.atNs);
      return undefined;
    case "fail":
      conn.fail(input.id, input.atNs);
      return undefined;
    default:
      conn[input.op](input.atNs);
      return undefined;
  }
}

/** Output bytes may live in pooled buffers that are reused once written: keep copies. */
function copyAll(parts: Uint8Array[]): Uint8Array[] {
  return parts.map((p) => p.slice());
}

class RecordingConnection extends HttpConnection {
  constructor(
    options: ConnectionOptions,
    nowNs: bigint,
    private readonly log: (i: ConnectionInput, r: ConnectionResult, c: HttpConnection) => void,
  ) {
    super(options, nowNs);
  }

  override receive(data: Uint8Array, nowNs: bigint): void {
    const input: ConnectionInput = { op: "receive", atNs: nowNs, data: data.slice() };
    super.receive(data, nowNs);
    this.log(input, undefined, this);
  }

  override respond(id: number, response: HttpResponse, nowNs: bigint): void {
    super.respond(id, response, nowNs);
    this.log({ op: "respond", atNs: nowNs, id, response }, undefined, this);
  }

  override fail(id: number, nowNs: bigint): void {
    super.fail(id, nowNs);
    this.log({ op: "fail", atNs: nowNs, id }, undefined, this);
  }

  override peerClosed(nowNs: bigint): void {
    this.simple("peerClosed", nowNs, () => super.peerClosed(nowNs));
  }

  override shutdown(nowNs: bigint): void {
    this.simple("shutdown", nowNs, () => super.shutdown(nowNs));
  }

  override writeStarted(nowNs: bigint): void {
    this.simple("writeStarted", nowNs, () => super.writeStarted(nowNs));
  }

  override flushed(nowNs: bigint): void {
    this.simple("flushed", nowNs, () => super.flushed(nowNs));
  }

  override aborted(nowNs: bigint): void {
    this.simple("aborted", nowNs, () => super.aborted(nowNs));
  }

  override tick(nowNs: bigint): void {
    this.simple("tick", nowNs, () => super.tick(nowNs));
  }

  override takeRequests(): readonly PendingRequest[] {
    const requests = super.takeRequests();
    this.log({ op: "takeRequests" }, requests, this);
    return requests;
  }

  override takeOutput(dateMs?: number): Uint8Array[] {
    const out = super.takeOutput(dateMs);
    this.log({ op: "takeOutput", dateMs }, copyAll(out), this);
    return out;
  }

  private simple(
    op: "peerClosed" | "shutdown" | "writeStarted" | "flushed" | "aborted" | "tick",
    nowNs: bigint,
    call: () => void,
  ): void {
    call();
    this.log({ op, atNs: nowNs }, undefined, this);
  }
}
