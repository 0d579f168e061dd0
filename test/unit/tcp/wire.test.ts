import assert from "node:assert/strict";
import { fromHex } from "../../../stack/bytes/index.ts";
import { tcpChecksum } from "../../../stack/net/tcp/checksum.ts";
import {
  ACK,
  emitSegment,
  FIN,
  PSH,
  parseSegment,
  SYN,
  TcpView,
} from "../../../stack/net/tcp/index.ts";
import { parseOptions } from "../../../stack/net/tcp/options.ts";
import { rng } from "../../helpers/rng.ts";
import { A, B, bytesOf, PEER_ISS, Rig, segment } from "./harness.ts";

/** Rewrites the checksum after a test edits header bytes, so only the edit is wrong. */
function refreshChecksum(b: Uint8Array, src = B, dst = A): Uint8Array {
  b[16] = 0;
  b[17] = 0;
  const s = tcpChecksum(src, dst, b);
  b[16] = s >>> 8;
  b[17] = s & 255;
  return b;
}

describe("tcp wire: segments on two levels", () => {
  it("emit then parse gives back every field and option", () => {
    const seg = segment({
      seq: 0xfffffff0,
      ack: 0x12345678,
      flags: ACK | PSH | FIN,
      window: 4321,
      options: {
        timestamp: { val: 1, ecr: 0xffffffff },
        sack: [
          [5, 9],
          [20, 30],
        ],
      },
      payload: new Uint8Array([1, 2, 3, 4, 5]),
    });
    const wire = emitSegment(seg, B, A);
    assert.equal(wire.length, 20 + 12 + 4 + 16 + 5);
    const r = parseSegment(B, A, wire);
    assert.ok(r.ok);
    assert.deepEqual(r.segment, {
      ...seg,
      options: {
        timestamp: { val: 1, ecr: 0xffffffff },
        sack: [
          [5, 9],
          [20, 30],
        ],
      },
    });
  });

  it("SYN options round-trip: MSS, window scale, SACK-permitted, timestamps", () => {
    const options = { mss: 1460, wscale: 7, sackPermitted: true, timestamp: { val: 99, ecr: 0 } };
    const wire = emitSegment(segment({ flags: SYN, options }), B, A);
    assert.equal(wire.length % 4, 0);
    const r = parseSegment(B, A, wire);
    assert.ok(r.ok);
    assert.deepEqual(r.segment.options, options);
  });

  it("the checksum matches a hand-computed vector over the pseudo-header", () => {
    // 10.0.0.2:40000 -> 10.0.0.1:80, seq 1, ack 0, SYN, window 65535, no options.
    const wire = emitSegment(segment({ seq: 1, ack: 0, flags: SYN }), B, A);
    assert.deepEqual(wire.subarray(0, 16), fromHex("9c40 0050 00000001 00000000 5002 ffff"));
    // Sum by hand: pseudo 0a00+0002+0a00+0001+0006+0014 = 0x141d; header words
    // 9c40+0050+0000+0001+0000+0000+5002+ffff = 0x1ec92 -> folded 0xec93; total 0x100b0 -> 0x00b1.
    assert.equal((wire[16] as number) * 256 + (wire[17] as number), 0xffff - 0x00b1);
  });

  it("the checksum equals a plain RFC 1071 sum for every length and content", () => {
    const next = rng(9);
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(next() * 3000);
      const b = Uint8Array.from({ length: n }, () =>
        next() < 0.3 ? 0xff : Math.floor(next() * 256),
      );
      let sum = (B.n >>> 16) + (B.n & 0xffff) + (A.n >>> 16) + (A.n & 0xffff) + 6 + n;
      for (let i = 0; i < n; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] ?? 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
      assert.equal(tcpChecksum(B, A, b), ~sum & 0xffff, `length ${n}`);
    }
  });

  it("the view does one length check, then every accessor works", () => {
    const wire = emitSegment(segment({ seq: 7, payload: new Uint8Array([9, 9]) }), B, A);
    const v = TcpView.check(wire);
    assert.ok(typeof v !== "string");
    assert.equal(v.seq, 7);
    assert.equal(v.dstPort, 80);
    assert.deepEqual([...v.payload], [9, 9]);
    assert.equal(TcpView.check(wire.subarray(0, 19)), "truncated");
  });

  it("options parsing rejects bad lengths and overruns, skips unknown kinds", () => {
    assert.equal(parseOptions(new Uint8Array([2, 4, 5])), null); // overruns
    assert.equal(parseOptions(new Uint8Array([2, 3, 5, 0])), null); // MSS of length 3
    assert.equal(parseOptions(new Uint8Array([99, 1, 0, 0])), null); // length below 2
    assert.equal(parseOptions(new Uint8Array([1, 1, 1, 8])), null); // no room for length
    assert.equal(parseOptions(new Uint8Array([5, 6, 0, 0, 0, 0])), null); // SACK not 2+8n
    assert.deepEqual(parseOptions(new Uint8Array([99, 4, 0, 0, 2, 4, 1, 0])), { mss: 256 });
    assert.deepEqual(parseOptions(new Uint8Array([0, 2, 3, 5])), {}); // after EOL: ignored
    assert.deepEqual(parseOptions(new Uint8Array([3, 3, 20, 0])), { wscale: 14 }); // RFC 7323 §2.3
  });
});

