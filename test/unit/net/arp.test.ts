import assert from "node:assert/strict";
import { parseIpv4 } from "../../../stack/net/addr.ts";
import {
  ARP_REPLY,
  ARP_REQUEST,
  ArpCache,
  type ArpOutput,
  type ArpPacket,
  emitArp,
  parseArp,
} from "../../../stack/net/arp.ts";

const ip = (s: string) => parseIpv4(s) as number;
const OURS = new Uint8Array([2, 0, 0, 0, 0, 1]);
const PEER = new Uint8Array([2, 0, 0, 0, 0, 2]);
const ME = ip("10.0.0.2");
const HIM = ip("10.0.0.1");
const S = 1_000_000_000n;

function request(from: Uint8Array, fromIp: number, target: number): Uint8Array {
  return emitArp({
    op: ARP_REQUEST,
    senderMac: from,
    senderIp: fromIp,
    targetMac: new Uint8Array(6),
    targetIp: target,
  });
}
function reply(from: Uint8Array, fromIp: number, to: number): Uint8Array {
  return emitArp({
    op: ARP_REPLY,
    senderMac: from,
    senderIp: fromIp,
    targetMac: OURS,
    targetIp: to,
  });
}
function drain(c: ArpCache): ArpOutput[] {
  return c.outputs.splice(0);
}
function arpOf(o: ArpOutput | undefined): ArpPacket {
  assert.ok(o && o.kind === "arp");
  return o.packet;
}

describe("arp", () => {
  it("wire: round-trips; refuses non-Ethernet/IPv4 and short packets", () => {
    const p = parseArp(request(PEER, HIM, ME));
    assert.ok(p);
    assert.deepEqual([p.op, p.senderIp, p.targetIp], [ARP_REQUEST, HIM, ME]);
    const bad = request(PEER, HIM, ME);
    bad[3] = 0xdd; // protocol type 0x08dd
    assert.equal(parseArp(bad), null);
    assert.equal(parseArp(bad.subarray(0, 27)), null);
  });

  it("answers a request for our address, unicast, and learns the asker", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    drain(c);
    c.input(request(PEER, HIM, ME), 0n);
    const [out] = drain(c);
    assert.ok(out?.kind === "arp");
    assert.deepEqual(out.dstMac, PEER);
    assert.deepEqual(
      [out.packet.op, out.packet.senderIp, out.packet.targetIp],
      [ARP_REPLY, ME, HIM],
    );
    assert.deepEqual(c.lookup(HIM, 0n), PEER);
  });

  it("ignores requests for other addresses and does not learn from them (RFC 826 merge)", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    drain(c);
    c.input(request(PEER, HIM, ip("10.0.0.77")), 0n);
    assert.deepEqual(drain(c), []);
    assert.equal(c.lookup(HIM, 0n), null);
  });

  it("replies to an RFC 5227 probe (sender 0.0.0.0) without caching 0.0.0.0", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    drain(c);
    c.input(request(PEER, 0, ME), 0n);
    const p = arpOf(drain(c)[0]);
    assert.equal(p.op, ARP_REPLY);
    assert.equal(c.lookup(0, 0n), null);
  });

  it("announces a new address twice, 2 s apart (gratuitous ARP)", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    const first = arpOf(drain(c)[0]);
    assert.deepEqual([first.op, first.senderIp, first.targetIp], [ARP_REQUEST, ME, ME]);
    assert.equal(c.pollAt(), 2n * S);
    c.poll(2n * S);
    assert.equal(arpOf(drain(c)[0]).targetIp, ME);
    assert.equal(c.pollAt(), null);
  });

  it("queues packets until a reply, then releases them in order", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    drain(c);
    const pkts = [new Uint8Array([1]), new Uint8Array([2])];
    for (const p of pkts) c.send(HIM, p, 0n);
    const req = drain(c);
    assert.equal(req.length, 1);
    assert.equal(arpOf(req[0]).targetIp, HIM);
    c.input(reply(PEER, HIM, ME), 10n);
    const out = drain(c);
    assert.deepEqual(
      out.map((o) => (o.kind === "resolved" ? [...o.packet] : null)),
      [[1], [2]],
    );
    c.send(HIM, new Uint8Array([3]), 20n);
    assert.equal(drain(c)[0]?.kind, "resolved");
  });

  it("retries each second, then gives up and drops what waited", () => {
    const c = new ArpCache(OURS, { maxRequests: 3 });
    c.setAddress(ME, 0n);
    c.send(HIM, new Uint8Array(1), 0n);
    c.send(HIM, new Uint8Array(1), 0n);
    let requests = 0;
    for (let t = 0n; t <= 10n * S; t += S / 2n) {
      c.poll(t);
      requests += drain(c).filter((o) => o.kind === "arp" && o.packet.targetIp === HIM).length;
    }
    assert.equal(requests, 3);
    assert.equal(c.waiting, 0);
    assert.equal(c.counters.get("drop-unresolved"), 2);
    assert.equal(c.pollAt(), null);
  });

  it("bounds the queue per address and the addresses pending", () => {
    const c = new ArpCache(OURS, { queuePerAddress: 4, maxPending: 3 });
    c.setAddress(ME, 0n);
    for (let i = 0; i < 10; i++) c.send(HIM, new Uint8Array([i]), 0n);
    assert.equal(c.waiting, 4);
    assert.equal(c.counters.get("drop-queue-full"), 6);
    for (let i = 0; i < 5; i++) c.send(ip(`10.0.1.${i}`), new Uint8Array(1), 0n);
    assert.equal(c.counters.get("drop-pending-full"), 3);
  });

  it("entries expire; the table is bounded", () => {
    const c = new ArpCache(OURS, { entryTtlNs: 5n * S, maxEntries: 2 });
    c.setAddress(ME, 0n);
    c.input(request(PEER, HIM, ME), 0n);
    assert.ok(c.lookup(HIM, 4n * S));
    assert.equal(c.lookup(HIM, 5n * S), null);
    for (let i = 1; i <= 3; i++) c.input(request(PEER, ip(`10.0.0.${10 + i}`), ME), 0n);
    assert.equal(c.size, 2);
    assert.equal(c.lookup(ip("10.0.0.11"), 0n), null);
  });

  it("defends its address against a conflicting claim, at most once per 10 s", () => {
    const c = new ArpCache(OURS);
    c.setAddress(ME, 0n);
    c.poll(2n * S);
    drain(c);
    c.input(request(PEER, ME, HIM), 3n * S);
    c.input(request(PEER, ME, HIM), 4n * S);
    const out = drain(c);
    assert.equal(out.length, 1);
    assert.equal(arpOf(out[0]).senderIp, ME);
    assert.equal(c.counters.get("conflict"), 2);
  });

  it("counts malformed packets and bad opcodes", () => {
    const c = new ArpCache(OURS);
    c.input(new Uint8Array(10), 0n);
    const bad = request(PEER, HIM, ME);
    bad[7] = 9;
    c.input(bad, 0n);
    const eth = request(PEER, HIM, ME);
    eth[1] = 6; // hardware type 6 (IEEE 802)
    c.input(eth, 0n);
    assert.deepEqual(c.counters.snapshot(), {
      "drop-truncated": 1,
      "drop-bad-op": 1,
      "drop-unsupported": 1,
    });
  });
});
