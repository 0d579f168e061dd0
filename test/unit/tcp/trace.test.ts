import assert from "node:assert/strict";
import {
  flagsText,
  type OutSegment,
  parseSegment,
  type TcpCore,
} from "../../../stack/net/tcp/index.ts";
import { type TraceEvent, TraceRecorder } from "../../../stack/trace/index.ts";
import { A, B, bytes, core, MS, PEER_ISS, Rig } from "./harness.ts";

/**
 * A's whole connection to B over a 10 ms link that loses exactly one of A's data segments
 * (the second), so the life holds a handshake, data, a retransmission and a close.
 */
function life(tracer?: TraceRecorder): { wire: Uint8Array[]; a: TcpCore; b: TcpCore } {
  const a = core(11, { ...(tracer ? { tracer } : {}), timeWaitMs: 2000, minRtoMs: 200 });
  const b = core(12);
  b.listen(80, 1);
  let now = 0n;
  const h = a.connect(A, B, 80, now, 50000);
  const inFlight: { at: bigint; to: TcpCore; o: OutSegment }[] = [];
  const wire: Uint8Array[] = [];
  let dataSegs = 0;
  let hb: number | null = null;
  let sent = false;
  for (let step = 0; step < 10_000; step++) {
    for (const o of a.poll(now)) {
      wire.push(o.segment);
      const seg = parseSegment(o.src, o.dst, o.segment);
      if (seg.ok && seg.segment.payload.length > 0 && ++dataSegs === 2) continue; // lost
      inFlight.push({ at: now + 10n * MS, to: b, o });
    }
    for (const o of b.poll(now)) inFlight.push({ at: now + 10n * MS, to: a, o });
    a.takeEvents();
    b.takeEvents();
    if (hb === null) hb = b.accept(80);
    if (!sent && a.info(h)?.state === "ESTABLISHED") {
      a.send(h, bytes(3000));
      a.close(h);
      sent = true;
    }
    if (hb !== null && hb >= 0) {
      const r = b.recv(hb);
      if (r === "end") {
        b.close(hb);
        hb = -1;
      }
    }
    if (a.liveConnections === 0 && b.liveConnections === 0) break;
    let t: bigint | null = null;
    for (const x of inFlight) if (t === null || x.at < t) t = x.at;
    for (const c of [a, b]) {
      const at = c.pollAt();
      if (at !== null && (t === null || at < t)) t = at;
    }
    if (t === null) break;
    now = t > now ? t : now;
    for (const x of inFlight.filter((x) => x.at <= now))
      x.to.receive(x.o.src, x.o.dst, x.o.segment, now);
    inFlight.splice(0, inFlight.length, ...inFlight.filter((x) => x.at > now));
  }
  return { wire, a, b };
}

const num = (e: TraceEvent, k: string): number => e.state[k] as number;