describe("tcp: malformed segments are counted and dropped, never thrown", () => {
  function rigWithListener(): Rig {
    const r = new Rig();
    r.core.listen(80, 4);
    return r;
  }

  it("truncated header", () => {
    const r = rigWithListener();
    r.sendRaw(bytesOf(segment({ flags: SYN })).subarray(0, 12));
    assert.equal(r.core.counters.truncated, 1);
    r.recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("data offset below 5 words, and past the end of the segment", () => {
    const r = rigWithListener();
    const low = bytesOf(segment({ flags: SYN }));
    low[12] = 4 << 4;
    r.sendRaw(refreshChecksum(low));
    const past = bytesOf(segment({ flags: SYN }));
    past[12] = 15 << 4; // 60-byte header in a 20-byte segment
    r.sendRaw(refreshChecksum(past));
    assert.equal(r.core.counters.badDataOffset, 2);
    r.recvNothing();
  });

  it("options overrunning the header, and an illegal option length", () => {
    const r = rigWithListener();
    const wire = bytesOf(segment({ flags: SYN, options: { mss: 1000 } }));
    wire[21] = 8; // the MSS option claims 8 bytes; the header has 4 of options
    r.sendRaw(refreshChecksum(wire));
    const bad = bytesOf(segment({ flags: SYN, options: { mss: 1000 } }));
    bad[21] = 3; // MSS with length 3
    r.sendRaw(refreshChecksum(bad));
    assert.equal(r.core.counters.badOptions, 2);
    r.recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("bad checksum, and a checksum for the wrong addresses", () => {
    const r = rigWithListener();
    const wire = bytesOf(segment({ flags: SYN, seq: PEER_ISS }));
    wire[17] = (wire[17] as number) ^ 1;
    r.sendRaw(wire);
    r.core.receive(B, B, bytesOf(segment({ flags: SYN })), r.now); // pseudo-header mismatch
    assert.equal(r.core.counters.badChecksum, 2);
    r.recvNothing();
    assert.equal(r.core.liveConnections, 0);
  });

  it("port 0 is dropped", () => {
    const r = rigWithListener();
    r.send({ flags: SYN, srcPort: 0 });
    assert.equal(r.core.counters.badPort, 1);
    r.recvNothing();
  });

  it("random and mutated bytes never throw (5,000 inputs to a live connection)", () => {
    const r = new Rig();
    const h = r.established();
    const next = rng(42);
    const base = bytesOf(
      segment({
        seq: PEER_ISS + 1,
        ack: r.iss + 1,
        payload: new Uint8Array(8),
        options: { timestamp: { val: 5, ecr: 6 } },
      }),
    );
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(base.subarray(0, Math.floor(next() * (base.length + 1))));
      for (let k = Math.floor(next() * 4); k >= 0; k--)
        b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
      if (next() < 0.5 && b.length >= 20) refreshChecksum(b);
      r.sendRaw(b);
      r.core.poll(r.now);
    }
    const c = r.core.counters;
    assert.ok(c.truncated + c.badChecksum + c.badDataOffset + c.badOptions > 1000);
    assert.ok(h > 0);
  });
});
