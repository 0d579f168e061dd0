import assert from "node:assert/strict";
import { ACK, RST, SYN } from "../../../stack/net/tcp/index.ts";
import { A, B, PEER_ISS, Rig } from "./harness.ts";

describe("tcp CLOSED (no connection, no listener): RFC 9293 §3.10.7.1", () => {
  it("a segment without ACK gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", () => {
    const r = new Rig();
    r.send({ flags: SYN, seq: 500 });
    const rst = r.recvOne();
    assert.equal(rst.flags, RST | ACK);
    assert.equal(rst.seq, 0);
    assert.equal(rst.ack, 501);
    assert.equal(r.core.counters.noConnection, 1);
  });

  it("a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing", () => {
    const r = new Rig();
    r.send({ flags: ACK, seq: 500, ack: 7777, payload: new Uint8Array(3) });
    const rst = r.recvOne();
    assert.equal(rst.flags, RST);
    assert.equal(rst.seq, 7777);
    r.send({ flags: RST, seq: 1 });
    r.recvNothing();
  });
});

describe("tcp LISTEN: RFC 9293 §3.10.7.2", () => {
  it("a SYN gets SYN,ACK acknowledging it, with our MSS", () => {
    const r = new Rig({ mss: 1200 });
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    const s = r.recvOne();
    assert.equal(s.flags, SYN | ACK);
    assert.equal(s.ack, PEER_ISS + 1);
    assert.deepEqual(s.options, { mss: 1200 });
    assert.equal(r.core.liveConnections, 1);
  });

  it("answers the options the SYN offered, and only those (RFC 7323 §2.2, §3.2; RFC 2018)", () => {
    const r = new Rig({ windowScaling: true, timestamps: true, sack: true });
    r.core.listen(80, 4);
    r.send({
      flags: SYN,
      seq: PEER_ISS,
      options: { mss: 1000, wscale: 2, sackPermitted: true, timestamp: { val: 777, ecr: 0 } },
    });
    const s = r.recvOne();
    assert.equal(s.options.mss, 1460);
    assert.equal(s.options.wscale, 3); // 256 KiB buffer >> 3 fits 16 bits
    assert.equal(s.options.sackPermitted, true);
    assert.equal(s.options.timestamp?.ecr, 777);
    r.send({ srcPort: 40001, flags: SYN, seq: PEER_ISS });
    const plain = r.recvOne();
    assert.deepEqual(plain.options, { mss: 1460 });
  });

  it("an ACK gets a RST at its ack number; a RST and a bare segment are ignored", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    r.send({ flags: ACK, ack: 4242 });
    const rst = r.recvOne();
    assert.equal(rst.flags, RST);
    assert.equal(rst.seq, 4242);
    r.send({ flags: RST });
    r.send({ flags: 0 });
    r.recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("listening twice on a port is refused", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    assert.throws(() => r.core.listen(80, 4), /in use/);
  });

  it("SYN flood, cookies off: the half-open queue is bounded, the oldest entry makes room", () => {
    const r = new Rig({ maxHalfOpen: 3, synCookies: false });
    r.core.listen(80, 4);
    for (let p = 1; p <= 10; p++) {
      r.send({ flags: SYN, srcPort: 30000 + p, seq: p * 1000 });
      assert.equal(r.recvOne().flags, SYN | ACK); // every SYN is answered
    }
    assert.equal(r.core.liveConnections, 3);
    assert.equal(r.core.counters.halfOpenEvicted, 7);
    // The evicted client's ACK finds nothing (a RST); the newest one completes.
    r.send({ srcPort: 30001, flags: ACK, seq: 1001, ack: 1 });
    assert.equal(r.recvOne().flags, RST);
  });

  describe("SYN cookies (RFC 4987) once the half-open queue is full", () => {
    /** A listener whose queue (3) is full of flood entries that never answer. */
    function flooded(backlog = 8) {
      const r = new Rig({ maxHalfOpen: 3, windowScaling: true, sack: true, timestamps: true });
      r.core.listen(80, backlog);
      for (let p = 1; p <= 3; p++) {
        r.send({ flags: SYN, srcPort: 30000 + p, seq: p * 1000 });
        r.recvOne();
      }
      return r;
    }

    it("a SYN beyond the queue gets a stateless SYN,ACK with only our MSS; nothing is kept", () => {
      const r = flooded();
      r.send({
        flags: SYN,
        seq: PEER_ISS,
        options: { mss: 1400, wscale: 7, sackPermitted: true, timestamp: { val: 5, ecr: 0 } },
      });
      const sa = r.recvOne();
      assert.equal(sa.flags, SYN | ACK);
      assert.equal(sa.ack, PEER_ISS + 1);
      assert.deepEqual(sa.options, { mss: 1460 }, "no options that need state");
      assert.equal(sa.window, 65535);
      assert.equal(r.core.liveConnections, 3, "no record for the cookie");
      assert.equal(r.core.counters.synCookiesSent, 1);
      assert.equal(r.core.counters.halfOpenEvicted, 0);
    });

    it("the client's ACK with the cookie opens the connection, data on it included", () => {
      const r = flooded();
      r.send({ flags: SYN, seq: PEER_ISS, options: { mss: 1300 } });
      const sa = r.recvOne();
      const hello = new TextEncoder().encode("hello");
      r.at(30_000).send({ seq: PEER_ISS + 1, ack: sa.seq + 1, payload: hello });
      assert.deepEqual(r.core.takeEvents(), [{ type: "incoming", port: 80 }]);
      const h = r.core.accept(80);
      assert.notEqual(h, null);
      assert.equal(r.core.info(h as number)?.state, "ESTABLISHED");
      assert.deepEqual(r.core.recv(h as number), hello);
      assert.equal(r.core.counters.synCookiesAccepted, 1);
      // It sends as a connection without window scaling, SACK or timestamps, MSS rounded down
      // to the cookie table's 1220.
      r.core.send(h as number, new Uint8Array(3000).fill(0x61));
      const out = r.recv();
      assert.ok(out.length >= 2, "data goes out");
      assert.equal(out[0]?.payload.length, 1220);
      assert.equal(out[0]?.seq, sa.seq + 1);
      assert.deepEqual(out[0]?.options, {});
    });

    it("an ACK with a wrong cookie, another tuple's, or an expired one gets a RST and no connection", () => {
      const r = flooded();
      r.send({ flags: SYN, seq: PEER_ISS });
      const sa = r.recvOne();
      r.send({ seq: PEER_ISS + 1, ack: sa.seq + 2 });
      assert.equal(r.recvOne().flags, RST);
      r.send({ srcPort: 40001, seq: PEER_ISS + 1, ack: sa.seq + 1 });
      assert.equal(r.recvOne().flags, RST);
      r.send({ seq: PEER_ISS + 2, ack: sa.seq + 1 });
      assert.equal(r.recvOne().flags, RST, "the client's ISN is in the hash");
      assert.equal(r.core.liveConnections, 3);
      // 200 s later (the flood's entries have retransmitted their SYN,ACKs meanwhile).
      r.at(200_000).recv();
      r.send({ seq: PEER_ISS + 1, ack: sa.seq + 1 });
      const late = r.recv().filter((x) => x.flags === RST);
      assert.deepEqual(
        late.map((x) => x.seq),
        [sa.seq + 1],
        "older than two periods: a RST",
      );
      assert.equal(r.core.counters.synCookiesRejected, 3, "the late one is not even checked");
      // Still flooded (a fresh queue of three, then cookies again): the old cookie's counter
      // is out of date, so it fails its own check.
      for (let p = 1; p <= 4; p++) {
        r.send({ flags: SYN, srcPort: 31000 + p, seq: p * 1000 });
        r.recvOne();
      }
      r.send({ seq: PEER_ISS + 1, ack: sa.seq + 1 });
      assert.equal(r.recvOne().flags, RST);
      assert.equal(r.core.counters.synCookiesRejected, 4);
      assert.equal(r.core.takeEvents().length, 0);
      assert.equal(r.core.counters.synCookiesAccepted, 0);
    });

    it("a flood of 1,000 SYNs leaves a real client's handshake working", () => {
      const r = flooded(64);
      for (let p = 0; p < 1000; p++) {
        r.send({ flags: SYN, srcPort: 2000 + p, seq: p * 7919 });
        r.recvOne();
      }
      assert.equal(r.core.liveConnections, 3);
      r.send({ flags: SYN, seq: PEER_ISS, options: { mss: 1460 } });
      const sa = r.recvOne();
      r.send({ seq: PEER_ISS + 1, ack: sa.seq + 1 });
      const h = r.core.accept(80);
      assert.notEqual(h, null);
      assert.equal(r.core.info(h as number)?.state, "ESTABLISHED");
    });
  });

  it("the accept backlog is bounded: SYNs beyond it are dropped until accept", () => {
    const r = new Rig();
    r.core.listen(80, 1);
    r.send({ flags: SYN, seq: PEER_ISS });
    const sa = r.recvOne();
    r.send({ seq: PEER_ISS + 1, ack: sa.seq + 1 });
    assert.deepEqual(r.core.takeEvents(), [{ type: "incoming", port: 80 }]);
    r.send({ srcPort: 40001, flags: SYN, seq: 5 });
    r.recvNothing();
    assert.equal(r.core.counters.listenOverflows, 1);
    assert.notEqual(r.core.accept(80), null);
    r.send({ srcPort: 40001, flags: SYN, seq: 5 });
    assert.equal(r.recvOne().flags, SYN | ACK);
  });
});

