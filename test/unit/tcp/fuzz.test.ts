import assert from "node:assert/strict";
import { ACK, FIN, PSH, RST, SYN, type TcpSegment } from "../../../stack/net/tcp/index.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { rng } from "../../helpers/rng.ts";
import { A, B, bytes, PEER_ISS, Rig } from "./harness.ts";

/** TCP_FUZZ_RUNS=5000 for a long run. */
const RUNS = Number(process.env.TCP_FUZZ_RUNS ?? 300);

const FLAG_CHOICES = [
  ACK,
  ACK,
  ACK | PSH,
  SYN,
  SYN | ACK,
  RST,
  RST | ACK,
  FIN | ACK,
  FIN,
  0,
  SYN | FIN,
];

/**
 * Well-formed but hostile or confused segments (valid checksums, random flags, sequence and
 * acknowledgment numbers near and far from the window, options) against connections in
 * every state. Nothing may throw, and the core's invariants hold after every step.
 */
describe("tcp fuzz: random valid segments against every state", () => {
  it(`never throws; deadlines stay ahead; every record is freed in the end (${RUNS} runs)`, function () {
    this.timeout(120_000);
    for (let seed = 1; seed <= RUNS; seed++) {
      const next = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
      const rec = new TraceRecorder(100_000);
      const r = new Rig({
        tracer: rec,
        timestamps: next() < 0.5,
        sack: next() < 0.5,
        windowScaling: next() < 0.5,
        receiveBufferBytes: 4000,
        sendBufferBytes: 3000,
        minRtoMs: 200,
        maxRetransmits: 3,
        maxSynRetransmits: 2,
        timeWaitMs: 2000,
      });
      let h: number | null = null;
      const setup = Math.floor(next() * 5);
      if (setup === 0) r.core.listen(80, 2);
      else if (setup === 1) h = r.core.connect(A, B, 40000, r.now, 80);
      else {
        h = r.established();
        if (setup >= 3) r.core.send(h, bytes(2500));
        if (setup === 4) r.core.shutdown(h);
      }
      r.recv();
      let t = 0;
      const base = r.iss;
      for (let step = 0; step < 60; step++) {
        const near = (x: number): number =>
          (x + Math.floor((next() - 0.5) * (next() < 0.8 ? 6000 : 2 ** 32))) >>> 0;
        const seg: Partial<TcpSegment> = {
          flags: pick(FLAG_CHOICES),
          seq: near(PEER_ISS + 1),
          ack: near(base + 1),
          window: next() < 0.2 ? 0 : Math.floor(next() * 65536),
          payload: bytes(next() < 0.5 ? 0 : Math.floor(next() * 1500)),
          options: {
            ...(next() < 0.3
              ? {
                  timestamp: {
                    val: Math.floor(next() * 2 ** 32),
                    ecr: Math.floor(next() * 2 ** 32),
                  },
                }
              : {}),
            ...(next() < 0.2 ? { sack: [[near(base), near(base)]] as [number, number][] } : {}),
            ...(next() < 0.1
              ? { mss: Math.floor(next() * 65536), wscale: Math.floor(next() * 20) }
              : {}),
          },
        };
        r.send(seg);
        if (h !== null && next() < 0.3) {
          const got = r.core.info(h) === null ? null : r.core.recv(h);
          assert.ok(got === null || got instanceof Uint8Array || typeof got === "string");
        }
        t += Math.floor(next() * 400);
        r.at(t).recv();
        const at = r.core.pollAt();
        assert.ok(at === null || at > r.now, `seed ${seed}: a deadline left in the past`);
        if (h !== null && r.core.info(h) !== null) {
          const s = r.core.info(h)?.state;
          assert.ok(s !== undefined);
        }
      }
      // Whatever happened, the connection ends and the record goes once released.
      if (h !== null) r.core.close(h);
      r.core.unlisten(80);
      for (let guard = 0; guard < 200 && r.core.liveConnections > 0; guard++) {
        const at = r.core.pollAt();
        if (at === null) break;
        r.now = at;
        r.recv();
      }
      assert.equal(r.core.liveConnections, 0, `seed ${seed}: a record outlived every timeout`);
      // Every summary the tracer saw is coherent: SND.UNA <= SND.NXT <= SND.UNA + flight.
      for (const e of rec.events) {
        const st = e.state as { [k in "flight" | "rcvWnd" | "cwnd" | "sndNxt" | "sndUna"]: number };
        const nxt = (st.sndNxt - st.sndUna) | 0;
        assert.ok(
          st.flight >= 0 && nxt >= 0 && nxt <= st.flight,
          `seed ${seed}: ${e.name} ${JSON.stringify(st)}`,
        );
        assert.ok(
          st.rcvWnd >= 0 && st.rcvWnd <= 4000 && st.cwnd > 0,
          `seed ${seed}: ${JSON.stringify(st)}`,
        );
      }
    }
  });
});
