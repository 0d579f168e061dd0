import assert from "node:assert/strict";
import { ManualClock, type MemFlow, MemStack, settle } from "@morgana/runtime-mem";
import { latin1Encode, toHex } from "../../../stack/bytes/index.ts";
import type { HttpConnection, PendingRequest } from "../../../stack/http/connection.ts";
import { createHttpServer, type HttpHandler } from "../../../stack/http/index.ts";
import {
  type ConnectionInput,
  type ConnectionRecording,
  type ConnectionResult,
  recordInputs,
  replayInputs,
} from "../../../stack/http/record.ts";
import { rng } from "../../helpers/rng.ts";

const H = "Host: h\r\n";

/** Everything observable after one step, as plain data. */
function snapshot(input: ConnectionInput, result: ConnectionResult, conn: HttpConnection) {
  let out: unknown = null;
  if (input.op === "takeOutput") out = (result as Uint8Array[]).map(toHex);
  if (input.op === "takeRequests") {
    out = (result as readonly PendingRequest[]).map(({ id, request }) => [
      id,
      request.method,
      request.target,
      toHex(request.body),
    ]);
  }
  return {
    op: input.op,
    out,
    timeoutAtNs: conn.timeoutAtNs(),
    closed: conn.closed,
    closeReason: conn.closeReason,
    dropped: conn.dropped,
    state: conn.state,
    pending: conn.pending,
    wantsRead: conn.wantsRead,
  };
}

type Snapshot = ReturnType<typeof snapshot>;

async function drain(flow: MemFlow): Promise<string> {
  return flow.readAll();
}