describe("tcp tracing: a whole connection's life", () => {
  const rec = new TraceRecorder();
  let wire: Uint8Array[] = [];
  let a: TcpCore;
  let events: TraceEvent[] = [];
  before(() => {
    const run = life(rec);
    wire = run.wire;
    a = run.a;
    events = rec.find("tcp");
  });

  it("one stable id for the connection, every event with the state summary", () => {
    assert.ok(events.length > 10);
    assert.deepEqual([...new Set(events.map((e) => e.id))], ["tcp:10.0.0.1:50000-10.0.0.2:80#1"]);
    for (const e of events) {
      assert.deepEqual(Object.keys(e.state).sort(), [
        "cwnd",
        "flight",
        "rcvNxt",
        "rcvWnd",
        "rto",
        "sndNxt",
        "sndUna",
        "sndWnd",
        "srtt",
        "ssthresh",
        "state",
      ]);
      assert.ok(num(e, "flight") >= 0 && num(e, "cwnd") > 0 && num(e, "rto") >= 200, e.name);
    }
    assert.equal(a.liveConnections, 0);
  });

  it("the states of an active open and close, in order", () => {
    const states = events
      .filter((e) => e.name === "state")
      .map((e) => `${e.detail?.from}>${e.detail?.to}`);
    assert.deepEqual(states, [
      "CLOSED>SYN-SENT",
      "SYN-SENT>ESTABLISHED",
      "ESTABLISHED>FIN-WAIT-1",
      "FIN-WAIT-1>FIN-WAIT-2",
      "FIN-WAIT-2>TIME-WAIT",
      "TIME-WAIT>CLOSED",
    ]);
    for (const e of events.filter((e) => e.name === "state"))
      assert.equal(e.state.state, e.detail?.to);
  });

  it("segment-out events match the bytes on the wire, one for one", () => {
    const outs = events.filter((e) => e.name === "segment-out");
    assert.equal(outs.length, wire.length);
    wire.forEach((w, i) => {
      const r = parseSegment(A, B, w);
      assert.ok(r.ok);
      const d = outs[i]?.detail ?? {};
      assert.deepEqual(
        [d.flags, d.seq, d.ack, d.len],
        [flagsText(r.segment.flags), r.segment.seq, r.segment.ack, r.segment.payload.length],
      );
    });
  });

  it("the summary after ESTABLISHED: SYN acknowledged, nothing in flight, an RTT sample", () => {
    const est = events.find(
      (e) => e.name === "state" && e.detail?.to === "ESTABLISHED",
    ) as TraceEvent;
    const syn = events.find((e) => e.name === "segment-out") as TraceEvent;
    const synAck = events.find((e) => e.name === "segment-in") as TraceEvent;
    assert.equal(num(est, "sndUna"), ((syn.detail?.seq as number) + 1) >>> 0);
    assert.equal(num(est, "sndNxt"), num(est, "sndUna"));
    assert.equal(num(est, "flight"), 0);
    assert.equal(num(est, "rcvNxt"), ((synAck.detail?.seq as number) + 1) >>> 0);
    assert.equal(est.state.srtt, 20); // 10 ms each way
  });

  it("the lost segment: an RTO, cwnd collapsed to one segment, and its retransmission", () => {
    const rto = events.find((e) => e.name === "rto") as TraceEvent;
    assert.ok(rto !== undefined);
    const cong = events.find(
      (e) => e.name === "congestion" && e.detail?.event === "rto",
    ) as TraceEvent;
    assert.equal(num(cong, "cwnd"), 1448); // one SMSS: 1460 less 12 bytes of timestamps
    assert.equal(num(cong, "ssthresh"), 2 * 1448);
    const rtx = events.find((e) => e.name === "retransmit") as TraceEvent;
    const outs = events.filter((e) => e.name === "segment-out" && (e.detail?.len as number) > 0);
    assert.equal(rtx.detail?.seq, outs[1]?.detail?.seq); // the second data segment, lost
    assert.ok(rtx.atNs > (outs[1] as TraceEvent).atNs);
    // RFC 6298 §5.5: the timer backs off, from 200 ms (the minimum; SRTT is 20 ms) to 400 ms.
    const before = events[events.indexOf(rto) - 1] as TraceEvent;
    assert.equal(num(before, "rto"), 200);
    assert.equal(num(rto, "rto"), 400);
    assert.equal(rto.detail?.count, 1);
    // Recovery completes: the last summary before TIME-WAIT has nothing in flight.
    const tw = events.find((e) => e.name === "state" && e.detail?.to === "TIME-WAIT") as TraceEvent;
    assert.equal(num(tw, "flight"), 0);
    assert.equal(num(tw, "sndUna"), num(tw, "sndNxt"));
  });

  it("tracing changes nothing: the same run without a tracer puts the same bytes on the wire", () => {
    const plain = life();
    assert.deepEqual(plain.wire, wire);
  });
});

describe("tcp tracing: recovery and attacks", () => {
  it("fast recovery reports enter-recovery, partial-ack and exit-recovery with cwnd and ssthresh", () => {
    const rec = new TraceRecorder();
    const r = new Rig({ tracer: rec });
    const h = r.established();
    const P = PEER_ISS + 1;
    const MSS = 536;
    const at = (k: number): number => (r.iss + 1 + k * MSS) >>> 0;
    let top = 0;
    const sent = (): void => {
      for (const x of r.recv()) top = Math.max(top, x.seq + x.payload.length);
    };
    r.core.send(h, bytes(8 * MSS));
    sent();
    for (let i = 0; i < 3; i++) {
      r.at(10 + i).send({ seq: P, ack: at(0) }); // the first segment is lost
      sent();
    }
    r.at(20).send({ seq: P, ack: at(2) }); // partial: the retransmission and one more arrived
    sent();
    r.at(30).send({ seq: P, ack: top >>> 0 }); // everything
    const cong = rec.find("tcp", "congestion");
    assert.deepEqual(
      cong.map((e) => e.detail?.event),
      ["enter-recovery", "partial-ack", "exit-recovery"],
    );
    const enter = cong[0] as TraceEvent;
    // Four segments out (flight 4 x 536 plus two by limited transmit): ssthresh = flight / 2.
    assert.equal(num(enter, "ssthresh"), (6 * MSS) / 2);
    assert.equal(num(enter, "cwnd"), (6 * MSS) / 2 + 3 * MSS);
    const exit = cong[2] as TraceEvent;
    assert.ok(num(exit, "cwnd") <= num(exit, "ssthresh"));
    assert.equal(num(exit, "flight"), 0);
    assert.equal(rec.find("tcp", "retransmit").length, 2);
  });

  it("a blind RST in the window is traced as a challenge ACK, the state unchanged", () => {
    const rec = new TraceRecorder();
    const r = new Rig({ tracer: rec });
    r.established();
    r.send({ flags: 0x04, seq: PEER_ISS + 500 });
    r.recv();
    const ch = rec.find("tcp", "challenge-ack");
    assert.equal(ch.length, 1);
    assert.equal(ch[0]?.state.state, "ESTABLISHED");
    const last = rec.events[rec.events.length - 1] as TraceEvent;
    assert.equal(last.name, "segment-out");
    assert.equal(last.detail?.flags, "ACK");
  });
});
