import assert from "node:assert/strict";
import { ACK, FIN, RST, SYN } from "../../../stack/net/tcp/index.ts";
import { A, B, bytes, PEER_ISS, Rig } from "./harness.ts";

const P = PEER_ISS + 1;

describe("tcp closing states", () => {
  it("active close: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, freed after 2 MSL", () => {
    const r = new Rig({ timeWaitMs: 60_000 });
    const h = r.established();
    r.core.shutdown(h);
    const fin = r.recvOne();
    assert.equal(fin.flags, ACK | FIN);
    assert.equal(fin.seq, r.iss + 1);
    assert.equal(r.core.info(h)?.state, "FIN-WAIT-1");
    r.at(10).send({ seq: P, ack: r.iss + 2 });
    assert.equal(r.core.info(h)?.state, "FIN-WAIT-2");
    r.recvNothing();
    // Half-closed: the peer may still send data, then its FIN.
    r.at(20).send({ seq: P, ack: r.iss + 2, payload: bytes(3) });
    r.at(30).send({ flags: ACK | FIN, seq: P + 3, ack: r.iss + 2 });
    assert.equal(r.recvOne().ack, P + 4);
    assert.equal(r.core.info(h)?.state, "TIME-WAIT");
    assert.equal((r.core.recv(h) as Uint8Array).length, 3);
    assert.equal(r.core.recv(h), "end");
    r.core.close(h);
    // A retransmitted FIN in TIME-WAIT is ACKed again and restarts the timer.
    r.at(1000).send({ flags: ACK | FIN, seq: P + 3, ack: r.iss + 2 });
    assert.equal(r.recvOne().ack, P + 4);
    assert.equal(r.core.pollAt(), 61_000n * 1_000_000n);
    r.at(60_999).recvNothing();
    assert.equal(r.core.liveConnections, 1);
    r.at(61_000).recvNothing();
    assert.equal(r.core.liveConnections, 0);
    assert.equal(r.core.pollAt(), null);
  });

  it("a new SYN above RCV.NXT reopens a 4-tuple in TIME-WAIT; an old one gets an ACK", () => {
    const r = new Rig();
    const h = r.established();
    r.core.close(h);
    r.recvOne(); // our FIN
    r.send({ flags: ACK | FIN, seq: P, ack: r.iss + 2 });
    r.recvOne();
    assert.equal(r.core.liveConnections, 1); // TIME-WAIT, listener still on port 80
    r.send({ flags: SYN, seq: P - 100 });
    assert.equal(r.recvOne().flags, ACK); // could be an old duplicate: answered, not accepted
    r.send({ flags: SYN, seq: P + 100_000 });
    const sa = r.recvOne();
    assert.equal(sa.flags, SYN | ACK);
    assert.equal(sa.ack, P + 100_001);
    assert.equal(r.core.liveConnections, 1);
  });

  it("passive close: CLOSE-WAIT -> LAST-ACK -> CLOSED, with data still going out", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ flags: ACK | FIN, seq: P, ack: r.iss + 1 });
    r.recvOne();
    r.core.send(h, bytes(10));
    r.core.close(h);
    assert.equal(r.core.info(h), null); // the handle is released
    const segs = r.recv();
    assert.deepEqual(
      segs.map((s) => [s.payload.length, s.flags & FIN]),
      [[10, FIN]],
    );
    assert.equal(r.core.liveConnections, 1);
    r.send({ seq: P + 1, ack: r.iss + 12 });
    assert.equal(r.core.liveConnections, 0);
  });

  it("simultaneous close: FIN-WAIT-1 -> CLOSING -> TIME-WAIT", () => {
    const r = new Rig();
    const h = r.established();
    r.core.shutdown(h);
    r.recvOne();
    r.send({ flags: ACK | FIN, seq: P, ack: r.iss + 1 }); // their FIN, not acking ours
    assert.equal(r.recvOne().ack, P + 1);
    assert.equal(r.core.info(h)?.state, "CLOSING");
    r.send({ seq: P + 1, ack: r.iss + 2 });
    assert.equal(r.core.info(h)?.state, "TIME-WAIT");
  });

  it("FIN retransmission in LAST-ACK, then a timeout frees the record", () => {
    const r = new Rig({ maxRetransmits: 2 });
    const h = r.established();
    r.send({ flags: ACK | FIN, seq: P, ack: r.iss + 1 });
    r.recvOne();
    r.core.close(h);
    assert.equal(r.recvOne().flags, ACK | FIN);
    assert.equal(r.at(1000).recvOne().flags, ACK | FIN);
    assert.equal(r.at(3000).recvOne().flags, ACK | FIN);
    r.at(7000).recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("closing with unread data resets the connection (RFC 1122 §4.2.2.13)", () => {
    const r = new Rig();
    const h = r.established();
    r.send({ seq: P, ack: r.iss + 1, payload: bytes(10) });
    r.core.close(h);
    const rst = r.recv().find((s) => s.flags & RST);
    assert.equal(rst?.seq, r.iss + 1);
    assert.equal(r.core.liveConnections, 0);
  });

  it("data arriving after close is answered with a reset", () => {
    const r = new Rig();
    const h = r.established();
    r.core.close(h);
    r.recvOne(); // FIN
    r.send({ seq: P, ack: r.iss + 2, payload: bytes(10) });
    assert.equal(r.recvOne().flags, RST);
    assert.equal(r.core.liveConnections, 0);
  });

  it("FIN-WAIT-2 after close is bounded: a peer that never sends FIN is forgotten", () => {
    const r = new Rig({ finWait2TimeoutMs: 30_000 });
    const h = r.established();
    r.core.close(h);
    r.recvOne();
    r.at(5).send({ seq: P, ack: r.iss + 2 });
    assert.equal(r.core.liveConnections, 1);
    r.at(30_004).recvNothing();
    assert.equal(r.core.liveConnections, 1);
    r.at(30_005).recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("abort sends RST <SEQ=SND.NXT> and frees at once", () => {
    const r = new Rig();
    const h = r.established();
    r.core.abort(h);
    const rst = r.recvOne();
    assert.equal(rst.flags, RST);
    assert.equal(rst.seq, r.iss + 1);
    assert.equal(r.core.liveConnections, 0);
    assert.throws(
      () => r.core.send(h, bytes(1)),
      (e: { code?: string }) => e.code === "closed",
    );
  });

  it("unlisten resets connections nobody accepted", () => {
    const r = new Rig();
    r.core.listen(80, 4);
    r.send({ flags: SYN, seq: PEER_ISS });
    const sa = r.recvOne();
    r.send({ seq: P, ack: sa.seq + 1 });
    r.core.unlisten(80);
    assert.equal(r.recvOne().flags, RST);
    assert.equal(r.core.liveConnections, 0);
  });
});

describe("tcp: peers that vanish leave no state behind", () => {
  it("1,000 connections whose peer vanishes mid-transfer are all freed by timeouts", () => {
    const r = new Rig({ maxRetransmits: 4, maxRtoMs: 4000 });
    r.core.listen(80, 2000);
    const handles: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const port = 20000 + i;
      r.send({ srcPort: port, flags: SYN, seq: PEER_ISS });
      const sa = r.recv().find((s) => s.dstPort === port && s.flags & SYN);
      assert.ok(sa !== undefined);
      r.send({ srcPort: port, seq: P, ack: sa.seq + 1, payload: bytes(100) });
      const h = r.core.accept(80);
      assert.ok(h !== null);
      handles.push(h);
      assert.equal((r.core.recv(h) as Uint8Array).length, 100);
      r.core.send(h, bytes(3000));
      if (i % 2 === 0) r.core.close(h); // half of them closed by the application too (FIN queued)
    }
    r.recv();
    assert.equal(r.core.liveConnections, 1000);
    // Nobody answers again. Follow the deadlines the core asks for.
    for (let guard = 0; guard < 1000; guard++) {
      const at = r.core.pollAt();
      if (at === null) break;
      r.now = at;
      r.recv();
    }
    const events = r.core.takeEvents();
    assert.equal(events.filter((e) => e.type === "error" && e.error === "timeout").length, 500);
    for (const h of handles) r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
    assert.equal(r.core.pollAt(), null);
  });

  it("a connect whose peer never answers is freed; so is its handle once closed", () => {
    const r = new Rig({ maxSynRetransmits: 2 });
    const h = r.core.connect(A, B, 9, 0n);
    for (let guard = 0; guard < 10; guard++) {
      const at = r.core.pollAt();
      if (at === null) break;
      r.now = at;
      r.recv();
    }
    assert.equal(r.core.recv(h), "timeout");
    assert.equal(r.core.liveConnections, 1);
    r.core.close(h);
    assert.equal(r.core.liveConnections, 0);
  });
});
