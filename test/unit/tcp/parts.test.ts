import assert from "node:assert/strict";
import { NewReno } from "../../../stack/net/tcp/newreno.ts";
import { optionsLength, parseOptions, writeOptions } from "../../../stack/net/tcp/options.ts";
import { MAX_OOO_PIECES, ReceiveBuffer } from "../../../stack/net/tcp/recv_buffer.ts";
import { RttEstimator } from "../../../stack/net/tcp/rtt.ts";
import { Scoreboard } from "../../../stack/net/tcp/scoreboard.ts";
import { SendBuffer } from "../../../stack/net/tcp/send_buffer.ts";
import { seqAdd, seqDiff, seqGt, seqLt } from "../../../stack/net/tcp/seq.ts";
import { rng } from "../../helpers/rng.ts";

describe("tcp parts: sequence arithmetic", () => {
  it("compares across the 2^32 wrap", () => {
    assert.equal(seqAdd(0xffffffff, 2), 1);
    assert.ok(seqLt(0xfffffff0, 5));
    assert.ok(seqGt(5, 0xfffffff0));
    assert.equal(seqDiff(5, 0xfffffff0), 21);
    assert.equal(seqAdd(3, -5), 0xfffffffe);
  });
});

describe("tcp parts: receive buffer and reassembly", () => {
  const base = 0xfffffff0; // reassembly across the wrap

  it("in-order data is readable at once; out-of-order waits for the gap", () => {
    const rb = new ReceiveBuffer(1000);
    assert.equal(rb.insert(seqAdd(base, 10), new Uint8Array([10, 11]), base), 0);
    assert.equal(rb.read(), null);
    assert.equal(
      rb.insert(
        base,
        Uint8Array.from({ length: 10 }, (_, i) => i),
        base,
      ),
      12,
    );
    assert.deepEqual([...(rb.read() as Uint8Array)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("overlapping pieces keep the first copy of each byte and fill exactly", () => {
    // Property: any set of slices of a stream, inserted in any order, reassembles the stream.
    const next = rng(3);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(next() * 300);
      const stream = Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
      const rb = new ReceiveBuffer(1000);
      let nxt = base;
      const slices: [number, number][] = [];
      for (let i = 0; i < 12; i++) {
        const s = Math.floor(next() * n);
        slices.push([s, Math.min(n, s + 1 + Math.floor(next() * 60))]);
      }
      slices.push([0, n]);
      for (const [s, e] of slices) {
        const rel = seqDiff(seqAdd(base, s), nxt);
        if (rel + (e - s) <= 0) continue;
        const from = Math.max(0, -rel);
        nxt = seqAdd(nxt, rb.insert(seqAdd(base, s + from), stream.subarray(s + from, e), nxt));
      }
      assert.equal(seqDiff(nxt, base), n);
      assert.deepEqual(rb.read(), stream);
      assert.equal(rb.hasOutOfOrder, false);
    }
  });

  it("SACK blocks: merged ranges, the most recent arrival's block first (RFC 2018 §4)", () => {
    const rb = new ReceiveBuffer(1000);
    rb.insert(100, new Uint8Array(10), 0); // [100,110)
    rb.insert(200, new Uint8Array(10), 0); // [200,210)
    rb.insert(110, new Uint8Array(5), 0); // joins the first: [100,115)
    assert.deepEqual(rb.sackBlocks(0, 4), [
      [100, 115],
      [200, 210],
    ]);
    rb.insert(300, new Uint8Array(1), 0);
    assert.deepEqual(rb.sackBlocks(0, 2), [
      [300, 301],
      [100, 115],
    ]);
  });

  it("the out-of-order store is bounded", () => {
    const rb = new ReceiveBuffer(100_000);
    for (let i = 0; i < 2 * MAX_OOO_PIECES; i++) rb.insert(10 + 2 * i, new Uint8Array(1), 0);
    assert.equal(rb.sackBlocks(0, 1000).length, MAX_OOO_PIECES);
  });

  it("read(max) splits chunks", () => {
    const rb = new ReceiveBuffer(100);
    rb.insert(0, new Uint8Array([1, 2, 3]), 0);
    rb.insert(3, new Uint8Array([4, 5]), 3);
    assert.deepEqual([...(rb.read(4) as Uint8Array)], [1, 2, 3, 4]);
    assert.equal(rb.free, 99);
    assert.deepEqual([...(rb.read() as Uint8Array)], [5]);
  });
});

describe("tcp parts: send buffer", () => {
  it("takes what fits, reads any range across chunks, drops acknowledged bytes", () => {
    const sb = new SendBuffer(10);
    assert.equal(sb.push(new Uint8Array([0, 1, 2, 3])), 4);
    assert.equal(sb.push(new Uint8Array([4, 5, 6, 7, 8, 9, 10, 11])), 6);
    assert.equal(sb.free, 0);
    assert.deepEqual([...sb.read(2, 5)], [2, 3, 4, 5, 6]);
    sb.drop(3);
    assert.deepEqual([...sb.read(0, 100)], [3, 4, 5, 6, 7, 8, 9]);
    sb.drop(5);
    assert.deepEqual([...sb.read(0, 100)], [8, 9]);
    assert.equal(sb.free, 8);
  });
});

describe("tcp parts: RTO (RFC 6298)", () => {
  it("first sample, later samples, backoff and bounds", () => {
    const r = new RttEstimator(1, 60_000);
    assert.equal(r.rto, 1000); // §2.1
    r.sample(100); // §2.2: SRTT 100, RTTVAR 50, RTO 300
    assert.deepEqual([r.srtt, r.rttvar, r.rto], [100, 50, 300]);
    r.sample(200); // §2.3: RTTVAR 3/4*50 + 1/4*100 = 62.5; SRTT 112.5; RTO 362.5
    assert.deepEqual([r.srtt, r.rttvar, r.rto], [112.5, 62.5, 362.5]);
    r.backoff();
    assert.equal(r.rto, 725);
    for (let i = 0; i < 20; i++) r.backoff();
    assert.equal(r.rto, 60_000);
    const floor = new RttEstimator(1000, 60_000);
    floor.sample(1);
    assert.equal(floor.rto, 1000); // §2.4
  });
});

describe("tcp parts: NewReno (RFC 5681, RFC 6582)", () => {
  it("initial window by SMSS (RFC 5681 eq. 1)", () => {
    assert.equal(new NewReno(1000, 0).cwnd, 4000);
    assert.equal(new NewReno(1460, 0).cwnd, 4380);
    assert.equal(new NewReno(2200, 0).cwnd, 4400);
  });

  it("fast retransmit, inflation, partial and full ACKs, then congestion avoidance", () => {
    const cc = new NewReno(1000, 0);
    assert.equal(cc.onNewAck(1000, 1001, 4000), "normal");
    assert.equal(cc.cwnd, 5000); // slow start: + min(acked, SMSS)
    // 10 segments out (snd.max 11001), the one at 1001 lost.
    assert.equal(cc.onDupAck(10_000, 1001, 11_001), "none");
    assert.equal(cc.onDupAck(10_000, 1001, 11_001), "none");
    assert.equal(cc.onDupAck(10_000, 1001, 11_001), "fast-retransmit");
    assert.deepEqual([cc.ssthresh, cc.cwnd, cc.recover], [5000, 8000, 11_001]); // eq. 4; + 3 SMSS
    assert.equal(cc.onDupAck(10_000, 1001, 11_001), "inflate");
    assert.equal(cc.cwnd, 9000);
    assert.equal(cc.onNewAck(2000, 3001, 10_000), "partial"); // below recover
    assert.equal(cc.cwnd, 8000); // deflate by 2000, add back one SMSS
    assert.equal(cc.onNewAck(8000, 11_001, 8000), "full");
    assert.equal(cc.cwnd, 1000 + 1000); // min(ssthresh, max(FlightSize, SMSS) + SMSS), flight 0
    assert.equal(cc.inRecovery, false);
    for (let i = 0; i < 3; i++) cc.onNewAck(1000, 0, 0); // slow start up to ssthresh
    assert.equal(cc.cwnd, 5000);
    cc.onNewAck(1000, 0, 0); // congestion avoidance: + SMSS*SMSS/cwnd
    assert.equal(cc.cwnd, 5200);
  });

  it("a timeout collapses cwnd; losses from before it start no new recovery (RFC 6582 §4)", () => {
    const cc = new NewReno(1000, 0);
    cc.onRto(6000, 7001);
    assert.deepEqual([cc.ssthresh, cc.cwnd], [3000, 1000]);
    for (let i = 0; i < 3; i++) assert.equal(cc.onDupAck(5000, 2001, 7001), "none");
    assert.equal(cc.inRecovery, false);
  });
});

describe("tcp parts: options layout", () => {
  it("every combination parses back to itself and is 32-bit aligned", () => {
    const ts = { val: 1, ecr: 2 };
    for (const o of [
      { mss: 1460, wscale: 7, sackPermitted: true, timestamp: ts },
      { mss: 1460, sackPermitted: true },
      { mss: 1460, wscale: 0 },
      { timestamp: ts, sack: [[1, 2] as const, [3, 4] as const, [5, 6] as const] },
      { sack: [[1, 2] as const, [3, 4] as const, [5, 6] as const, [7, 8] as const] },
    ]) {
      const n = optionsLength(o);
      assert.ok(n % 4 === 0 && n <= 40, JSON.stringify(o));
      const buf = new Uint8Array(n);
      writeOptions(o, buf, 0);
      assert.deepEqual(parseOptions(buf), o);
    }
  });
});

describe("tcp parts: SACK scoreboard", () => {
  it("merges blocks, ignores ones outside (una, max], finds the holes in order", () => {
    const sb = new Scoreboard();
    const una = 0xfffffff0; // across the wrap
    const at = (n: number): number => (una + n) >>> 0;
    sb.update(
      [
        [at(300), at(400)],
        [at(100), at(200)],
        [at(5000), at(6000)],
        [at(150), at(250)],
      ],
      una,
      at(1000),
    );
    assert.equal(sb.sackedEnd(at(120)), at(250));
    assert.equal(sb.sackedEnd(at(260)), null);
    assert.deepEqual(sb.nextHole(una, 1000), { seq: una, len: 100 });
    assert.deepEqual(sb.nextHole(at(100), 30), { seq: at(250), len: 30 });
    assert.equal(sb.nextHole(at(400), 100), null); // nothing SACKed above: not a hole yet
    sb.advance(at(260));
    assert.deepEqual(sb.nextHole(at(260), 1000), { seq: at(260), len: 40 });
    sb.clear();
    assert.ok(sb.empty);
  });
});
