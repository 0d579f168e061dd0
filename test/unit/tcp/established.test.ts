import assert from "node:assert/strict";
import { ACK, FIN, RST, SYN } from "../../../stack/net/tcp/index.ts";
import { bytes, PEER_ISS, Rig } from "./harness.ts";

const P = PEER_ISS + 1; // the peer's first data sequence number

describe("tcp ESTABLISHED: receiving", () => {
  it("one segment is ACKed after the delayed-ACK time (40 ms); bytes reach recv", () => {
    const r = new Rig();
    const h = r.established();
    r.at(10).send({ seq: P, ack: r.iss + 1, payload: bytes(100) });
    assert.deepEqual(r.core.takeEvents(), [{ type: "readable", conn: h }]);
    r.recvNothing();
    assert.equal(r.core.pollAt(), 50n * 1_000_000n);
    r.at(49).recvNothing();
    const ack = r.at(50).recvOne();
    assert.equal(ack.ack, P + 100);
    const got = r.core.recv(h);
    assert.ok(got instanceof Uint8Array);
    assert.equal(got.length, 100);
    assert.equal(r.core.recv(h), "wait");
  });

  it("every second full segment is ACKed at once (RFC 5681 §4.2)", () => {
    const r = new Rig();
    r.established();
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(536) });
    r.send({ seq: P + 536, ack: r.iss + 1, payload: bytes(536) });
    assert.equal(r.recvOne().ack, P + 1072);
  });

  it("out-of-order data gets an immediate duplicate ACK with a SACK block; the gap fill an ACK of all", () => {
    const r = new Rig({ sack: true });
    const h = r.established({ options: { sackPermitted: true } });
    r.send({ seq: P + 100, ack: r.iss + 1, payload: bytes(50, 2) });
    const dup = r.recvOne();
    assert.equal(dup.ack, P);
    assert.deepEqual(dup.options.sack, [[P + 100, P + 150]]);
    r.send({ seq: P + 200, ack: r.iss + 1, payload: bytes(10, 3) });
    assert.deepEqual(r.recvOne().options.sack, [
      [P + 200, P + 210],
      [P + 100, P + 150],
    ]);
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(100, 1) });
    const full = r.recvOne();
    assert.equal(full.ack, P + 150);
    assert.deepEqual(full.options.sack, [[P + 200, P + 210]]);
    const got = r.core.recv(h) as Uint8Array;
    assert.deepEqual([got.length, got[0], got[99], got[100], got[149]], [150, 1, 1, 2, 2]);
  });

  it("a duplicate segment is ACKed and not delivered twice", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(10) });
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(10) });
    assert.equal(r.recvOne().ack, P + 10);
    assert.equal((r.core.recv(h) as Uint8Array).length, 10);
  });

  it("FIN -> CLOSE-WAIT, peer-closed, then recv says end", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: ACK | FIN, seq: P, ack: r.iss + 1, payload: bytes(5) });
    assert.equal(r.recvOne().ack, P + 6);
    assert.equal(r.core.info(h)?.state, "CLOSE-WAIT");
    assert.ok(r.core.takeEvents().some((e) => e.type === "peer-closed"));
    assert.equal((r.core.recv(h) as Uint8Array).length, 5);
    assert.equal(r.core.recv(h), "end");
  });

  it("a FIN ahead of a gap waits for the gap", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: ACK | FIN, seq: P + 5, ack: r.iss + 1, payload: bytes(5) });
    assert.equal(r.recvOne().ack, P);
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(5) });
    assert.equal(r.recvOne().ack, P + 11);
    assert.equal(r.core.info(h)?.state, "CLOSE-WAIT");
  });
});

