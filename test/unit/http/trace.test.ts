import assert from "node:assert/strict";
import { ManualClock, MemStack, settle } from "@morgana/runtime-mem";
import { latin1Encode } from "../../../stack/bytes/index.ts";
import { HttpConnection } from "../../../stack/http/connection.ts";
import { createHttpServer } from "../../../stack/http/index.ts";
import {
  type ConnectionRecording,
  recordInputs,
  replayInputs,
} from "../../../stack/http/record.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";

const MS = 1_000_000n;
const H = "Host: h\r\n";

function bytesOf(parts: Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

describe("http connection tracing", () => {
  it("reports request and response with the state after each", () => {
    const tracer = new TraceRecorder();
    const conn = new HttpConnection({ tracer, traceId: "c1" }, 0n);
    conn.receive(latin1Encode(`GET /a?x HTTP/1.1\r\n${H}\r\nGET /b HTT`), 1n * MS);
    const [req] = tracer.find("http", "request");
    assert.deepEqual(req, {
      layer: "http",
      id: "c1",
      name: "request",
      atNs: 1n * MS,
      state: {
        state: "reading",
        expect: "none",
        reason: undefined,
        pending: 1,
        buffered: 10,
        writing: false,
      },
      detail: { id: 0, method: "GET", target: "/a?x", version: "1.1" },
    });
    conn.respond(0, { status: 201, body: "made" }, 2n * MS);
    const out = conn.takeOutput();
    const [res] = tracer.find("http", "response");
    assert.deepEqual(res?.detail, { id: 0, status: 201, bytes: bytesOf(out) });
    assert.equal(res?.state.pending, 0);
    assert.equal(res?.atNs, 2n * MS);
    assert.equal(tracer.find("http", "state").length, 0, "no state change yet");
  });

  it("reports the deadline that fired, the state changes and the close reason", () => {
    const tracer = new TraceRecorder();
    const conn = new HttpConnection({ tracer, traceId: "c2", headersTimeoutMs: 1_000 }, 0n);
    conn.receive(latin1Encode("GET / HTTP/1.1\r\nHo"), 0n);
    conn.tick(1_000n * MS);
    const names = tracer.events.map((e) => e.name);
    assert.deepEqual(names, ["timeout", "state"]);
    assert.deepEqual(tracer.events[0]?.detail, { deadline: "headers" });
    assert.deepEqual(tracer.events[1]?.detail, { from: "reading" });
    assert.equal(tracer.events[1]?.state.state, "draining");
    assert.equal(tracer.events[1]?.state.reason, "rejected");
    conn.takeOutput();
    const tail = tracer.events.slice(2);
    assert.deepEqual(
      tail.map((e) => [e.name, e.detail]),
      [
        ["response", { id: 0, status: 408, bytes: tail[0]?.detail?.bytes as number }],
        ["state", { from: "draining" }],
        ["close", { reason: "rejected" }],
      ],
    );
    assert.equal(tail[2]?.state.state, "closed");
  });

  it("reports a 100 Continue and a handler error as responses", () => {
    const tracer = new TraceRecorder();
    const conn = new HttpConnection({ tracer }, 0n);
    conn.receive(
      latin1Encode(`PUT / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 1\r\n\r\n`),
      0n,
    );
    conn.takeOutput();
    conn.receive(latin1Encode("x"), 1n);
    conn.respond(0, { status: 99 }, 2n); // invalid: the core answers 500 instead
    conn.takeOutput();
    const statuses = tracer.find("http", "response").map((e) => e.detail?.status);
    assert.deepEqual(statuses, [100, 500]);
    assert.deepEqual(
      tracer.find("http", "state").map((e) => e.state.expect),
      ["owed", "sent", "none"],
    );
    assert.ok(tracer.events.every((e) => e.id === "http"));
  });

  it("builds no event and no summary without a tracer", () => {
    const conn = new HttpConnection({ headersTimeoutMs: 1_000, idleTimeoutMs: 1_000 }, 0n);
    conn.summary = () => {
      throw new Error("summary built without a tracer");
    };
    conn.receive(latin1Encode(`GET / HTTP/1.1\r\n${H}\r\nGET /x HTTP/1.1\r\nHo`), 0n);
    conn.respond(0, { status: 200 }, 1n);
    conn.takeOutput();
    conn.writeStarted(1n);
    conn.flushed(2n);
    conn.tick(5_000n * MS);
    conn.takeOutput();
    assert.equal(conn.closeReason, "rejected");
  });

  it("createHttpServer traces each connection under its own id, a send-timeout drop included", async () => {
    const tracer = new TraceRecorder();
    const clock = new ManualClock();
    const stack = new MemStack();
    const recordings: ConnectionRecording[] = [];
    const device = createHttpServer(stack, clock, 80, {
      tracer,
      sendTimeoutMs: 10_000,
      connection: (options, nowNs) => {
        const r = recordInputs(options, nowNs);
        recordings.push(r.recording);
        return r.connection;
      },
    });
    const serving = device.serve((req) => ({
      status: 200,
      body: req.path === "/big" ? "b".repeat(40_000) : "s",
    }));
    await settle();
    const quick = stack.connect(80);
    const quickText = quick.readAll();
    await quick.write(latin1Encode(`GET /s HTTP/1.1\r\n${H}Connection: close\r\n\r\n`));
    assert.match(await quickText, /\r\n\r\ns$/);
    const stalled = stack.connect(80, 512);
    await stalled.write(latin1Encode(`GET /big HTTP/1.1\r\n${H}\r\n`));
    await settle();
    for (let i = 0; i < 3; i++) await clock.advanceMs(5_000);
    await device.close();
    await serving;

    const ids = [...new Set(tracer.events.map((e) => e.id))];
    assert.equal(ids.length, 2);
    assert.match(ids[0] ?? "", /^http:80#0-10\.0\.0\.1:\d+$/);
    assert.match(ids[1] ?? "", /^http:80#1-/);
    assert.deepEqual(
      tracer.find("http", "close").map((e) => e.detail?.reason),
      ["close-requested", "send-timeout"],
    );
    const timeout = tracer.find("http", "timeout", ids[1]);
    assert.deepEqual(
      timeout.map((e) => e.detail),
      [{ deadline: "send" }],
    );
    assert.equal(timeout[0]?.state.writing, true);

    // Replaying the recorded inputs with a fresh recorder gives the same events.
    for (const [k, recording] of recordings.entries()) {
      const again = new TraceRecorder();
      replayInputs(recording, undefined, { tracer: again });
      assert.deepEqual(
        again.events,
        tracer.events.filter((e) => e.id === ids[k]),
      );
    }
  });
});
