import assert from "node:assert/strict";
import { StackError } from "../../../stack/devices/stack.ts";
import { parseIpv4, writeU32 } from "../../../stack/net/addr.ts";
import { parseArp } from "../../../stack/net/arp.ts";
import { Counters } from "../../../stack/net/counters.ts";
import { echoRequest } from "../../../stack/net/icmp.ts";
import { Interface, type TcpLayer } from "../../../stack/net/iface.ts";
import { emitIpv4, PROTO_UDP, parseIpv4 as parseIpPacket } from "../../../stack/net/ipv4.ts";
import { NetStack } from "../../../stack/net/stack.ts";
import { VirtualClock } from "../../../stack/net/testing/clock.ts";
import { SimLink } from "../../../stack/net/testing/link.ts";
import { emitUdp, parseUdp } from "../../../stack/net/udp.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { rng } from "../../helpers/rng.ts";
import { runUntil, seededRandom } from "./helpers/drive.ts";

const ip = (s: string) => parseIpv4(s) as number;
const OURS = new Uint8Array([2, 0, 0, 0, 0, 1]);
const PEER = new Uint8Array([2, 0, 0, 0, 0, 2]);
const ME = ip("10.0.0.2");
const HIM = ip("10.0.0.1");
const S = 1_000_000_000n;

/** An Ethernet frame carrying `packets[i]` (IPv4) from PEER to `dst`. */
function frames(packets: Uint8Array[], dst = OURS): Uint8Array[] {
  return packets.map((p) => {
    const f = new Uint8Array(14 + p.length);
    f.set(dst, 0);
    f.set(PEER, 6);
    f[12] = 0x08;
    f.set(p, 14);
    return f;
  });
}
function ipFrames(
  src: number,
  dst: number,
  protocol: number,
  payload: Uint8Array,
  mtu = 1500,
  dstMac = OURS,
) {
  return frames(emitIpv4({ src, dst, protocol, id: 5 }, payload, mtu) as Uint8Array[], dstMac);
}

/** Records what the interface hands TCP. */
class TcpRecorder implements TcpLayer {
  readonly got: { src: number; dst: number; len: number }[] = [];
  receive(src: { n: number }, dst: { n: number }, segment: Uint8Array): void {
    this.got.push({ src: src.n, dst: dst.n, len: segment.length });
  }
  poll() {
    return [];
  }
  pollAt() {
    return null;
  }
}

function staticIface(tcp?: TcpLayer) {
  const r = rng(9);
  return new Interface(
    {
      mac: OURS,
      ipv4: { cidr: { address: ME, prefixLength: 24 }, gateway: HIM },
      random: () => Math.floor(r() * 2 ** 32),
      ...(tcp ? { tcp } : {}),
    },
    0n,
  );
}

/** The IPv4 packets among the interface's outgoing frames. */
function sentIp(i: Interface) {
  return i.frames.splice(0).flatMap((f) => {
    if (f[12] !== 0x08 || f[13] !== 0x00) return [];
    const p = parseIpPacket(f.subarray(14), new Counters());
    return p ? [{ frame: f, packet: p }] : [];
  });
}