describe("tcp RFC 5961: blind reset, SYN and data injection", () => {
  it("a RST exactly at RCV.NXT resets the connection", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: RST, seq: P });
    assert.deepEqual(r.core.takeEvents(), [
      { type: "error", conn: h, error: "reset" },
      { type: "closed", conn: h },
    ]);
    assert.equal(r.core.recv(h), "reset");
    r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
  });

  it("a RST in the window but not at RCV.NXT gets a challenge ACK, nothing else (§3.2)", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: RST, seq: P + 1000 });
    const ch = r.recvOne();
    assert.equal(ch.flags, ACK);
    assert.equal(ch.seq, r.iss + 1);
    assert.equal(ch.ack, P);
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
    assert.equal(r.core.counters.challengeAcks, 1);
  });

  it("a RST outside the window is dropped silently", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: RST, seq: P + 1_000_000 });
    r.send({ flags: RST, seq: P - 1 });
    r.recvNothing();
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
  });

  it("a SYN in the window gets a challenge ACK and the connection stays (§4)", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: SYN, seq: P + 10 });
    const ch = r.recvOne();
    assert.equal(ch.flags, ACK);
    assert.equal(ch.ack, P);
    assert.equal(r.core.info(h)?.state, "ESTABLISHED");
  });

  it("an ACK for data never sent gets an ACK and is dropped, data and all", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ seq: P, ack: r.iss + 5000, payload: bytes(10) });
    assert.equal(r.recvOne().ack, P);
    assert.equal(r.core.recv(h), "wait");
  });

  it("an ACK older than SND.UNA - MAX.SND.WND gets a challenge ACK and is dropped (§5.2)", () => {
    const r = new Rig();
    const h = r.established({ window: 1000 });
    r.send({ seq: P, ack: r.iss + 1 - 5000, payload: bytes(10) });
    assert.equal(r.recvOne().ack, P);
    assert.equal(r.core.recv(h), "wait");
    assert.equal(r.core.counters.challengeAcks, 1);
  });

  it("challenge ACKs are rate limited per second (§7)", () => {
    const r = new Rig({ challengeAckPerSecond: 3 });
    r.established();
    for (let i = 0; i < 10; i++) {
      r.send({ flags: RST, seq: P + 100 + i });
      r.recv();
    }
    assert.equal(r.core.counters.challengeAcks, 3);
    assert.equal(r.core.counters.challengeAcksSuppressed, 7);
    r.at(1000).send({ flags: RST, seq: P + 100 });
    assert.equal(r.recvOne().flags, ACK);
  });

  it("PAWS: a segment with an older timestamp is dropped and ACKed (RFC 7323 §5)", () => {
    const r = new Rig({ timestamps: true });
    const h = r.established({ options: { timestamp: { val: 1000, ecr: 0 } } });
    r.send({
      seq: P,
      ack: r.iss + 1,
      payload: bytes(10),
      options: { timestamp: { val: 1001, ecr: 0 } },
    });
    r.send({
      seq: P + 10,
      ack: r.iss + 1,
      payload: bytes(10),
      options: { timestamp: { val: 900, ecr: 0 } },
    });
    const ack = r.recvOne();
    assert.equal(ack.ack, P + 10);
    assert.equal(ack.options.timestamp?.ecr, 1001);
    assert.equal((r.core.recv(h) as Uint8Array).length, 10);
    assert.equal(r.core.counters.outOfWindow, 1);
  });
});

describe("tcp probes and invalid ACKs", () => {
  it("keep-alive and zero-window probes (SEG.SEQ = RCV.NXT - 1) are each answered", () => {
    const r = new Rig();
    r.established();
    for (const t of [0, 100, 200]) {
      r.at(t).send({ seq: P - 1, ack: r.iss + 1 });
      assert.equal(r.recvOne().ack, P);
    }
    // Other unacceptable bare ACKs are answered at most every 500 ms (no ACK wars).
    r.at(300).send({ seq: P + 1_000_000, ack: r.iss + 1 });
    assert.equal(r.recvOne().ack, P);
    r.at(400).send({ seq: P + 1_000_000, ack: r.iss + 1 });
    r.recvNothing();
    r.at(800).send({ seq: P + 1_000_000, ack: r.iss + 1 });
    assert.equal(r.recvOne().ack, P);
  });
});

describe("tcp zero receive window", () => {
  it("a full buffer advertises 0; data at RCV.NXT is ACKed, not taken; reading reopens it", () => {
    const r = new Rig({ receiveBufferBytes: 2000, mss: 1000 });
    const h = r.established();
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(1000) });
    r.send({ seq: P + 1000, ack: r.iss + 1, payload: bytes(1000) });
    const full = r.recvOne();
    assert.equal(full.ack, P + 2000);
    assert.equal(full.window, 0);
    // A zero-window probe (one byte at RCV.NXT) is answered, the byte not taken.
    r.send({ seq: P + 2000, ack: r.iss + 1, payload: bytes(1) });
    const probeAck = r.recvOne();
    assert.equal(probeAck.ack, P + 2000);
    assert.equal(probeAck.window, 0);
    // Reading a little does not reopen the window (receiver SWS avoidance)...
    assert.equal((r.core.recv(h, 100) as Uint8Array).length, 100);
    r.recvNothing();
    // ...reading enough sends a window update.
    assert.equal((r.core.recv(h) as Uint8Array).length, 1900);
    const update = r.recvOne();
    assert.equal(update.ack, P + 2000);
    assert.equal(update.window, 2000);
  });
});