describe("http connection: replaying recorded inputs", () => {
  it("reproduces every output of connections served by the real driver, a dropped one included", async () => {
    const recorded: { recording: ConnectionRecording; steps: Snapshot[] }[] = [];
    const clock = new ManualClock();
    const stack = new MemStack();
    const handler: HttpHandler = async (req) => {
      if (req.path === "/big") return { status: 200, body: "z".repeat(50_000) };
      if (req.path === "/throw") throw new Error("boom");
      return { status: 200, body: `${req.method} ${req.path} ${req.body.length}` };
    };
    const device = createHttpServer(stack, clock, 80, {
      idleTimeoutMs: 5_000,
      headersTimeoutMs: 10_000,
      sendTimeoutMs: 30_000,
      connection: (options, nowNs) => {
        const steps: Snapshot[] = [];
        const r = recordInputs(options, nowNs, (i, res, c) => steps.push(snapshot(i, res, c)));
        recorded.push({ recording: r.recording, steps });
        return r.connection;
      },
    });
    const serving = device.serve(handler);
    await settle();

    // 1: keep-alive, pipelining, 100-continue, a failing handler, then a bad request (400).
    const a = stack.connect(80);
    const aText = drain(a);
    await a.write(latin1Encode(`GET /one HTTP/1.1\r\n${H}\r\nGET /throw HTTP/1.1\r\n${H}\r\n`));
    await settle();
    await clock.advanceMs(7);
    await a.write(
      latin1Encode(`POST /up HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 3\r\n\r\n`),
    );
    await settle();
    await clock.advanceMs(3);
    await a.write(latin1Encode("abc"));
    await settle();
    await a.write(latin1Encode("BROKEN\r\n\r\n"));
    const aAll = await aText;
    assert.match(aAll, /100 Continue/);
    assert.match(aAll, /POST \/up 3/);
    assert.match(aAll, /HTTP\/1.1 500/);
    assert.match(aAll, /HTTP\/1.1 400/);

    // 2: a partial head that never completes (408), 3: an idle keep-alive connection.
    const b = stack.connect(80);
    const bText = drain(b);
    await b.write(latin1Encode("GET / HTTP/1.1\r\nHo"));
    const c = stack.connect(80);
    const cText = drain(c);
    await c.write(latin1Encode(`GET /c HTTP/1.1\r\n${H}\r\n`));
    await settle();
    for (let i = 0; i < 4; i++) await clock.advanceMs(2_500);
    assert.match(await bText, /^HTTP\/1.1 408/);
    assert.match(await cText, /GET \/c 0/);

    // 4: a client that stops reading: its write stalls and the core drops it.
    const d = stack.connect(80, 1024);
    await d.write(latin1Encode(`GET /big HTTP/1.1\r\n${H}\r\n`));
    await settle();
    for (let i = 0; i < 7; i++) await clock.advanceMs(5_000);
    await settle();

    await device.close();
    await serving;
    await settle();

    assert.equal(recorded.length, 4);
    const reasons = recorded.map(({ steps }) => steps.at(-1)?.closeReason);
    assert.deepEqual(reasons, ["rejected", "rejected", "idle-timeout", "send-timeout"]);
    const dropped = recorded[3];
    assert.ok(dropped?.recording.inputs.some((i) => i.op === "writeStarted"));
    assert.ok(dropped?.recording.inputs.some((i) => i.op === "tick"));
    assert.ok(!dropped?.recording.inputs.some((i) => i.op === "flushed"), "the write never ended");

    for (const { recording, steps } of recorded) {
      assert.ok(steps.length > 3);
      const replayed: Snapshot[] = [];
      const conn = replayInputs(recording, (i, res, c) => replayed.push(snapshot(i, res, c)));
      assert.equal(replayed.length, steps.length);
      for (let k = 0; k < steps.length; k++) {
        assert.deepEqual(replayed[k], steps[k], `step ${k} (${steps[k]?.op})`);
      }
      assert.equal(conn.closeReason, steps.at(-1)?.closeReason);
    }

    // The comparison has teeth: without its ticks the core never drops the stalled connection
    // for the send timeout; only the flow failing afterwards ends it.
    const recording = dropped?.recording as ConnectionRecording;
    const noTicks = { ...recording, inputs: recording.inputs.filter((i) => i.op !== "tick") };
    assert.equal(replayInputs(noTicks).closeReason, "aborted");
  });

  it("reproduces outputs for random input sequences at random times (300 seeds)", () => {
    const texts = [
      `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
      `POST /p HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody`,
      `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nBAD REQUEST LINE\r\n\r\n",
    ];
    let dropped = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const next = rng(seed * 104_729);
      const options = {
        headersTimeoutMs: 50,
        idleTimeoutMs: 80,
        sendTimeoutMs: 40,
        requestTimeoutMs: 200,
      };
      const steps: Snapshot[] = [];
      const { connection: conn, recording } = recordInputs(options, 0n, (i, r, c) =>
        steps.push(snapshot(i, r, c)),
      );
      const input = latin1Encode(texts[seed % texts.length] as string);
      let fed = 0;
      let now = 0n;
      let writing = false;
      const owed: number[] = [];
      for (let k = 0; k < 40 && !conn.closed; k++) {
        now += BigInt(Math.floor(next() * 30)) * 1_000_000n;
        const op = next();
        if (op < 0.3 && fed < input.length) {
          const take = 1 + Math.floor(next() * 24);
          conn.receive(input.subarray(fed, fed + take), now);
          fed += take;
        } else if (op < 0.45) {
          for (const { id } of conn.takeRequests()) owed.push(id);
        } else if (op < 0.6 && owed.length > 0) {
          const id = owed.shift() as number;
          if (next() < 0.2) conn.fail(id, now);
          else conn.respond(id, { status: 200, body: `r${id}` }, now);
        } else if (op < 0.75) {
          if (conn.takeOutput(Number(now / 1_000_000n)).length > 0 && !writing) {
            writing = true;
            conn.writeStarted(now);
          }
        } else if (op < 0.85 && writing) {
          writing = false;
          conn.flushed(now);
        } else if (op < 0.95) {
          conn.tick(now);
        } else {
          conn.peerClosed(now);
        }
      }
      if (conn.closeReason === "send-timeout") dropped++;
      const replayed: Snapshot[] = [];
      replayInputs(recording, (i, r, c) => replayed.push(snapshot(i, r, c)));
      assert.deepEqual(replayed, steps, `seed ${seed}`);
    }
    assert.ok(dropped > 0, "some runs end in a send-timeout drop");
  });
});