describe("the interface core (iface.ts)", () => {
  it("drops frames for other MACs and multicast, counted", () => {
    const i = staticIface();
    const [f] = ipFrames(HIM, ME, PROTO_UDP, emitUdp(HIM, ME, 1, 2, new Uint8Array(1)), 1500, PEER);
    i.receive(f as Uint8Array, 0n);
    const [m] = ipFrames(
      HIM,
      ME,
      PROTO_UDP,
      new Uint8Array(8),
      1500,
      new Uint8Array([1, 0, 0x5e, 0, 0, 1]),
    );
    i.receive(m as Uint8Array, 0n);
    i.receive(new Uint8Array(13), 0n);
    assert.deepEqual(i.stats().eth, {
      "drop-not-ours": 1,
      "drop-multicast": 1,
      "drop-truncated": 1,
    });
  });

  it("reassembles a fragmented UDP datagram for a bound port", () => {
    const i = staticIface();
    i.bindUdp(7000);
    const data = Uint8Array.from({ length: 3000 }, (_, k) => k & 255);
    const fs = ipFrames(HIM, ME, PROTO_UDP, emitUdp(HIM, ME, 9, 7000, data));
    assert.equal(fs.length, 3);
    for (const f of fs.reverse()) i.receive(f, 0n);
    assert.equal(i.udpReceived.length, 1);
    assert.deepEqual(i.udpReceived[0]?.payload, data);
  });

  it("sends large datagrams fragmented to the MTU, through the gateway for other subnets", () => {
    const i = staticIface();
    // Teach ARP the gateway first.
    i.receive(arpReplyFrame(), 0n);
    i.frames.length = 0;
    assert.equal(i.sendUdp(5000, ip("192.0.2.9"), 53, new Uint8Array(4000), 0n), true);
    const out = sentIp(i);
    assert.equal(out.length, 3);
    for (const { frame, packet } of out) {
      assert.ok(frame.length <= 1514);
      assert.deepEqual(frame.subarray(0, 6), PEER, "to the gateway's MAC");
      assert.equal(packet.header.dst, ip("192.0.2.9"));
    }
  });

  it("hands TCP only segments for our address; protocol unreachable for unknown protocols", () => {
    const tcp = new TcpRecorder();
    const i = staticIface(tcp);
    i.receive(arpReplyFrame(), 0n);
    i.frames.length = 0;
    for (const f of ipFrames(HIM, ME, 6, new Uint8Array(20))) i.receive(f, 0n);
    for (const f of ipFrames(HIM, ip("10.0.0.255"), 6, new Uint8Array(20))) i.receive(f, 0n);
    assert.deepEqual(tcp.got, [{ src: HIM, dst: ME, len: 20 }]);
    for (const f of ipFrames(HIM, ME, 99, new Uint8Array(8))) i.receive(f, 0n);
    const [err] = sentIp(i);
    assert.ok(err);
    assert.equal(err.packet.header.protocol, 1);
    assert.deepEqual([err.packet.payload[0], err.packet.payload[1]], [3, 2]);
  });

  it("ignores broadcast pings and answers unicast ones", () => {
    const i = staticIface();
    i.receive(arpReplyFrame(), 0n);
    i.frames.length = 0;
    for (const f of ipFrames(HIM, 0xffffffff, 1, echoRequest(1, 1, new Uint8Array(8))))
      i.receive(f, 0n);
    assert.equal(sentIp(i).length, 0);
    for (const f of ipFrames(HIM, ME, 1, echoRequest(1, 2, new Uint8Array(8)))) i.receive(f, 0n);
    const [reply] = sentIp(i);
    assert.equal(reply?.packet.payload[0], 0);
  });

  it("DHCP: configures the address from an ACK, announces it over ARP, traces the change", () => {
    const r = rng(4);
    const trace = new TraceRecorder();
    const i = new Interface(
      { mac: OURS, ipv4: "dhcp", random: () => Math.floor(r() * 2 ** 32), tracer: trace },
      0n,
    );
    assert.equal(i.config === null, true, "no address before the lease");
    const discover = dhcpSent(i);
    i.receive(dhcpReply(discover.xid, 2), S);
    const request = dhcpSent(i);
    assert.equal(request.type, 3);
    i.receive(dhcpReply(request.xid, 5), 2n * S);
    assert.equal(i.config?.cidr.address, ip("10.9.0.50"));
    assert.equal(i.config?.cidr.prefixLength, 24);
    assert.equal(i.config?.gateway, ip("10.9.0.1"));
    const announce = i.frames
      .filter((f) => f[12] === 0x08 && f[13] === 0x06)
      .map((f) => parseArp(f.subarray(14)));
    assert.equal(announce[0]?.senderIp, ip("10.9.0.50"));
    assert.equal(announce[0]?.targetIp, ip("10.9.0.50"));
    assert.deepEqual(
      trace.find("ip", "configured").map((e) => e.state.address),
      ["10.9.0.50/24"],
    );
  });

  it("a stack with DHCP and no server rejects configured() with a timeout StackError", async () => {
    const clock = new VirtualClock();
    const link = new SimLink(clock, { random: rng(1) });
    const s = new NetStack(link.a, clock, seededRandom(3), { ipv4: "dhcp", dhcpTimeoutMs: 10_000 });
    let err: unknown = null;
    s.configured().catch((e) => {
      err = e;
    });
    await runUntil(clock, () => err !== null, 20n * S);
    assert.ok(err instanceof StackError);
    assert.equal(err.code, "timeout");
    assert.match(err.message, /no DHCP lease after 10 s/);
    assert.ok(clock.monotonicNs() >= 10n * S);
    await s.close();
  });
});

function arpReplyFrame(): Uint8Array {
  const f = new Uint8Array(14 + 28);
  f.set(OURS, 0);
  f.set(PEER, 6);
  f.set([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 2], 12);
  f.set(PEER, 22);
  writeU32(f, 28, HIM);
  f.set(OURS, 32);
  writeU32(f, 38, ME);
  return f;
}

/** The DHCP message the interface just broadcast. */
function dhcpSent(i: Interface): { xid: number; type: number } {
  const out = sentIp(i);
  const last = out[out.length - 1];
  assert.ok(last, "a DHCP message went out");
  const u = parseUdp(
    last.packet.header.src,
    last.packet.header.dst,
    last.packet.payload,
    new Counters(),
  );
  assert.ok(u && u.dstPort === 67);
  const b = u.payload;
  return {
    xid:
      ((b[4] as number) << 24) |
      ((b[5] as number) << 16) |
      ((b[6] as number) << 8) |
      (b[7] as number),
    type: b[242] as number,
  };
}

/** A server's OFFER (2) or ACK (5) for 10.9.0.50/24, router 10.9.0.1, broadcast to port 68. */
function dhcpReply(xid: number, type: number): Uint8Array {
  const opts = [
    53,
    1,
    type,
    54,
    4,
    10,
    9,
    0,
    1,
    51,
    4,
    0,
    0,
    0,
    120,
    1,
    4,
    255,
    255,
    255,
    0,
    3,
    4,
    10,
    9,
    0,
    1,
    255,
  ];
  const m = new Uint8Array(240 + opts.length);
  m[0] = 2;
  m[1] = 1;
  m[2] = 6;
  writeU32(m, 4, xid >>> 0);
  writeU32(m, 16, ip("10.9.0.50"));
  m.set(OURS, 28);
  writeU32(m, 236, 0x63825363);
  m.set(opts, 240);
  const server = ip("10.9.0.1");
  const [f] = ipFrames(
    server,
    0xffffffff,
    PROTO_UDP,
    emitUdp(server, 0xffffffff, 67, 68, m),
    1500,
    new Uint8Array([255, 255, 255, 255, 255, 255]),
  );
  return f as Uint8Array;
}
