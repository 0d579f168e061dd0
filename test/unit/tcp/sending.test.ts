import assert from "node:assert/strict";
import { ACK, PSH } from "../../../stack/net/tcp/index.ts";
import { bytes, PEER_ISS, Rig } from "./harness.ts";

const P = PEER_ISS + 1;
const MSS = 536; // no MSS option in the test's SYN: RFC 9293 §3.7.1 default

describe("tcp ESTABLISHED: sending", () => {
  it("sends in MSS-sized segments up to the initial window (RFC 5681: 4 x 536)", () => {
    const r = new Rig();
    const h = r.established();
    assert.equal(r.core.send(h, bytes(5000)), 5000);
    const segs = r.recv();
    assert.deepEqual(
      segs.map((s) => [s.seq - r.iss - 1, s.payload.length]),
      [
        [0, MSS],
        [MSS, MSS],
        [2 * MSS, MSS],
        [3 * MSS, MSS],
      ],
    );
    assert.ok(segs.every((s) => s.ack === P && s.flags & ACK));
    // Each ACK of a full segment grows cwnd by one MSS in slow start: 2 more segments each.
    r.at(10).send({ seq: P, ack: r.iss + 1 + MSS });
    assert.equal(r.recv().length, 2);
  });

  it("after an idle period longer than the RTO, cwnd restarts from the initial window (RFC 5681 §4.1)", () => {
    const burstAfter = (idleMs: number): number => {
      const r = new Rig();
      const h = r.established();
      r.core.send(h, bytes(30 * MSS));
      let t = 0;
      // ACK everything each round until all is sent: cwnd grows well past the initial window.
      for (let segs = r.recv(); segs.length > 0; segs = r.recv()) {
        const top = Math.max(...segs.map((x) => x.seq + x.payload.length));
        t += 10;
        r.at(t).send({ seq: P, ack: top >>> 0 });
      }
      r.at(t + idleMs).core.send(h, bytes(20 * MSS));
      return r.recv().length;
    };
    assert.ok(burstAfter(100) > 8);
    assert.equal(burstAfter(5000), 4);
  });

  it("the peer's window limits what is sent; no small segment while one is out (sender SWS)", () => {
    const r = new Rig();
    const h = r.established({ window: 700 });
    r.core.send(h, bytes(5000));
    // 164 bytes of window remain, less than half the largest window offered: wait.
    assert.deepEqual(
      r.recv().map((s) => s.payload.length),
      [MSS],
    );
    r.at(5).send({ seq: P, ack: r.iss + 1 + MSS, window: 700 });
    assert.deepEqual(
      r.recv().map((s) => s.payload.length),
      [MSS],
    );
  });

  it("backpressure: send takes what the buffer holds, writable follows the ACK", () => {
    const r = new Rig({ sendBufferBytes: 1000 });
    const h = r.established();
    assert.equal(r.core.send(h, bytes(1500)), 1000);
    assert.equal(r.core.send(h, bytes(1)), 0);
    r.recv();
    r.at(5).send({ seq: P, ack: r.iss + 1 + MSS });
    assert.deepEqual(r.core.takeEvents(), [{ type: "writable", conn: h }]);
    assert.equal(r.core.send(h, bytes(600)), MSS);
  });

  it("Nagle: a small write waits while data is unacknowledged; setNoDelay sends it", () => {
    const r = new Rig();
    const h = r.established();
    r.core.send(h, bytes(10));
    assert.equal(r.recvOne().payload.length, 10); // nothing outstanding: goes at once
    r.core.send(h, bytes(10));
    r.recvNothing();
    r.at(20).send({ seq: P, ack: r.iss + 11 });
    const held = r.recvOne();
    assert.equal(held.payload.length, 10);
    assert.ok(held.flags & PSH);
    r.core.setNoDelay(h, true);
    r.core.send(h, bytes(10));
    assert.equal(r.recvOne().payload.length, 10);
  });

  it("RTO: retransmits at 1 s, 3 s, 7 s (doubling), collapses cwnd, times out after the limit", () => {
    const r = new Rig({ maxRetransmits: 3 });
    const h = r.established();
    r.core.send(h, bytes(4 * MSS));
    assert.equal(r.recv().length, 4);
    for (const t of [1000, 3000, 7000]) {
      r.at(t - 1).recvNothing();
      const again = r.at(t).recvOne(); // cwnd is one segment after a timeout
      assert.equal(again.seq, r.iss + 1);
      assert.equal(again.payload.length, MSS);
    }
    assert.equal(r.core.counters.retransmits, 3);
    r.at(15000).recvNothing();
    assert.deepEqual(r.core.takeEvents(), [
      { type: "error", conn: h, error: "timeout" },
      { type: "closed", conn: h },
    ]);
    r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
  });

  it("RTT samples set the RTO (RFC 6298: SRTT + 4 RTTVAR)", () => {
    const r = new Rig({ minRtoMs: 1 });
    const h = r.established(); // the handshake is a first sample: 0 ms
    r.core.send(h, bytes(100));
    r.recvOne();
    // Second sample 100 ms: RTTVAR = 3/4 * 0 + 1/4 * 100 = 25, SRTT = 7/8 * 0 + 1/8 * 100 = 12.5,
    // RTO = 12.5 + 4 * 25 = 112.5 ms, rounded up to 113.
    r.at(100).send({ seq: P, ack: r.iss + 101 });
    r.core.send(h, bytes(100));
    r.recvOne();
    r.at(212).recvNothing();
    assert.equal(r.at(213).recvOne().seq, r.iss + 101);
  });

  it("three duplicate ACKs: fast retransmit of the hole, then NewReno recovery", () => {
    const r = new Rig();
    const h = r.established();
    r.core.send(h, bytes(20 * MSS));
    const first = r.recv();
    assert.equal(first.length, 4);
    // Segment 1 is lost. The peer ACKs segment 0; three more arrive: three duplicate ACKs.
    r.at(10).send({ seq: P, ack: r.iss + 1 + MSS });
    const grown = r.recv(); // cwnd 5 MSS, 3 in flight: 2 new segments
    assert.equal(grown.length, 2);
    // RFC 3042 limited transmit: each of the first two duplicates lets one new segment out.
    r.at(11).send({ seq: P, ack: r.iss + 1 + MSS });
    assert.equal(r.recvOne().seq, r.iss + 1 + 6 * MSS);
    r.at(12).send({ seq: P, ack: r.iss + 1 + MSS });
    assert.equal(r.recvOne().seq, r.iss + 1 + 7 * MSS);
    r.at(13).send({ seq: P, ack: r.iss + 1 + MSS });
    const rtx = r.recv();
    assert.equal(rtx[0]?.seq, r.iss + 1 + MSS);
    assert.equal(rtx[0]?.payload.length, MSS);
    assert.equal(r.core.counters.retransmits, 1);
    // A partial ACK (up to segment 3) retransmits the next hole at once (RFC 6582).
    r.at(20).send({ seq: P, ack: r.iss + 1 + 3 * MSS });
    const next = r.recv();
    assert.equal(next[0]?.seq, r.iss + 1 + 3 * MSS);
    assert.equal(r.core.counters.retransmits, 2);
  });

  it("SACK recovery: duplicate ACKs with SACK blocks resend each hole, not only the first", () => {
    const r = new Rig({ sack: true });
    const h = r.established({ options: { sackPermitted: true } });
    r.core.send(h, bytes(8 * MSS));
    const at = (k: number): number => (r.iss + 1 + k * MSS) >>> 0;
    assert.equal(r.recv().length, 4);
    r.at(5).send({ seq: P, ack: at(1) }); // segment 0 arrives; cwnd 5: segments 4, 5 go
    assert.equal(r.recv().length, 2);
    // Segments 1 and 3 are lost; 2, 4 and 5 arrive: three duplicate ACKs with SACK blocks.
    const dup = (blocks: [number, number][]) =>
      r.send({ seq: P, ack: at(1), options: { sack: blocks } });
    r.at(10);
    dup([[at(2), at(3)]]);
    r.recv(); // limited transmit
    dup([
      [at(4), at(5)],
      [at(2), at(3)],
    ]);
    r.recv();
    dup([
      [at(4), at(6)],
      [at(2), at(3)],
    ]);
    assert.equal(r.recv()[0]?.seq, at(1)); // fast retransmit of the first hole
    // Each further duplicate inflates cwnd by one segment (RFC 5681 §3.2); once the window
    // has room, the next hole goes, before any partial ACK.
    dup([
      [at(4), at(7)],
      [at(2), at(3)],
    ]);
    r.recvNothing();
    dup([
      [at(4), at(8)],
      [at(2), at(3)],
    ]);
    assert.equal(r.recv()[0]?.seq, at(3));
    assert.equal(r.core.counters.retransmits, 2);
  });

  it("early retransmit: two segments out and nothing more to send, one duplicate ACK suffices (RFC 5827)", () => {
    const r = new Rig();
    const h = r.established();
    r.core.send(h, bytes(2 * MSS));
    assert.equal(r.recv().length, 2);
    r.at(10).send({ seq: P, ack: r.iss + 1 }); // the first segment is lost; the second arrives
    const rtx = r.recvOne();
    assert.equal(rtx.seq, r.iss + 1);
    assert.equal(r.core.counters.retransmits, 1);
  });

  it("zero window from the peer: persist probes back off; the window opening resumes sending", () => {
    const r = new Rig();
    const h = r.established();
    r.core.send(h, bytes(2 * MSS));
    r.recv();
    const una = r.iss + 1 + 2 * MSS;
    r.at(10).send({ seq: P, ack: una, window: 0 });
    r.core.send(h, bytes(500));
    r.recvNothing();
    const probe1 = r.at(1010).recvOne();
    assert.equal(probe1.seq, una - 1); // SND.UNA - 1, no text
    assert.equal(probe1.payload.length, 0);
    r.at(1020).send({ seq: P, ack: una, window: 0 });
    r.at(3009).recvNothing();
    assert.equal(r.at(3010).recvOne().payload.length, 0); // second probe 2 RTO later
    r.at(3030).send({ seq: P, ack: una, window: 5000 });
    const data = r.recvOne();
    assert.equal(data.seq, una);
    assert.equal(data.payload.length, 500);
  });

  it("a peer that vanishes behind a zero window is given up after unanswered probes", () => {
    const r = new Rig({ maxRetransmits: 2, maxRtoMs: 60_000 });
    const h = r.established();
    r.core.send(h, bytes(10));
    r.recv();
    r.at(10).send({ seq: P, ack: r.iss + 11, window: 0 });
    r.core.send(h, bytes(10));
    let t = 10;
    for (let i = 0; i < 10 && r.core.liveConnections > 0; i++) {
      const at = r.core.pollAt();
      if (at === null) break;
      t = Number(at / 1_000_000n);
      r.at(t).recv();
      if (r.core.takeEvents().some((e) => e.type === "error")) break;
    }
    assert.equal(r.core.recv(h), "timeout");
  });

  it("keep-alive: probes after the idle time; an answer keeps the connection; silence ends it", () => {
    const r = new Rig({ keepAliveIdleMs: 10_000, keepAliveIntervalMs: 1000, keepAliveProbes: 2 });
    const h = r.established();
    r.core.setKeepAlive(h, true);
    r.at(9_999).recvNothing();
    const probe = r.at(10_000).recvOne();
    assert.equal(probe.seq, r.iss); // SND.NXT - 1
    r.at(10_010).send({ seq: P, ack: r.iss + 1 });
    r.at(11_000).recvNothing();
    assert.equal(r.at(20_010).recvOne().seq, r.iss);
    assert.equal(r.at(21_010).recvOne().seq, r.iss);
    r.at(22_010).recvNothing();
    assert.equal(r.core.recv(h), "timeout");
  });
});