describe("tcp SYN-RECEIVED", () => {
  it("a repeated SYN gets the same SYN,ACK again", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    const first = r.recvOne();
    r.send({ flags: SYN, seq: PEER_ISS });
    const again = r.recvOne();
    assert.equal(again.flags, SYN | ACK);
    assert.equal(again.seq, first.seq);
    assert.equal(again.ack, PEER_ISS + 1);
  });

  it("a repeated SYN's timestamp is what the new SYN,ACK echoes", () => {
    const r = new Rig({ timestamps: true });
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS, options: { timestamp: { val: 100, ecr: 0 } } });
    assert.equal(r.recvOne().options.timestamp?.ecr, 100);
    r.at(1000).send({ flags: SYN, seq: PEER_ISS, options: { timestamp: { val: 1100, ecr: 0 } } });
    assert.equal(r.recvOne().options.timestamp?.ecr, 1100);
  });

  it("the ACK completes the handshake: incoming event, accept, ESTABLISHED", () => {
    const r = new Rig();
    const h = r.established();
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    assert.deepEqual(r.core.info(h)?.local, A);
    assert.deepEqual(r.core.info(h)?.remote, B);
  });

  it("an ACK for something else gets a RST <SEQ=SEG.ACK>", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    const sa = r.recvOne();
    r.send({ seq: PEER_ISS + 1, ack: sa.seq + 5 });
    const rst = r.recvOne();
    assert.equal(rst.flags, RST);
    assert.equal(rst.seq, sa.seq + 5);
    assert.equal(r.core.accept(80), null);
  });

  it("SYN,ACK is retransmitted with backoff, then the half-open record is freed", () => {
    const r = new Rig({ maxSynRetransmits: 2 });
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    r.recvOne();
    r.at(999).recvNothing();
    assert.equal(r.at(1000).recvOne().flags, SYN | ACK);
    r.at(2999).recvNothing();
    assert.equal(r.at(3000).recvOne().flags, SYN | ACK);
    assert.equal(r.core.pollAt(), 7000n * 1_000_000n);
    r.at(7000).recvNothing();
    assert.equal(r.core.liveConnections, 0);
    assert.equal(r.core.pollAt(), null);
  });

  it("a RST at RCV.NXT frees the half-open connection silently", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    r.recvOne();
    r.send({ flags: RST, seq: PEER_ISS + 1 });
    assert.equal(r.core.liveConnections, 0);
    assert.deepEqual(r.core.takeEvents(), []);
  });
});

