import assert from "node:assert/strict";
import fc from "fast-check";
import {
  broadcastOf,
  formatIpv4,
  inSubnet,
  parseCidr,
  parseIpv4,
  parseMac,
} from "../../../stack/net/addr.ts";
import { checksum } from "../../../stack/net/checksum.ts";
import { Counters } from "../../../stack/net/counters.ts";
import { parseEthernet } from "../../../stack/net/ethernet.ts";
import {
  destinationUnreachable,
  echoReply,
  echoRequest,
  ICMP_DEST_UNREACHABLE,
  ICMP_ECHO_REPLY,
  mayAnswerWithError,
  parseIcmp,
  RateLimiter,
} from "../../../stack/net/icmp.ts";
import {
  emitIpv4,
  type Ipv4Packet,
  nextHop,
  PROTO_UDP,
  parseIpv4 as parseIpv4Packet,
  Reassembler,
} from "../../../stack/net/ipv4.ts";
import { emitUdp, parseUdp } from "../../../stack/net/udp.ts";
import { rng } from "../../helpers/rng.ts";

const ip = (s: string) => parseIpv4(s) as number;
const A = ip("10.0.0.2");
const B = ip("10.0.0.1");

function packet(payload: Uint8Array, extra: Partial<{ id: number; dontFragment: boolean }> = {}) {
  const out = emitIpv4(
    { src: B, dst: A, protocol: PROTO_UDP, id: extra.id ?? 7, ...extra },
    payload,
    1500,
  );
  assert.ok(out);
  return out[0] as Uint8Array;
}

function parsed(bytes: Uint8Array): Ipv4Packet {
  const p = parseIpv4Packet(bytes, new Counters());
  assert.ok(p);
  return p;
}

/** Sets bytes at offsets, for mutating a good packet into a bad one. */
function poke(b: Uint8Array, edits: [number, number][]): Uint8Array {
  for (const [at, v] of edits) b[at] = v;
  return b;
}

describe("net addresses", () => {
  it("parses and formats dotted quads; refuses the malformed", () => {
    assert.equal(formatIpv4(ip("192.168.1.254")), "192.168.1.254");
    assert.equal(ip("255.255.255.255"), 0xffffffff);
    for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", ""]) {
      assert.equal(parseIpv4(bad), null, bad);
    }
  });
  it("subnets, broadcast and next hop (interface subnet, then gateway)", () => {
    const cidr = parseCidr("10.1.2.3/20");
    assert.ok(cidr);
    assert.equal(formatIpv4(broadcastOf(cidr)), "10.1.15.255");
    assert.equal(inSubnet(cidr, ip("10.1.15.1")), true);
    assert.equal(inSubnet(cidr, ip("10.1.16.1")), false);
    const gw = ip("10.1.0.1");
    assert.equal(nextHop({ cidr, gateway: gw }, ip("10.1.9.9")), ip("10.1.9.9"));
    assert.equal(nextHop({ cidr, gateway: gw }, ip("8.8.8.8")), gw);
    assert.equal(nextHop({ cidr, gateway: null }, ip("8.8.8.8")), null);
    assert.equal(nextHop({ cidr, gateway: null }, 0xffffffff), 0xffffffff);
    assert.equal(parseCidr("10.0.0.1/33"), null);
    assert.deepEqual(parseMac("02:00:00:aa:bb:0c"), new Uint8Array([2, 0, 0, 0xaa, 0xbb, 0x0c]));
  });
  it("checksum: RFC 1071 §3 example sums to 0xddf2, odd lengths pad with zero", () => {
    const b = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    assert.equal(checksum(b), ~0xddf2 & 0xffff);
    assert.equal(checksum(new Uint8Array([0x12])), ~0x1200 & 0xffff);
  });
});

describe("ethernet", () => {
  it("views the header; a frame shorter than 14 bytes is null", () => {
    const f = new Uint8Array(60);
    f.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06]);
    const e = parseEthernet(f);
    assert.ok(e);
    assert.equal(e.ethertype, 0x0806);
    assert.deepEqual([...e.src], [7, 8, 9, 10, 11, 12]);
    assert.equal(e.payload.length, 46);
    assert.equal(parseEthernet(f.subarray(0, 13)), null);
  });
});

describe("ipv4 parsing", () => {
  it("round-trips a header, trims Ethernet padding, and skips options by IHL", () => {
    const payload = new Uint8Array([1, 2, 3]);
    const bytes = packet(payload);
    const padded = new Uint8Array(46);
    padded.set(bytes);
    const p = parsed(padded);
    assert.equal(p.header.src, B);
    assert.equal(p.header.dst, A);
    assert.equal(p.header.ttl, 64);
    assert.deepEqual([...p.payload], [1, 2, 3]);
    // Same packet with 8 bytes of options (NOP NOP ... EOL): the payload is still found.
    const withOpts = new Uint8Array(bytes.length + 8);
    withOpts.set(bytes.subarray(0, 20));
    withOpts.set([1, 1, 1, 1, 1, 1, 1, 0], 20);
    withOpts.set(payload, 28);
    withOpts[0] = 0x47;
    withOpts[3] = withOpts.length;
    withOpts[10] = 0;
    withOpts[11] = 0;
    const c = checksum(withOpts, 0, 28);
    withOpts[10] = c >> 8;
    withOpts[11] = c & 255;
    assert.deepEqual([...parsed(withOpts).payload], [1, 2, 3]);
  });
  it("counts and drops each malformed header, never throws", () => {
    const good = packet(new Uint8Array(10));
    const cases: [string, (b: Uint8Array) => Uint8Array][] = [
      ["drop-truncated", (b) => b.subarray(0, 19)],
      ["drop-version", (b) => poke(b, [[0, 0x65]])],
      ["drop-bad-ihl", (b) => poke(b, [[0, 0x44]])],
      ["drop-truncated", (b) => poke(b, [[0, 0x4f]]).subarray(0, 40)],
      [
        "drop-bad-length",
        (b) =>
          poke(b, [
            [2, 0],
            [3, 10],
          ]),
      ],
      ["drop-truncated", (b) => poke(b, [[3, 200]])],
      ["drop-checksum", (b) => poke(b, [[8, 1]])],
    ];
    for (const [why, mutate] of cases) {
      const counters = new Counters();
      assert.equal(parseIpv4Packet(mutate(good.slice()), counters), null, why);
      assert.equal(counters.get(why), 1, why);
    }
  });
  it("never throws on arbitrary bytes (property)", () => {
    const counters = new Counters();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        parseIpv4Packet(b, counters);
        parseUdp(A, B, b, counters);
        parseIcmp(b, counters);
        parseEthernet(b);
      }),
    );
  });
});

describe("ipv4 fragmentation and reassembly", () => {
  const payload = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7) & 255);
  const fragments = () => {
    const f = emitIpv4({ src: B, dst: A, protocol: PROTO_UDP, id: 99 }, payload, 1500);
    assert.ok(f);
    return f.map(parsed);
  };

  it("splits on 8-byte boundaries, each within the MTU, MF on all but the last", () => {
    const f = fragments();
    assert.equal(f.length, 3);
    for (const p of f) assert.ok(p.bytes.length <= 1500);
    assert.deepEqual(
      f.map((p) => [p.header.fragmentOffset, p.header.moreFragments]),
      [
        [0, true],
        [1480, true],
        [2960, false],
      ],
    );
    assert.equal(
      emitIpv4({ src: B, dst: A, protocol: 17, id: 1, dontFragment: true }, payload, 1500),
      null,
    );
  });
  it("reassembles in any order, ignoring exact duplicates", () => {
    const next = rng(5);
    for (let round = 0; round < 20; round++) {
      const f = fragments();
      f.push(f[1] as Ipv4Packet);
      f.sort(() => next() - 0.5);
      const r = new Reassembler(new Counters());
      const done = f.map((p) => r.add(p, 0n)).filter((x) => x !== null);
      assert.equal(done.length, 1);
      assert.deepEqual(done[0], payload);
      // A duplicate arriving after completion starts a datagram that only times out.
      r.poll(60_000_000_000n);
      assert.equal(r.heldBytes, 0);
      assert.equal(r.datagrams, 0);
    }
  });
  it("drops a datagram with overlapping fragments", () => {
    const counters = new Counters();
    const r = new Reassembler(counters);
    const [a, b] = fragments() as [Ipv4Packet, Ipv4Packet];
    const shifted = { ...b, header: { ...b.header, fragmentOffset: 1472 } };
    assert.equal(r.add(a, 0n), null);
    assert.equal(r.add(shifted, 0n), null);
    assert.equal(counters.get("drop-frag-overlap"), 1);
    assert.equal(r.datagrams, 0);
    assert.equal(r.heldBytes, 0);
  });
  it("times out incomplete datagrams and frees their memory", () => {
    const counters = new Counters();
    const r = new Reassembler(counters, { timeoutNs: 1000n });
    r.add(fragments()[0] as Ipv4Packet, 0n);
    assert.equal(r.pollAt(), 1000n);
    r.poll(999n);
    assert.equal(r.datagrams, 1);
    r.poll(1000n);
    assert.equal(r.datagrams, 0);
    assert.equal(r.heldBytes, 0);
    assert.equal(counters.get("drop-frag-timeout"), 1);
    assert.equal(r.pollAt(), null);
  });
  it("bounds the bytes and datagrams held", () => {
    const counters = new Counters();
    const r = new Reassembler(counters, { maxBytes: 2000, maxDatagrams: 2 });
    for (let id = 0; id < 5; id++) {
      const f = emitIpv4({ src: B, dst: A, protocol: 17, id }, payload, 1500);
      r.add(parsed((f as Uint8Array[])[0] as Uint8Array), 0n);
      assert.ok(r.heldBytes <= 2000);
      assert.ok(r.datagrams <= 2);
    }
    assert.ok(counters.get("drop-frag-memory") + counters.get("drop-frag-too-many") >= 3);
  });
});