describe("tcp SYN-SENT: RFC 9293 §3.10.7.3", () => {
  function connecting(o = {}): { r: Rig; h: number; iss: number } {
    const r = new Rig(o);
    const h = r.core.connect(A, B, 40000, r.now, 80);
    const syn = r.recvOne();
    assert.equal(syn.flags, SYN);
    assert.equal(syn.srcPort, 80);
    r.iss = syn.seq;
    return { r, h, iss: syn.seq };
  }

  it("SYN,ACK -> ESTABLISHED, an ACK, and a connected event", () => {
    const { r, h, iss } = connecting();
    r.at(30).send({ flags: SYN | ACK, seq: PEER_ISS, ack: iss + 1, window: 1000 });
    const ack = r.recvOne();
    assert.equal(ack.flags, ACK);
    assert.equal(ack.seq, iss + 1);
    assert.equal(ack.ack, PEER_ISS + 1);
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    assert.deepEqual(r.core.takeEvents(), [{ type: "connected", conn: h }]);
  });

  it("a RST with an acceptable ACK refuses the connection", () => {
    const { r, h, iss } = connecting();
    r.send({ flags: RST | ACK, seq: 0, ack: iss + 1 });
    assert.deepEqual(r.core.takeEvents(), [
      { type: "error", conn: h, error: "refused" },
      { type: "closed", conn: h },
    ]);
    assert.equal(r.core.recv(h), "refused");
    assert.throws(() => r.core.send(h, new Uint8Array(1)), /refused/);
    r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
  });

  it("a RST without ACK, or with a wrong ACK, is ignored; a wrong ACK gets a RST", () => {
    const { r, h, iss } = connecting();
    r.send({ flags: RST, seq: 0 });
    r.send({ flags: RST | ACK, seq: 0, ack: iss + 7 });
    r.recvNothing();
    r.send({ flags: SYN | ACK, seq: PEER_ISS, ack: iss + 7 });
    const rst = r.recvOne();
    assert.equal(rst.flags, RST);
    assert.equal(rst.seq, iss + 7);
    assert.equal(r.core.info(h)?.state, "SYN-SENT");
  });

  it("simultaneous open: SYN -> SYN-RECEIVED and SYN,ACK; their SYN,ACK -> ESTABLISHED", () => {
    const { r, h, iss } = connecting();
    r.send({ flags: SYN, seq: PEER_ISS });
    const sa = r.recvOne();
    assert.equal(sa.flags, SYN | ACK);
    assert.equal(sa.seq, iss);
    assert.equal(sa.ack, PEER_ISS + 1);
    assert.equal(r.core.info(h)?.state, "SYN-RECEIVED");
    r.send({ flags: SYN | ACK, seq: PEER_ISS, ack: iss + 1 });
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    assert.deepEqual(r.core.takeEvents(), [{ type: "connected", conn: h }]);
  });

  it("SYN retransmission backs off 1 s, 2 s, ... then the connect times out", () => {
    const { r, h } = connecting({ maxSynRetransmits: 3 });
    for (const t of [1000, 3000, 7000]) {
      r.at(t - 1).recvNothing();
      assert.equal(r.at(t).recvOne().flags, SYN);
    }
    r.at(15000).recvNothing();
    assert.deepEqual(r.core.takeEvents(), [
      { type: "error", conn: h, error: "timeout" },
      { type: "closed", conn: h },
    ]);
    r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
  });

  it("a SYN,ACK echoing the first SYN after a retransmission is no RTT sample; RTO starts at 3 s (RFC 6298 §5.7)", () => {
    const { r, h, iss } = connecting({ timestamps: true });
    const retransmitted = r.at(1000).recvOne();
    assert.equal(retransmitted.flags, SYN);
    const firstTs = 0 + (retransmitted.options.timestamp?.val as number) - 1000;
    r.at(1011).send({
      flags: SYN | ACK,
      seq: PEER_ISS,
      ack: iss + 1,
      options: { timestamp: { val: 5, ecr: firstTs >>> 0 } },
    });
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    r.recvOne();
    r.core.send(h, new Uint8Array(10));
    r.recvOne();
    r.at(4010).recvNothing();
    assert.equal(r.at(4011).recvOne().payload.length, 10); // 3 s after it left, not 1 s
  });

  it("ISNs differ per 4-tuple and move with the clock (RFC 6528)", () => {
    const r = new Rig();
    r.core.connect(A, B, 40000, 0n, 81);
    r.core.connect(A, B, 40001, 0n, 81);
    const [s1, s2] = r.recv();
    assert.notEqual(s1?.seq, s2?.seq);
    r.core.connect(A, B, 40002, 4_000_000n, 81);
    r.now = 4_000_000n;
    const s3 = r.recvOne();
    assert.notEqual(s3.seq, s1?.seq);
  });
});