describe("icmp", () => {
  it("echo reply: same id, sequence and data, type 0, valid checksum", () => {
    const req = echoRequest(0x1234, 9, new Uint8Array([5, 6, 7]));
    const m = parseIcmp(req, new Counters());
    assert.ok(m);
    const reply = echoReply(m);
    assert.equal(reply[0], ICMP_ECHO_REPLY);
    assert.equal(checksum(reply), 0);
    assert.deepEqual(reply.subarray(4), req.subarray(4));
  });
  it("drops truncated messages and bad checksums", () => {
    const counters = new Counters();
    const req = echoRequest(1, 1, new Uint8Array(4));
    assert.equal(parseIcmp(req.subarray(0, 7), counters), null);
    req[9] = 1;
    assert.equal(parseIcmp(req, counters), null);
    assert.deepEqual(counters.snapshot(), { "drop-truncated": 1, "drop-checksum": 1 });
  });
  it("port unreachable quotes the original header and data; never about errors or broadcasts", () => {
    const orig = parsed(packet(new Uint8Array(30)));
    const err = destinationUnreachable(3, orig);
    assert.equal(err[0], ICMP_DEST_UNREACHABLE);
    assert.equal(err[1], 3);
    assert.equal(checksum(err), 0);
    assert.deepEqual(err.subarray(8), orig.bytes);
    assert.equal(mayAnswerWithError(orig, false), true);
    assert.equal(mayAnswerWithError(orig, true), false);
    const errPacket = emitIpv4({ src: B, dst: A, protocol: 1, id: 1 }, err, 1500) as Uint8Array[];
    assert.equal(mayAnswerWithError(parsed(errPacket[0] as Uint8Array), false), false);
  });
  it("rate limiter: a burst, then the refill rate", () => {
    const r = new RateLimiter(10, 5);
    let sent = 0;
    for (let i = 0; i < 100; i++) if (r.take(0n)) sent++;
    assert.equal(sent, 5);
    for (let i = 0; i < 100; i++) if (r.take(1_000_000_000n)) sent++;
    assert.equal(sent, 10);
  });
});

describe("udp", () => {
  it("round-trips with a checksum over the pseudo-header", () => {
    const d = emitUdp(A, B, 5000, 53, new Uint8Array([1, 2, 3]));
    const counters = new Counters();
    const u = parseUdp(A, B, d, counters);
    assert.ok(u);
    assert.deepEqual([u.srcPort, u.dstPort, [...u.payload]], [5000, 53, [1, 2, 3]]);
    // The same bytes from another source fail the pseudo-header check.
    assert.equal(parseUdp(ip("10.0.0.9"), B, d, counters), null);
    assert.equal(counters.get("drop-checksum"), 1);
  });
  it("accepts a zero checksum (none sent); drops bad lengths", () => {
    const counters = new Counters();
    const d = emitUdp(A, B, 1, 2, new Uint8Array(4));
    d[6] = 0;
    d[7] = 0;
    assert.ok(parseUdp(A, B, d, counters));
    const short = d.slice();
    short[5] = 4;
    assert.equal(parseUdp(A, B, short, counters), null);
    const long = d.slice();
    long[5] = 13;
    assert.equal(parseUdp(A, B, long, counters), null);
    assert.equal(parseUdp(A, B, d.subarray(0, 7), counters), null);
    assert.deepEqual(counters.snapshot(), { "drop-bad-length": 1, "drop-truncated": 2 });
  });
});
